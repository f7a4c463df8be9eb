// The one way a URL becomes something read from disk. URL segments go in; out comes
// an open descriptor, proven to lie inside the root by where the opened file really
// is (src/lookup/verify.ts), with the fstat of that descriptor. Size, validators and
// every cache key come from that fstat, never from a path looked up again.
//
// Two implementations, chosen once by whoever builds the app: plain (nothing kept)
// and cached (what was proven, small files' bytes and listings kept, each checked
// against the descriptor's fstat on every request; listings also watched).
import type { Stats } from 'node:fs'
import type { Descriptor } from './descriptor.js'
import type { ListingEntry } from './read-listing.js'
import type { LookupPolicy } from './policy.js'
import { chooseVerifier } from './verify.js'
import { plainLookup } from './plain.js'
import { cachedLookup, type CacheLimits } from './cached.js'

export type { LookupPolicy } from './policy.js'
export { WHOLE_FILE_BYTES } from './open-inside.js'
export type { ListingEntry } from './read-listing.js'

export interface Opened {
  kind: 'file' | 'folder'
  /** Held by the caller: `descriptor.release()` once done (streams made from it retain it themselves). */
  descriptor: Descriptor
  /** The descriptor's own fstat. */
  stats: Stats
  /** Where the opened file really is. */
  real: string
}

export interface Listing {
  entries: readonly ListingEntry[]
  /** A page made from the entries, kept as long as the listing is (rendered once per `key`). */
  view: (key: string, render: () => string) => Buffer
  /**
   * A form of the page `view(key, render)` gives, made from it by `make` (a compressed
   * one) and kept exactly as long as the page is; `kept` tells `make` whether it will be.
   */
  variant: (key: string, name: string, render: () => string, make: MakeVariant) => Promise<Buffer>
}

/** Makes a form of `body` (compressed, say); `kept` is true when the result will be kept and reused. */
export type MakeVariant = (body: Buffer, kept: boolean) => Promise<Buffer>

export interface Lookup {
  /** What `segments` name below the root, opened; an HttpError (404, 403, 503) when it cannot be served. */
  open: (segments: readonly string[]) => Promise<Opened>
  /** The whole content of an opened file of at most `WHOLE_FILE_BYTES`. */
  readSmall: (file: Opened) => Promise<Buffer>
  /**
   * A form of an opened file's whole content made by `make` (a compressed one),
   * named `name`; the cached lookup keeps it under the file's identity, as it keeps
   * small files' bytes, and lets it go as it does them.
   */
  variant: (file: Opened, name: string, make: MakeVariant) => Promise<Buffer>
  /** The entries of an opened folder, with the policy's hiding rules. */
  listing: (folder: Opened) => Promise<Listing>
  /** True only when a current listing of `folder` shows it holds no file `name` (a lookup saved). */
  lacks: (folder: Opened, name: string) => boolean
  /** Stops every watch. */
  close: () => void
}

export interface LookupOptions {
  /** false: the plain lookup, nothing kept. Default: cached, with these limits. */
  cache?: false | Partial<CacheLimits>
  /**
   * With the plain lookup: paths opened a moment ago are opened, stat-ed and proven
   * synchronously; every check is still made. Default false.
   */
  warmOpens?: boolean
  /** Where the one warning about a lost watch goes. */
  warn?: (message: string) => void
}

export async function createLookup (policy: LookupPolicy, options: LookupOptions = {}): Promise<Lookup> {
  const verifier = await chooseVerifier(policy.root)
  if (options.cache === false) return plainLookup(policy, verifier, options.warmOpens === true)
  return cachedLookup(policy, verifier, options.cache ?? {}, { warn: options.warn ?? (() => {}) })
}
