// multipart/byteranges (RFC 9110 section 14.6): several ranges in one 206 body,
// read from disk part by part so memory stays flat whatever the file size.
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import type { FileBody } from './file-body.js'
import { contentRange, type ByteRange } from './ranges.js'

export interface MultipartBody {
  contentType: string
  contentLength: number
  /** Streams the parts from `file`, releasing it at the end. */
  stream: (file: FileBody) => Readable
}

export function multipartRanges (size: number, type: string | undefined, ranges: readonly ByteRange[]): MultipartBody {
  const boundary = randomBytes(16).toString('hex')
  const heads = ranges.map((range, i) => Buffer.from(
    `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
    (type === undefined ? '' : `Content-Type: ${type}\r\n`) +
    `Content-Range: ${contentRange(range, size)}\r\n\r\n`))
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const contentLength = ranges.reduce((n, range, i) => n + heads[i]!.length + range.end - range.start + 1, tail.length)

  async function * parts (file: FileBody): AsyncGenerator<Buffer> {
    try {
      for (const [i, range] of ranges.entries()) {
        yield heads[i]!
        const part = file.slice(range)
        if (Buffer.isBuffer(part)) yield part
        else yield * part
      }
      yield tail
    } finally {
      file.release()
    }
  }

  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    contentLength,
    stream: (file) => Readable.from(parts(file), { objectMode: false })
  }
}
