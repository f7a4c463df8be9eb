// multipart/byteranges (RFC 9110 section 14.6): several ranges in one 206 body,
// read from disk part by part so memory stays flat whatever the file size.
import { randomBytes } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { contentRange, type ByteRange } from './ranges.js'

export interface MultipartBody {
  contentType: string
  contentLength: number
  /** Streams the parts from `file`, closing it at the end. */
  stream: (file: FileHandle) => Readable
}

export function multipartRanges (size: number, type: string | undefined, ranges: readonly ByteRange[]): MultipartBody {
  const boundary = randomBytes(16).toString('hex')
  const heads = ranges.map((range, i) => Buffer.from(
    `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
    (type === undefined ? '' : `Content-Type: ${type}\r\n`) +
    `Content-Range: ${contentRange(range, size)}\r\n\r\n`))
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const contentLength = ranges.reduce((n, range, i) => n + heads[i]!.length + range.end - range.start + 1, tail.length)

  async function * parts (file: FileHandle): AsyncGenerator<Buffer> {
    try {
      for (const [i, range] of ranges.entries()) {
        yield heads[i]!
        yield * file.createReadStream({ start: range.start, end: range.end, autoClose: false })
      }
      yield tail
    } finally {
      await file.close()
    }
  }

  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    contentLength,
    stream: (file) => Readable.from(parts(file), { objectMode: false })
  }
}
