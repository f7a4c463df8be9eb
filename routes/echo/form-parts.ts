// multipart/form-data for the echo route: fields by name, and for each file its
// name, type and size. File contents are counted as they stream past and never
// kept, so memory stays flat whatever is uploaded.
import type { FastifyRequest } from 'fastify'
import type { Multipart } from '@fastify/multipart'
import { BodyTooLargeError, httpError } from '../../src/errors.js'
import { group, type Grouped } from './request-data.js'

export interface FilePart {
  filename: string
  type: string
  size: number
}

export type FormValue = string | FilePart

// Thrown when the whole multipart body grows past the limit (src/errors.ts).
export { BodyTooLargeError }

async function partValue (part: Multipart, overLimit: () => void): Promise<FormValue> {
  if (part.type === 'field') return String(part.value)
  let size = 0
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length
    overLimit()
  }
  return { filename: part.filename, type: part.mimetype, size }
}

/**
 * Reads every part. @fastify/multipart limits each part; the limit here is on the
 * body as a whole, counted on the socket, so a chunked upload of many small files
 * gets its 413 too.
 */
export async function readFormParts (request: FastifyRequest, limit: number): Promise<Grouped<FormValue>> {
  const declared = Number(request.headers['content-length'])
  if (declared > limit) throw new BodyTooLargeError()

  const parts = request.parts()
  let received = 0
  const count = (chunk: Buffer): void => { received += chunk.length }
  const overLimit = (): void => { if (received > limit) throw new BodyTooLargeError() }
  request.raw.on('data', count)
  try {
    const pairs: Array<[string, FormValue]> = []
    for await (const part of parts) {
      pairs.push([part.fieldname, await partValue(part, overLimit)])
      overLimit()
    }
    return group(pairs)
  } catch (error) {
    // Limits carry their status (413); anything else busboy throws is a body it
    // could not parse (no boundary, truncated parts): the client's doing.
    if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error
    throw httpError(400, `Malformed multipart body: ${(error as Error).message}`)
  } finally {
    request.raw.off('data', count)
  }
}
