// Real paths of files served or run recently, keyed by their URL path, so a repeat
// request skips realpath. A hit is trusted only while the real path still stats to
// the same file (device and inode): if a folder on the way was swapped for a symlink
// since, that stat lands on another inode and the path is resolved again, so the
// cache never widens the window an attacker with write access already has.
//
// With `hot` options, an entry may also be trusted without that stat ("hot"), the
// way the small-file cache serves from memory: while watches on every folder from
// the root down to the file have reported no change, and for at most `maxAgeMs`
// after a stat last confirmed it. It turns hot only once a stat started after those
// watches began still shows the same file, so a change made before any watch
// existed is never trusted. A change is seen as soon as its watch event is handled,
// before any request sent after it; the age bounds what no watch sees (a folder
// above the root swapped, file systems without events).
import type { Stats } from 'node:fs'
import { FolderWatches } from './folder-watches.js'

export interface Resolution {
  real: string
  dev: number
  ino: number
}

export interface HotOptions {
  /** The longest an entry is trusted without a stat. */
  maxAgeMs: number
  /** Folders watched at once. */
  maxFolders: number
}

interface Entry extends Resolution {
  /** The folders whose watches keep this entry hot. */
  folders: readonly string[]
  /** When the last of those watches began; +Infinity if one is missing. */
  watchedSince: number
  hotUntil: number
}

export class ResolutionCache {
  readonly #entries = new Map<string, Entry>()
  readonly #watches: FolderWatches | undefined

  constructor (readonly maxEntries: number, readonly hot?: HotOptions, readonly now: () => number = Date.now) {
    if (hot !== undefined) this.#watches = new FolderWatches(hot.maxFolders, (key) => { this.forget(key) })
  }

  get (key: string): Resolution | undefined {
    return this.#entries.get(key)
  }

  /** The entry for `key` if it may be trusted without a stat. */
  hotEntry (key: string): Resolution | undefined {
    const entry = this.#entries.get(key)
    return entry !== undefined && entry.hotUntil > this.now() ? entry : undefined
  }

  /**
   * Remembers `real` for `key`. `folders` are the folders its resolution went
   * through, watched in hot mode; without them the entry is never hot.
   */
  remember (key: string, real: string, stats: Stats, folders: readonly string[] = []): void {
    if (this.maxEntries === 0) return
    this.forget(key)
    // The oldest goes first, so its watches are free for this one.
    if (this.#entries.size >= this.maxEntries) this.forget(this.#entries.keys().next().value!)
    const watches = this.#watches
    const since = watches === undefined || folders.length === 0
      ? Number.POSITIVE_INFINITY
      : Math.max(...folders.map((dir) => watches.add(dir, key)))
    this.#entries.set(key, { real, dev: stats.dev, ino: stats.ino, folders: watches === undefined ? [] : folders, watchedSince: since, hotUntil: 0 })
  }

  /**
   * Called after a stat taken at `statStartedAt` (`performance.now()`) showed
   * `key`'s entry still holds: in hot mode, the entry is trusted without one for
   * a while, if its watches were all in place before that stat began.
   */
  confirm (key: string, statStartedAt: number): void {
    const entry = this.#entries.get(key)
    if (entry === undefined || this.hot === undefined || !(statStartedAt > entry.watchedSince)) return
    entry.hotUntil = this.now() + this.hot.maxAgeMs
  }

  forget (key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    for (const dir of entry.folders) this.#watches?.remove(dir, key)
  }

  /** Stops every watch; the owner calls it on close. */
  close (): void {
    for (const key of [...this.#entries.keys()]) this.forget(key)
  }

  /** True when `stats` is still the file `entry` was resolved to. */
  static holds (entry: Resolution, stats: Stats | undefined): boolean {
    return stats !== undefined && stats.ino === entry.ino && stats.dev === entry.dev
  }
}
