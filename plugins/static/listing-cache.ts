// Listings of folders asked for recently, and their rendered pages. Ten thousand
// stats per request would make a big folder slower than Python; instead a folder is
// read once, and its record leaves the cache as soon as the file system reports a
// change inside it (fs.watch, inotify on Linux: entries added, removed, renamed,
// written or chmod-ed), or after `maxAgeMs` in any case, for what a watch cannot see
// (a symlink's target elsewhere, changes deep inside a subfolder, network mounts).
// Concurrent requests for a folder being read share that one read.
import type { FSWatcher } from 'node:fs'
import type { ListingEntry } from './listing.js'
import { watchFolder } from '../../src/watch-folder.js'

interface Listing {
  entries: Promise<ListingEntry[]>
  /** Names of the files among the entries, once read; made on first need. */
  files: Set<string> | undefined
  loaded: ListingEntry[] | undefined
  views: Map<string, Buffer>
  watcher: FSWatcher | undefined
  expires: number
  bytes: number
}

// What an entry costs besides its rendered rows, roughly.
const ENTRY_BYTES = 96
// What a name costs in the set of file names, roughly.
const NAME_BYTES = 32
// Without a watch, only a short life keeps a listing honest.
const UNWATCHED_MAX_AGE_MS = 1_000

export class ListingCache {
  readonly #listings = new Map<string, Listing>()
  #bytes = 0

  constructor (readonly maxBytes: number, readonly maxAgeMs: number, readonly now: () => number = Date.now) {}

  /** The entries of the real folder `dir`, read by `load` only when not cached. */
  async entries (dir: string, load: () => Promise<ListingEntry[]>): Promise<ListingEntry[]> {
    if (this.maxBytes === 0) return await load()
    const cached = this.#fresh(dir)
    if (cached !== undefined) return await cached.entries
    const listing: Listing = { entries: load(), files: undefined, loaded: undefined, views: new Map(), watcher: watchFolder(dir, () => { this.#drop(dir) }), expires: 0, bytes: 0 }
    listing.expires = this.now() + (listing.watcher === undefined ? Math.min(UNWATCHED_MAX_AGE_MS, this.maxAgeMs) : this.maxAgeMs)
    this.#listings.set(dir, listing)
    try {
      const entries = await listing.entries
      listing.loaded = entries
      this.#grow(listing, entries.length * ENTRY_BYTES)
      return entries
    } catch (error) {
      if (this.#listings.get(dir) === listing) this.#drop(dir)
      throw error
    }
  }

  /**
   * Whether a fresh listing of `dir` holds a file named `name`; undefined when no
   * listing of it is cached and read. A folder's index is looked for on every
   * request before its listing: a listing that lacks the name saves that lookup.
   */
  hasFile (dir: string, name: string): boolean | undefined {
    const listing = this.#fresh(dir)
    if (listing?.loaded === undefined) return undefined
    if (listing.files === undefined) {
      listing.files = new Set(listing.loaded.filter((entry) => entry.type === 'file').map((entry) => entry.name))
      this.#grow(listing, listing.files.size * NAME_BYTES)
    }
    return listing.files.has(name)
  }

  /**
   * A page made from the entries of `dir`, rendered once per `key` while cached, and
   * kept encoded: a megabyte of HTML need not be measured and encoded per request.
   */
  view (dir: string, key: string, render: () => string): Buffer {
    const listing = this.#listings.get(dir)
    const cached = listing?.views.get(key)
    if (cached !== undefined) return cached
    const page = Buffer.from(render())
    if (listing !== undefined) {
      listing.views.set(key, page)
      this.#grow(listing, page.length)
    }
    return page
  }

  /** Stops every watch; the app calls it on close. */
  close (): void {
    for (const dir of [...this.#listings.keys()]) this.#drop(dir)
  }

  #fresh (dir: string): Listing | undefined {
    const listing = this.#listings.get(dir)
    if (listing === undefined) return undefined
    if (listing.expires <= this.now()) {
      this.#drop(dir)
      return undefined
    }
    // Most recently used last, so eviction takes the oldest first.
    this.#listings.delete(dir)
    this.#listings.set(dir, listing)
    return listing
  }

  #grow (listing: Listing, bytes: number): void {
    listing.bytes += bytes
    this.#bytes += bytes
    for (const [dir, oldest] of this.#listings) {
      if (this.#bytes <= this.maxBytes || oldest === listing) break
      this.#drop(dir)
    }
  }

  #drop (dir: string): void {
    const listing = this.#listings.get(dir)
    if (listing === undefined) return
    this.#listings.delete(dir)
    this.#bytes -= listing.bytes
    listing.watcher?.close()
  }
}
