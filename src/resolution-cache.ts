// Real paths of files served or run recently, keyed by their URL path, so a repeat
// request skips realpath. A hit is trusted only while the real path still stats to
// the same file (device and inode): if a folder on the way was swapped for a symlink
// since, that stat lands on another inode and the path is resolved again, so the
// cache never widens the window an attacker with write access already has.
import type { Stats } from 'node:fs'

export interface Resolution {
  real: string
  dev: number
  ino: number
}

export class ResolutionCache {
  readonly #entries = new Map<string, Resolution>()
  constructor (readonly maxEntries: number) {}

  get (key: string): Resolution | undefined {
    return this.#entries.get(key)
  }

  remember (key: string, real: string, stats: Stats): void {
    if (this.maxEntries === 0) return
    this.#entries.delete(key)
    this.#entries.set(key, { real, dev: stats.dev, ino: stats.ino })
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
  }

  forget (key: string): void {
    this.#entries.delete(key)
  }

  /** True when `stats` is still the file `entry` was resolved to. */
  static holds (entry: Resolution, stats: Stats | undefined): boolean {
    return stats !== undefined && stats.ino === entry.ino && stats.dev === entry.dev
  }
}
