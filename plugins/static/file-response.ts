// Answers for one file: what send decided (200, 304, 412, validators, type), then
// ranges and the body, which are ours so they follow RFC 9110 exactly.
import type { Stats } from 'node:fs'
import { finished, type Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import send from '@fastify/send'
import { httpError } from '../../src/errors.js'
import type { FileBody } from './file-body.js'
import { multipartRanges } from './multipart-ranges.js'
import { contentRange, decideRange, ifRangeHolds } from './ranges.js'

/** A file's answer before ranges: from send, or from memory. */
export interface FileAnswer {
  /** 200, or 304 for a conditional request that matched. */
  statusCode: number
  headers: Readonly<Record<string, string | number>>
  size: number
  etag: string | undefined
  lastModified: string | undefined
}

function rejectSpecialFiles (_path: string, stats: Stats): void {
  // A FIFO or device opened for reading could hang or never end.
  if (!stats.isFile()) throw httpError(404)
}

const SEND_OPTIONS = { index: false, dotfiles: 'allow', acceptRanges: false, onFile: rejectSpecialFiles } as const

/**
 * Asks send about a real path without opening it: as a HEAD request it stats the
 * file, sets validators and MIME type and answers conditional requests (304, 412),
 * and leaves the body to us.
 */
export async function inspect (request: FastifyRequest, realPath: string): Promise<send.SendResult> {
  const headRequest = { method: 'HEAD', headers: request.raw.headers } as unknown as Parameters<typeof send>[0]
  try {
    // send decodes the path it is given; only `%` can be misread.
    return await send(headRequest, realPath.replaceAll('%', '%25'), SEND_OPTIONS)
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw httpError(404)
    throw error
  }
}

/** send's result as an answer: a strong ETag, Accept-Ranges, a type for every file. */
export function answerOf (sent: send.FileSendResult): FileAnswer {
  const { ETag: weakTag, ...rest } = sent.headers
  // send's validator is size+mtime, as strong as nginx's; a strong tag lets If-Range resume downloads.
  const etag = weakTag?.replace(/^W\//, '')
  const headers: Record<string, string | number> = { ...rest, 'Accept-Ranges': 'bytes', 'Content-Type': rest['Content-Type'] ?? 'application/octet-stream' }
  if (etag !== undefined) headers.ETag = etag
  return { statusCode: sent.statusCode, headers, size: sent.metadata.stat.size, etag, lastModified: rest['Last-Modified'] }
}

/** Whether the request carries a validator only send can judge. */
export function isConditional (request: FastifyRequest): boolean {
  const h = request.headers
  return h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined ||
    h['if-match'] !== undefined || h['if-unmodified-since'] !== undefined
}

/** Sends `answer`, with the range the request asks for; `open` gives the bytes when a body is due. */
export async function sendFile (request: FastifyRequest, reply: FastifyReply, answer: FileAnswer, open: () => Promise<FileBody>): Promise<FastifyReply> {
  const { size } = answer
  const decision = answer.statusCode === 200 && ifRangeHolds(request.headers['if-range']?.toString(), answer.etag, answer.lastModified)
    ? decideRange(request.headers.range, size)
    : { kind: 'full' as const }
  if (decision.kind === 'unsatisfiable') {
    return await reply.code(416).header('content-range', `bytes */${size}`).header('content-length', 0).send()
  }

  const ranges = decision.kind === 'partial' ? decision.ranges : []
  const multipart = ranges.length > 1 ? multipartRanges(size, answer.headers['Content-Type']?.toString(), ranges) : undefined
  let body: Readable | Buffer | undefined
  if (request.method !== 'HEAD' && answer.statusCode === 200) {
    const file = await open()
    if (multipart !== undefined) {
      body = multipart.stream(file)
    } else {
      body = file.slice(ranges[0])
      // Ended, failed or cut off by the client: the descriptor goes back either way. A
      // descriptor stream does not close on its own, so 'close' alone would leak it.
      if (Buffer.isBuffer(body)) file.release()
      else finished(body, () => { file.release() })
    }
  }

  reply.code(answer.statusCode).headers(answer.headers)
  if (multipart !== undefined) {
    reply.code(206).header('content-type', multipart.contentType).header('content-length', multipart.contentLength)
  } else if (ranges[0] !== undefined) {
    reply.code(206).header('content-range', contentRange(ranges[0], size)).header('content-length', ranges[0].end - ranges[0].start + 1)
  }
  return await reply.send(body)
}
