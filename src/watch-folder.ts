// The one way the caches learn that a folder changed.
import { watch, type FSWatcher } from 'node:fs'

/**
 * Calls `onChange` at the first event in `dir` (an entry added, removed, renamed,
 * written or chmod-ed) or when the watch fails. Undefined when no watch can be had
 * (out of inotify watches, a file system without events): the caller must then not
 * trust memory without another check. Not persistent: a cache must never keep the
 * process alive. The kernel watch is in place once this returns.
 */
export function watchFolder (dir: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, onChange)
    watcher.on('error', onChange)
    return watcher
  } catch {
    return undefined
  }
}
