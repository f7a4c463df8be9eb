// Reads a folder for a listing: one readdir with file types, then at most one stat
// per entry (a realpath first for symlinks), all in flight together. Callbacks, not
// promises: 10,000 fs.promises.stat calls cost twice the time in promise and
// microtask overhead alone. An entry is listed only if serving it would be allowed.
import { readdir, realpath, stat, type Dirent } from 'node:fs'
import { join } from 'node:path'
import { allowsReal, inProgress, type LookupPolicy } from './policy.js'

export interface ListingEntry {
  name: string
  type: 'file' | 'directory'
  size: number
  /** Milliseconds since the epoch; a number, since 10,000 Dates are garbage. */
  mtimeMs: number
}

/**
 * Entries of the folder whose real path is `real`, read through `readPath` (the
 * same folder named by its open descriptor, so a swap of the path meanwhile cannot
 * change what is read).
 */
export async function readListing (readPath: string, real: string, policy: LookupPolicy): Promise<ListingEntry[]> {
  const atRoot = real === policy.root
  const dirents = await new Promise<Dirent[]>((resolve, reject) => {
    readdir(readPath, { withFileTypes: true }, (error, list) => { error === null ? resolve(list) : reject(error) })
  })
  const visible = dirents.filter((d) => !inProgress(d.name) && (policy.dotfiles || d.name[0] !== '.' || (atRoot && d.name === '.well-known' && policy.wellKnown !== false)))
  return await new Promise((resolve) => {
    const entries: ListingEntry[] = []
    let pending = visible.length
    const settle = (entry: ListingEntry | null): void => {
      if (entry !== null) entries.push(entry)
      if (--pending === 0) resolve(entries)
    }
    if (pending === 0) resolve(entries)
    for (const dirent of visible) describe(readPath, real, dirent, policy, settle)
  })
}

function describe (readPath: string, real: string, dirent: Dirent, policy: LookupPolicy, done: (entry: ListingEntry | null) => void): void {
  const path = join(readPath, dirent.name)
  const statTarget = (target: string): void => {
    stat(target, (error, stats) => {
      // Broken links and entries removed since readdir are simply not there; sockets,
      // FIFOs and devices cannot be served (a FIFO would hang the reader).
      if (error !== null || (!stats.isFile() && !stats.isDirectory())) return done(null)
      done({ name: dirent.name, type: stats.isDirectory() ? 'directory' : 'file', size: stats.size, mtimeMs: stats.mtimeMs })
    })
  }
  if (dirent.isSymbolicLink()) {
    // A link is listed only if it would be served: its target must pass the same rules.
    realpath(path, (error, target) => {
      if (error !== null || !allowsReal(policy, target)) return done(null)
      statTarget(target)
    })
  } else if (dirent.isFile()) {
    statTarget(path)
  } else if (dirent.isDirectory()) {
    // The folder itself is allowed, so an entry can only fall under an excluded folder by being one.
    if (policy.exclude.length > 0 && policy.exclude.includes(join(real, dirent.name))) return done(null)
    statTarget(path)
  } else {
    done(null)
  }
}
