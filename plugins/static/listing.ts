// Reads a folder for a listing: one readdir with file types, then at most one stat
// per entry, all in flight together, so 10,000 entries cost one round of the
// thread pool rather than 10,000 awaits in series.
import type { Dirent } from 'node:fs'
import { realpath, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { isInside } from '../../src/safe-path.js'

export interface ListingEntry {
  name: string
  type: 'file' | 'directory'
  size: number
  mtime: Date
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

/** Entries of the real folder `dir`, with the same hiding rules as serving. */
export async function readListing (dir: string, policy: ListingPolicy): Promise<ListingEntry[]> {
  const atRoot = dir === policy.root
  const dirents = await readdir(dir, { withFileTypes: true })
  const visible = dirents.filter((d) => policy.dotfiles || d.name[0] !== '.' || (atRoot && d.name === '.well-known'))
  const entries = await Promise.all(visible.map(async (d) => await describe(dir, d, policy)))
  return entries.filter((e): e is ListingEntry => e !== null)
}

async function describe (dir: string, dirent: Dirent, policy: ListingPolicy): Promise<ListingEntry | null> {
  let path = join(dir, dirent.name)
  try {
    if (dirent.isSymbolicLink()) {
      // A link is listed only if it would be served: its target must stay in the root.
      path = await realpath(path)
      if (!policy.followSymlinks && !isInside(policy.root, path)) return null
    } else if (!dirent.isFile() && !dirent.isDirectory()) {
      return null
    }
    const stats = await stat(path)
    // Sockets, FIFOs and devices cannot be served (a FIFO would hang the reader).
    if (!stats.isFile() && !stats.isDirectory()) return null
    return { name: dirent.name, type: stats.isDirectory() ? 'directory' : 'file', size: stats.size, mtime: stats.mtime }
  } catch {
    // Broken links and entries removed since readdir are simply not there.
    return null
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })

function byName (a: ListingEntry, b: ListingEntry): number {
  return collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

const COMPARE: Record<SortKey, (a: ListingEntry, b: ListingEntry) => number> = {
  name: byName,
  size: (a, b) => a.size - b.size || byName(a, b),
  mtime: (a, b) => a.mtime.getTime() - b.mtime.getTime() || byName(a, b)
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
