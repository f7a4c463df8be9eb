// The lookup that keeps nothing: every request opens, fstats and proves.
import type { Listing, Lookup } from './index.js'
import { Lru } from './lru.js'
import { openProven, readWhole, type Proofs } from './open-inside.js'
import type { LookupPolicy } from './policy.js'
import { readListing, type ListingEntry } from './read-listing.js'
import type { Verifier } from './verify.js'

export function unkeptListing (entries: readonly ListingEntry[]): Listing {
  return {
    entries,
    view: (_key, render) => Buffer.from(render()),
    variant: async (_key, _name, render, make) => await make(Buffer.from(render()), false)
  }
}

/** Paths opened and proven lately, at most this many: only ever a reason to make the same calls synchronously. */
export const MAX_WARM_PATHS = 10_000

/**
 * Proofs that skip nothing (every open is proven anew) but remember which paths were
 * opened a moment ago: their next open, fstat and proof are made synchronously,
 * as the cached lookup's are, since the kernel has what they need in memory.
 */
function warmOnly (): Proofs {
  const warm = new Lru<true>({ maxEntries: MAX_WARM_PATHS, maxBytes: Infinity })
  return {
    known: () => undefined,
    remember: (_descriptor, _real, path) => { warm.set(path, true) },
    warm: (path) => warm.get(path) === true
  }
}

/** `warmOpens`: recently opened paths are opened synchronously (CGI's scripts: the same checks, no thread-pool hops). */
export function plainLookup (policy: LookupPolicy, verifier: Verifier, warmOpens = false): Lookup {
  const proofs = warmOpens ? warmOnly() : undefined
  return {
    open: async (segments) => await openProven(policy, verifier, segments, proofs),
    readSmall: readWhole,
    variant: async (file, _name, make) => await make(await readWhole(file), false),
    listing: async (folder) => unkeptListing(await readListing(verifier.folderPath(folder.descriptor.fd, folder.real), folder.real, policy)),
    lacks: () => false,
    close: () => {}
  }
}
