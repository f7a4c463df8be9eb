// The lookup that keeps nothing: every request opens, fstats and proves.
import type { Listing, Lookup } from './index.js'
import { openProven, readWhole } from './open-inside.js'
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

export function plainLookup (policy: LookupPolicy, verifier: Verifier): Lookup {
  return {
    open: async (segments) => await openProven(policy, verifier, segments),
    readSmall: readWhole,
    variant: async (file, _name, make) => await make(await readWhole(file), false),
    listing: async (folder) => unkeptListing(await readListing(verifier.folderPath(folder.descriptor.fd, folder.real), folder.real, policy)),
    lacks: () => false,
    close: () => {}
  }
}
