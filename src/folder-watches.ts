// Watches on the folders cached entries depend on: one watch per folder, shared by
// every entry that depends on it, closed with the last of them. A change reported
// in a folder drops every entry tied to it.
import type { FSWatcher } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { watchFolder } from './watch-folder.js'

interface WatchedFolder {
  watcher: FSWatcher | undefined
  /** `performance.now()` when the watch began; +Infinity without one. */
  since: number
  keys: Set<string>
}

export class FolderWatches {
  readonly #folders = new Map<string, WatchedFolder>()

  /**
   * `onChange` is called for each key tied to a folder when that folder reports a
   * change (or its watch fails); it must `remove` the key. At most `maxFolders`
   * are watched at once: inotify watches are a shared, limited resource.
   */
  constructor (readonly maxFolders: number, readonly onChange: (key: string) => void) {}

  /**
   * Ties `key` to a watch on `dir`. Returns when that watch began
   * (`performance.now()`), or +Infinity when there is none: the caller must then
   * not trust memory without another check.
   */
  add (dir: string, key: string): number {
    let folder = this.#folders.get(dir)
    if (folder === undefined) {
      const watcher = this.#folders.size < this.maxFolders ? watchFolder(dir, () => { this.#changed(dir) }) : undefined
      folder = { watcher, since: watcher === undefined ? Number.POSITIVE_INFINITY : performance.now(), keys: new Set() }
      this.#folders.set(dir, folder)
    }
    folder.keys.add(key)
    return folder.since
  }

  /** When the watch on `dir` began; +Infinity when it has none. */
  since (dir: string): number {
    return this.#folders.get(dir)?.since ?? Number.POSITIVE_INFINITY
  }

  remove (dir: string, key: string): void {
    const folder = this.#folders.get(dir)
    if (folder === undefined) return
    folder.keys.delete(key)
    if (folder.keys.size > 0) return
    folder.watcher?.close()
    this.#folders.delete(dir)
  }

  #changed (dir: string): void {
    const folder = this.#folders.get(dir)
    if (folder === undefined) return
    for (const key of [...folder.keys]) this.onChange(key)
  }
}
