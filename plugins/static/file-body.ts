// How a file's bytes leave the disk: small files read whole into one buffer (then
// kept by SmallFiles), large ones streamed from a descriptor. Either way the file is
// opened before any header is sent, so an unreadable file is a clean 403 and a
// vanished one a 404.
import { close, open, read } from 'node:fs'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { fsHttpError, httpError } from '../../src/errors.js'
import { FileStream } from './file-stream.js'
import type { ByteRange } from './ranges.js'

const openAsync = promisify(open)
const readAsync = promisify(read)
const closeAsync = promisify(close)

export interface FileBody {
  /** The bytes of `range` (all when omitted). */
  slice: (range?: ByteRange) => Readable | Buffer
  /** Releases the descriptor once every slice is done; a buffer needs nothing. */
  release: () => void
}

export function bufferBody (data: Buffer): FileBody {
  return {
    slice: (range) => range === undefined ? data : data.subarray(range.start, range.end + 1),
    release: () => {}
  }
}

async function openFile (path: string): Promise<number> {
  try {
    return await openAsync(path, 'r')
  } catch (error) {
    throw fsHttpError(error)
  }
}

/** The whole of a small file of `size` bytes (as its stat said). */
export async function readSmallFile (path: string, size: number): Promise<Buffer> {
  const fd = await openFile(path)
  try {
    const data = Buffer.allocUnsafe(size)
    let filled = 0
    while (filled < size) {
      const { bytesRead } = await readAsync(fd, data, filled, size - filled, filled)
      // Shorter than its stat: the file is being rewritten, and its headers would lie.
      if (bytesRead === 0) throw httpError(503, 'the file changed while it was read; try again')
      filled += bytesRead
    }
    return data
  } finally {
    await closeAsync(fd)
  }
}

/** A large file of `size` bytes, streamed from one descriptor, a range at a time. */
export async function streamBody (path: string, size: number): Promise<FileBody> {
  const fd = await openFile(path)
  return {
    slice: (range) => new FileStream(fd, range?.start ?? 0, range?.end ?? size - 1),
    release: () => { close(fd, () => {}) }
  }
}
