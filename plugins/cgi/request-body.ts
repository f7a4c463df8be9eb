// The request body a script reads on stdin. With a Content-Length it streams
// straight through. A chunked body has no length to put in CONTENT_LENGTH (RFC 3875
// 4.1.2), so it is spooled first: in memory up to a threshold, then in a temp file
// that is unlinked at once, so nothing is left behind even if the server dies.
// Either way a body is limited (413 beyond): a script given an endless body would
// read, or spool, without end. A spool that cannot be written is the server's
// trouble, not the client's: 507, logged with the reason.
import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { httpError } from '../../src/errors.js'

export type RequestBody =
  | { kind: 'none' }
  | { kind: 'stream', length: number, source: Readable }
  | { kind: 'spooled', length: number, open: () => Readable, dispose: () => Promise<void> }

/** The largest request body a script is given by default: generous, but an end. */
export const DEFAULT_MAX_BODY = 1024 ** 3

export interface SpoolOptions {
  /** Bytes kept in memory before spooling to a file. */
  memory: number
  /** Largest chunked body accepted; beyond it, 413. */
  limit: number
  /** Folder for spool files. */
  dir: string
}

/**
 * RFC 9112 6.3: a request has a body if and only if it says how it is framed,
 * whatever the method; `Content-Length: 0` is a body of length 0.
 */
export async function requestBody (headers: IncomingHttpHeaders, source: Readable, spool: SpoolOptions, maxBody = DEFAULT_MAX_BODY): Promise<RequestBody> {
  if (headers['transfer-encoding'] === undefined) {
    const length = headers['content-length']
    if (length === undefined) return { kind: 'none' }
    // Node has checked it is a single valid number.
    if (Number(length) > maxBody) {
      // Refused before a byte is read; discarded while the 413 goes out (see below).
      source.resume()
      throw tooLarge(maxBody)
    }
    return { kind: 'stream', length: Number(length), source }
  }
  return await spoolBody(source, { ...spool, limit: Math.min(spool.limit, maxBody) })
}

function tooLarge (limit: number): Error {
  return httpError(413, `request bodies are limited to ${limit} bytes`)
}

/**
 * A spool file that cannot be made or written (a full disk, a folder gone): 507.
 * Not exposed, so the client is told nothing of paths or errnos and the error
 * handler logs the reason, once.
 */
function spoolFailed (error: unknown): Error {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
  return Object.assign(new Error(`cgi: the request body could not be spooled to a file: ${reason}`), { statusCode: 507, cause: error })
}

/**
 * One write(2) may take only part of a buffer: a disk filling up takes what fits and
 * reports no error, and only the next write says ENOSPC. Unchecked, the script got
 * the CONTENT_LENGTH of the whole body and a file cut short (262144 of 1049576 bytes
 * on a 256 KiB tmpfs, answered 200).
 */
async function writeAll (file: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length;) {
    const { bytesWritten } = await file.write(data, at)
    if (bytesWritten === 0) throw Object.assign(new Error('no byte could be written'), { code: 'ENOSPC' })
    at += bytesWritten
  }
}

async function spoolBody (source: Readable, { memory, limit, dir }: SpoolOptions): Promise<RequestBody> {
  const chunks: Buffer[] = []
  let length = 0
  let file: FileHandle | undefined
  try {
    // Without destroyOnReturn, leaving early (413) keeps the connection to answer on.
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      length += chunk.length
      if (length > limit) {
        // Read on and discard while the 413 goes out: closing with unread data would
        // reset the connection before the client sees the answer.
        source.resume()
        throw tooLarge(limit)
      }
      if (file === undefined && length <= memory) {
        chunks.push(chunk)
        continue
      }
      try {
        if (file === undefined) {
          const path = join(dir, `servekit-cgi-${randomUUID()}`)
          file = await open(path, 'wx+', 0o600)
          await unlink(path)
          chunks.push(chunk)
          await writeAll(file, Buffer.concat(chunks))
          chunks.length = 0
        } else {
          await writeAll(file, chunk)
        }
      } catch (error) {
        source.resume()
        throw spoolFailed(error)
      }
    }
  } catch (error) {
    await file?.close()
    if ((error as { statusCode?: number }).statusCode !== undefined) throw error
    throw httpError(400, 'the request body was cut off')
  }
  if (file === undefined) {
    const body = Buffer.concat(chunks, length)
    return { kind: 'spooled', length, open: () => Readable.from([body]), dispose: async () => {} }
  }
  const handle = file
  return {
    kind: 'spooled',
    length,
    open: () => handle.createReadStream({ start: 0, autoClose: false }),
    dispose: async () => { await handle.close() }
  }
}
