// How a file's bytes leave the disk. Small files are read in one go and kept in a
// bounded cache checked against the stat send already made, so a hit costs no
// open, read or close, and a changed file is never served stale. Large files
// stream from a descriptor opened before any header is sent.
import { close, open, read, type Stats } from 'node:fs'
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { fsHttpError, httpError } from '../../src/errors.js'
import type { ByteRange } from './ranges.js'

const openAsync = promisify(open)
const readAsync = promisify(read)
const closeAsync = promisify(close)

/** Files up to this size are read whole and may be cached. */
export const SMALL_FILE = 64 * 1024

export interface FileBody {
  /** The bytes of `range` (all when omitted). */
  slice: (range?: ByteRange) => Readable | Buffer
  /** Releases the descriptor once every slice is done; a buffer needs nothing. */
  release: () => void
}

interface Cached { data: Buffer, size: number, mtimeMs: number, ctimeMs: number, ino: number, dev: number }

/** An LRU of small files' bytes, bounded in total size. */
export class FileCache {
  readonly #entries = new Map<string, Cached>()
  #bytes = 0
  constructor (readonly maxBytes: number) {}

  get (path: string, stats: Stats): Buffer | undefined {
    const entry = this.#entries.get(path)
    if (entry === undefined) return undefined
    // ctime moves on every write, rename or chmod, so equal stats mean the same bytes.
    if (entry.size !== stats.size || entry.mtimeMs !== stats.mtimeMs || entry.ctimeMs !== stats.ctimeMs ||
        entry.ino !== stats.ino || entry.dev !== stats.dev) {
      this.#delete(path, entry)
      return undefined
    }
    this.#entries.delete(path)
    this.#entries.set(path, entry)
    return entry.data
  }

  set (path: string, stats: Stats, data: Buffer): void {
    if (data.length > this.maxBytes) return
    const old = this.#entries.get(path)
    if (old !== undefined) this.#delete(path, old)
    this.#entries.set(path, { data, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, dev: stats.dev })
    this.#bytes += data.length
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break
      this.#delete(oldest, entry)
    }
  }

  #delete (path: string, entry: Cached): void {
    this.#entries.delete(path)
    this.#bytes -= entry.data.length
  }
}

function bufferBody (data: Buffer): FileBody {
  return {
    slice: (range) => range === undefined ? data : data.subarray(range.start, range.end + 1),
    release: () => {}
  }
}

async function readWhole (fd: number, size: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(size)
  let filled = 0
  while (filled < size) {
    const { bytesRead } = await readAsync(fd, data, filled, size - filled, filled)
    // Shorter than its stat: the file is being rewritten. Its headers would lie.
    if (bytesRead === 0) throw httpError(503, 'the file changed while it was read; try again')
    filled += bytesRead
  }
  return data
}

/**
 * Opens `path` for a response. Opening happens before any header is set, so an
 * unreadable file is a clean 403 and a vanished one a 404.
 */
export async function fileBody (path: string, stats: Stats, cache: FileCache): Promise<FileBody> {
  const cached = cache.get(path, stats)
  if (cached !== undefined) return bufferBody(cached)
  let fd: number
  try {
    fd = await openAsync(path, 'r')
  } catch (error) {
    throw fsHttpError(error)
  }
  if (stats.size <= SMALL_FILE) {
    try {
      const data = await readWhole(fd, stats.size)
      cache.set(path, stats, data)
      return bufferBody(data)
    } finally {
      await closeAsync(fd)
    }
  }
  // Callback-based streams on a plain descriptor: FileHandle streams pay a promise per read.
  return {
    slice: (range) => createReadStream('', { fd, autoClose: false, start: range?.start ?? 0, ...(range === undefined ? {} : { end: range.end }) }),
    release: () => { close(fd, () => {}) }
  }
}
