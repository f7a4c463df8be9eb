// Small files kept in memory with the headers they are served with, keyed by URL
// path. An entry is "hot" while a watch on its folder has reported no change
// (inotify on Linux: the file written, renamed, removed or chmod-ed, or anything
// else in that folder) and it is younger than `maxAgeMs`; a hot entry is served with
// no system call at all, which doubles what one core can answer. An entry that is
// not hot is still reused when a fresh stat shows the same file (device, inode,
// size, mtime, ctime), saving the open, read and close.
//
// An entry turns hot only once a stat started after its folder's watch began still
// shows the file its bytes were read from: a change between that first stat and the
// read, before any watch existed, can then never be served as current.
//
// Serving from memory never reads a byte the cold path did not check: the bytes
// were read from a real path inside the root. A folder higher up swapped for a
// symlink is not seen by the watch, which is why entries also age out.
import type { Stats } from 'node:fs'
import { dirname } from 'node:path'
import { FolderWatches } from '../../src/folder-watches.js'

/** Files up to this size are read whole and may be kept. */
export const SMALL_FILE = 64 * 1024

export interface SmallFile {
  /** Headers of a 200 answer: type, length, validators, caching. */
  headers: Readonly<Record<string, string | number>>
  body: Buffer
  etag: string | undefined
  lastModified: string | undefined
}

interface Entry extends SmallFile {
  dir: string
  identity: string
  expires: number
  confirmed: boolean
}

// ctime moves on every write, rename or chmod, so equal identities mean equal bytes.
function identityOf (stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
}

export interface SmallFilesLimits {
  maxBytes: number
  /** Folders watched at once; inotify watches are a shared, limited resource. */
  maxDirs: number
  maxAgeMs: number
}

export class SmallFiles {
  readonly #entries = new Map<string, Entry>()
  readonly #watches: FolderWatches
  #bytes = 0

  constructor (readonly limits: SmallFilesLimits, readonly now: () => number = Date.now) {
    // Without a watch (limit reached, none to be had) an entry is still reused
    // after a stat, never served blind.
    this.#watches = new FolderWatches(limits.maxDirs, (key) => { this.#forget(key) })
  }

  /** The entry for `key` if it may be served without touching the disk. */
  hot (key: string): SmallFile | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (!entry.confirmed || entry.expires <= this.now()) return undefined
    return entry
  }

  /**
   * The entry for `key` if `stats` shows the same file. `statStartedAt` is
   * `performance.now()` taken before that stat was asked for.
   */
  same (key: string, stats: Stats, statStartedAt: number): SmallFile | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.identity !== identityOf(stats)) {
      this.#forget(key)
      return undefined
    }
    if (statStartedAt > this.#watches.since(entry.dir)) entry.confirmed = true
    entry.expires = this.now() + this.limits.maxAgeMs
    return entry
  }

  /** Keeps the bytes of the file at `real` served for `key`. */
  keep (key: string, real: string, stats: Stats, file: SmallFile): void {
    if (file.body.length > this.limits.maxBytes || file.body.length > SMALL_FILE) return
    this.#forget(key)
    const dir = dirname(real)
    this.#watches.add(dir, key)
    this.#entries.set(key, { ...file, dir, identity: identityOf(stats), expires: this.now() + this.limits.maxAgeMs, confirmed: false })
    this.#bytes += file.body.length
    for (const oldest of this.#entries.keys()) {
      if (this.#bytes <= this.limits.maxBytes) break
      this.#forget(oldest)
    }
  }

  /** Stops every watch; the app calls it on close. */
  close (): void {
    for (const key of [...this.#entries.keys()]) this.#forget(key)
  }

  #forget (key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#bytes -= entry.body.length
    this.#watches.remove(entry.dir, key)
  }
}
