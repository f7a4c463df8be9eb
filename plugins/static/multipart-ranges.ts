// multipart/byteranges (RFC 9110 section 14.6): several ranges in one 206 body,
// read from disk part by part so memory stays flat whatever the file size.
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { contentRange, type ByteRange } from './ranges.js'

export interface MultipartBody {
  contentType: string
  contentLength: number
  /**
   * Streams the parts, each from `slice`. Each part holds what it reads from and
   * lets it go when destroyed: a body destroyed before its first part was made
   * (the client gone at once) holds nothing, so nothing can leak.
   */
  stream: (slice: (range: ByteRange) => Readable | Buffer) => Readable
}

export function multipartRanges (size: number, type: string | undefined, ranges: readonly ByteRange[]): MultipartBody {
  const boundary = randomBytes(16).toString('hex')
  const heads = ranges.map((range, i) => Buffer.from(
    `${i === 0 ? '' : '\r\n'}--${boundary}\r\n` +
    (type === undefined ? '' : `Content-Type: ${type}\r\n`) +
    `Content-Range: ${contentRange(range, size)}\r\n\r\n`))
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const contentLength = ranges.reduce((n, range, i) => n + heads[i]!.length + range.end - range.start + 1, tail.length)

  async function * parts (slice: (range: ByteRange) => Readable | Buffer): AsyncGenerator<Buffer> {
    for (const [i, range] of ranges.entries()) {
      yield heads[i]!
      const part = slice(range)
      // `yield *` destroys the part when the body is destroyed mid-part.
      if (Buffer.isBuffer(part)) yield part
      else yield * part
    }
    yield tail
  }

  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    contentLength,
    stream: (slice) => Readable.from(parts(slice), { objectMode: false })
  }
}
