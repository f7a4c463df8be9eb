// Listing entries in the order people expect: folders first, natural name order.
// (Reading a folder is the file lookup's job: src/lookup/read-listing.ts.)
import type { ListingEntry } from '../../src/lookup/read-listing.js'

export type { ListingEntry } from '../../src/lookup/read-listing.js'

export const SORT_KEYS = ['name', 'size', 'mtime'] as const
export const SORT_ORDERS = ['asc', 'desc'] as const
export type SortKey = typeof SORT_KEYS[number]
export type SortOrder = typeof SORT_ORDERS[number]

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
