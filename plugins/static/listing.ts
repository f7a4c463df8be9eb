// Reads a folder for a listing: one readdir with file types, then at most one stat
// per entry (a realpath first for symlinks), all in flight together. Callbacks, not
// promises: 10,000 fs.promises.stat calls cost twice the time in promise and
// microtask overhead alone.
import { readdir, realpath, stat, type Dirent } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { isInside } from '../../src/safe-path.js'

export interface ListingEntry {
  name: string
  type: 'file' | 'directory'
  size: number
  /** Milliseconds since the epoch; a number, since 10,000 Dates are garbage. */
  mtimeMs: number
}

export interface ListingPolicy {
  root: string
  dotfiles: boolean
  followSymlinks: boolean
}

export const SORT_KEYS = ['name', 'size', 'mtime'] as const
export const SORT_ORDERS = ['asc', 'desc'] as const
export type SortKey = typeof SORT_KEYS[number]
export type SortOrder = typeof SORT_ORDERS[number]

const readdirAsync = promisify(readdir)

/** Entries of the real folder `dir`, with the same hiding rules as serving. */
export async function readListing (dir: string, policy: ListingPolicy): Promise<ListingEntry[]> {
  const atRoot = dir === policy.root
  const dirents = await readdirAsync(dir, { withFileTypes: true })
  const visible = dirents.filter((d) => policy.dotfiles || d.name[0] !== '.' || (atRoot && d.name === '.well-known'))
  return await new Promise((resolve) => {
    const entries: ListingEntry[] = []
    let pending = visible.length
    const settle = (entry: ListingEntry | null): void => {
      if (entry !== null) entries.push(entry)
      if (--pending === 0) resolve(entries)
    }
    if (pending === 0) resolve(entries)
    for (const dirent of visible) describe(dir, dirent, policy, settle)
  })
}

function describe (dir: string, dirent: Dirent, policy: ListingPolicy, done: (entry: ListingEntry | null) => void): void {
  const path = join(dir, dirent.name)
  const statTarget = (target: string): void => {
    stat(target, (error, stats) => {
      // Broken links and entries removed since readdir are simply not there; sockets,
      // FIFOs and devices cannot be served (a FIFO would hang the reader).
      if (error !== null || (!stats.isFile() && !stats.isDirectory())) return done(null)
      done({ name: dirent.name, type: stats.isDirectory() ? 'directory' : 'file', size: stats.size, mtimeMs: stats.mtimeMs })
    })
  }
  if (dirent.isSymbolicLink()) {
    // A link is listed only if it would be served: its target must stay in the root.
    realpath(path, (error, real) => {
      if (error !== null || (!policy.followSymlinks && !isInside(policy.root, real))) return done(null)
      statTarget(real)
    })
  } else if (dirent.isFile() || dirent.isDirectory()) {
    statTarget(path)
  } else {
    done(null)
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

function byName (a: ListingEntry, b: ListingEntry): number {
  return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

const COMPARE: Record<SortKey, (a: ListingEntry, b: ListingEntry) => number> = {
  name: byName,
  size: (a, b) => a.size - b.size || byName(a, b),
  mtime: (a, b) => a.mtimeMs - b.mtimeMs || byName(a, b)
}

/** Folders first, then the chosen key in natural order; `desc` reverses within each group. */
export function sortEntries (entries: ListingEntry[], key: SortKey = 'name', order: SortOrder = 'asc'): ListingEntry[] {
  const sign = order === 'desc' ? -1 : 1
  const compare = COMPARE[key]
  return entries.sort((a, b) => {
    if (a.type !== b.type) return a.type === 'directory' ? -1 : 1
    return sign * compare(a, b)
  })
}
