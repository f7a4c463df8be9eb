// The lookup that keeps what it learnt, and checks it against the descriptor's
// fstat on every request, so a cache can skip work but never a change:
// - where a file was proven to be, by device and inode, while its identity (size,
//   mtime, ctime) holds: a rename, link, write or chmod moves the ctime, so an equal
//   identity is the same file at the same place, and the proof need not be redone;
// - small files' bytes, by the same identity, and forms made from a file's bytes
//   (compressed ones), by that identity and the form's name, in the same budget;
// - listings, by the folder's identity (an entry added, removed or renamed moves
//   its mtime) and a watch on the folder for what its own times do not show (a
//   file in it written or chmod-ed). The watch is set before the folder is read and
//   dropped at its first event; a listing with no watch is not kept (one warning).
// Nothing changed within the kernel's clock tick is kept (policy.ts `settled`).
// Every request still opens the path, so deletions, permission changes and
// re-pointed symlinks on the way are seen from the next request on.
import type { FSWatcher } from 'node:fs'
import { watchFolder } from '../watch-folder.js'
import type { Listing, Lookup, MakeVariant, Opened } from './index.js'
import { Lru } from './lru.js'
import { openProven, readWhole, WHOLE_FILE_BYTES, type Proofs } from './open-inside.js'
import { identityOf, settled, type LookupPolicy } from './policy.js'
import { readListing, type ListingEntry } from './read-listing.js'
import { unkeptListing } from './plain.js'
import type { Verifier } from './verify.js'

export interface CacheLimits {
  /** Files whose place was proven, remembered at once. */
  maxProven: number
  /** Bytes of small files kept. */
  maxFileBytes: number
  /** Bytes of listings (entries and rendered pages) kept. */
  maxListingBytes: number
  /** Listings kept, each with one folder watch: inotify watches are a shared, limited resource. */
  maxListings: number
  /**
   * The longest a listing is kept, for what no watch reports: an inotify queue
   * overflow (Node does not tell), a symlinked entry's target changing elsewhere.
   */
  maxAgeMs: number
}

export const CACHE_DEFAULTS: CacheLimits = {
  maxProven: 10_000,
  maxFileBytes: 32 * 1024 * 1024,
  maxListingBytes: 32 * 1024 * 1024,
  maxListings: 128,
  maxAgeMs: 2_000
}

// What an entry costs besides its rendered rows, roughly; and a name in a set of names.
const ENTRY_BYTES = 96
const NAME_BYTES = 32

interface Proven { identity: string, real: string }
interface KeptFile { identity: string, body: Buffer }
interface KeptListing {
  identity: string
  entries: Promise<ListingEntry[]>
  loaded: ListingEntry[] | undefined
  files: Set<string> | undefined
  views: Map<string, Buffer>
  /** Variants being made: requests that come meanwhile wait for them rather than make them again. */
  making: Map<string, Promise<Buffer>>
  watcher: FSWatcher | undefined
  expires: number
}

/** Where kept things are filed: the device and inode an fstat names. */
const keyOf = (stats: { dev: number, ino: number }): string => `${stats.dev}:${stats.ino}`

export interface CacheHooks {
  /** Where the one warning about a lost watch goes. */
  warn: (message: string) => void
  now?: () => number
  /** How a folder is watched (tests replace it). */
  watch?: typeof watchFolder
}

export function cachedLookup (policy: LookupPolicy, verifier: Verifier, limits: Partial<CacheLimits>, hooks: CacheHooks): Lookup {
  const { warn, now = Date.now, watch = watchFolder } = hooks
  const settings = { ...CACHE_DEFAULTS, ...limits }
  const proven = new Lru<Proven>({ maxEntries: settings.maxProven, maxBytes: Infinity })
  const files = new Lru<KeptFile>({ maxEntries: Infinity, maxBytes: settings.maxFileBytes })
  const listings = new Lru<KeptListing>({ maxEntries: settings.maxListings, maxBytes: settings.maxListingBytes }, (listing) => { listing.watcher?.close() })
  let warned = false
  const making = new Map<string, Promise<Buffer>>()
  // Paths proven lately: their next open skips the thread pool (open-inside.ts).
  const warm = new Lru<true>({ maxEntries: settings.maxProven, maxBytes: Infinity })
  const proofs: Proofs = {
    known: ({ stats }) => {
      const known = proven.get(keyOf(stats))
      return known?.identity === identityOf(stats) ? known.real : undefined
    },
    remember: ({ stats }, real, path) => {
      if (!settled(stats, now())) return
      proven.set(keyOf(stats), { identity: identityOf(stats), real })
      warm.set(path, true)
    },
    warm: (path) => warm.get(path) === true
  }

  /** A listing still in the cache and still true for a folder stat-ed as `folder`. */
  function current (folder: Opened): KeptListing | undefined {
    const key = keyOf(folder.stats)
    const listing = listings.get(key)
    if (listing === undefined) return undefined
    if (listing.identity === identityOf(folder.stats) && listing.expires > now()) return listing
    listings.delete(key)
    return undefined
  }

  function keptListing (key: string, listing: KeptListing, entries: readonly ListingEntry[]): Listing {
    /** Keeps `page` as `viewKey` while the listing is held, its bytes counted; a listing dropped meanwhile keeps nothing. */
    const keep = (viewKey: string, page: Buffer): void => {
      if (!listings.holds(key, listing) || listing.views.has(viewKey)) return
      listing.views.set(viewKey, page)
      if (!listings.grow(key, listing, page.length)) listing.views.delete(viewKey)
    }
    const view = (viewKey: string, render: () => string): Buffer => {
      const kept = listing.views.get(viewKey)
      if (kept !== undefined) return kept
      const page = Buffer.from(render())
      keep(viewKey, page)
      return page
    }
    return {
      entries,
      view,
      variant: async (viewKey, name, render, make) => {
        // The NUL cannot occur in a view key built from a URL path: no clash with a view.
        const variantKey = `${viewKey}\0${name}`
        const kept = listing.views.get(variantKey) ?? listing.making.get(variantKey)
        if (kept !== undefined) return await kept
        const making = make(view(viewKey, render), listings.holds(key, listing))
        listing.making.set(variantKey, making)
        try {
          const made = await making
          // Made on the thread pool: the listing may have been dropped by a watch event since.
          keep(variantKey, made)
          return made
        } finally {
          listing.making.delete(variantKey)
        }
      }
    }
  }

  /** The whole content of `file`, from the kept small files' bytes when it is one. */
  async function wholeOf (file: Opened): Promise<Buffer> {
    return file.stats.size <= WHOLE_FILE_BYTES ? await readSmall(file) : await readWhole(file)
  }

  async function readSmall (file: Opened): Promise<Buffer> {
    const key = keyOf(file.stats)
    const identity = identityOf(file.stats)
    const kept = files.get(key)
    if (kept?.identity === identity) return kept.body
    const body = await readWhole(file)
    if (settled(file.stats, now())) files.set(key, { identity, body }, body.length)
    return body
  }

  async function variant (file: Opened, name: string, make: MakeVariant): Promise<Buffer> {
    // Filed beside the file's own bytes, under the same device and inode, checked against the same identity.
    const key = `${keyOf(file.stats)}\0${name}`
    const identity = identityOf(file.stats)
    const kept = files.get(key)
    if (kept?.identity === identity) return kept.body
    const keep = settled(file.stats, now())
    if (!keep) return await make(await wholeOf(file), false)
    // Many clients asking for a file at once (a page's first visitors) wait for one compression.
    const pending = `${key}\0${identity}`
    const already = making.get(pending)
    if (already !== undefined) return await already
    const body = (async () => await make(await wholeOf(file), true))()
    making.set(pending, body)
    try {
      const made = await body
      files.set(key, { identity, body: made }, made.length)
      return made
    } finally {
      making.delete(pending)
    }
  }

  return {
    open: async (segments) => await openProven(policy, verifier, segments, proofs),

    readSmall,

    variant,

    listing: async (folder) => {
      const key = keyOf(folder.stats)
      const known = current(folder)
      if (known !== undefined) return keptListing(key, known, await known.entries)
      const readPath = verifier.folderPath(folder.descriptor.fd, folder.real)
      if (!settled(folder.stats, now())) return unkeptListing(await readListing(readPath, folder.real, policy))
      // The watch begins before the read, so a change during the read is reported too.
      const listing: KeptListing = { identity: identityOf(folder.stats), entries: Promise.resolve([]), loaded: undefined, files: undefined, views: new Map(), making: new Map(), watcher: undefined, expires: now() + settings.maxAgeMs }
      listing.watcher = watch(readPath, () => { if (listings.holds(key, listing)) listings.delete(key) })
      if (listing.watcher === undefined) {
        if (!warned) warn('cannot watch folders (inotify watches or instances used up?): listings are read on every request')
        warned = true
        return unkeptListing(await readListing(readPath, folder.real, policy))
      }
      listing.entries = readListing(readPath, folder.real, policy)
      listings.set(key, listing)
      if (!listings.holds(key, listing)) {
        listing.watcher.close()
        return unkeptListing(await listing.entries)
      }
      let entries: ListingEntry[]
      try {
        entries = await listing.entries
      } catch (error) {
        if (listings.holds(key, listing)) listings.delete(key)
        else listing.watcher.close()
        throw error
      }
      listing.loaded = entries
      // Dropped meanwhile (a change, an eviction): served once, not kept.
      if (!listings.grow(key, listing, entries.length * ENTRY_BYTES)) return unkeptListing(entries)
      return keptListing(key, listing, entries)
    },

    lacks: (folder, name) => {
      const listing = current(folder)
      if (listing?.loaded === undefined) return false
      if (listing.files === undefined) {
        listing.files = new Set(listing.loaded.filter((entry) => entry.type === 'file').map((entry) => entry.name))
        listings.grow(keyOf(folder.stats), listing, listing.files.size * NAME_BYTES)
      }
      return !listing.files.has(name)
    },

    close: () => {
      listings.clear()
      files.clear()
      proven.clear()
      warm.clear()
    }
  }
}
