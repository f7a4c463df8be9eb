// Precompressed siblings: `app.js.br`, `app.js.zst`, `app.js.gz` beside `app.js`,
// served for `app.js` to clients that take their coding. They are opened through
// the lookup like any file, so a sibling that is a link out of the folder, a
// dotfile or in an excluded folder is refused as it would be by its own URL.
import type { Lookup, Opened, ListingEntry } from '../../src/lookup/index.js'
import { hiddenSiblings, SUFFIXES, type Coding } from './encoding.js'

/** Every coding a sibling may be in: they are bytes on disk, whatever this Node can make. */
export const SIBLING_CODINGS: readonly Coding[] = ['br', 'zstd', 'gzip']

export interface Sibling { coding: Coding, file: Opened }

/**
 * The first of `codings` (best first) with a usable sibling of `file`, named by
 * `segments`; the caller releases its descriptor. A sibling older than the file
 * is stale (the file was edited and not compressed again) and is passed over.
 */
export async function findSibling (lookup: Lookup, segments: readonly string[], file: Opened, codings: readonly Coding[]): Promise<Sibling | undefined> {
  const last = segments.at(-1)
  if (last === undefined) return undefined
  const folder = segments.slice(0, -1)
  for (const coding of codings) {
    const sibling = await lookup.open([...folder, last + SUFFIXES[coding]]).catch(() => undefined)
    if (sibling === undefined) continue
    if (sibling.kind === 'file' && sibling.stats.mtimeMs >= file.stats.mtimeMs) return { coding, file: sibling }
    sibling.descriptor.release()
  }
  return undefined
}

/** A listing's entries without the siblings that stand for a file beside them. */
export function withoutSiblings (entries: readonly ListingEntry[]): readonly ListingEntry[] {
  const hidden = hiddenSiblings(new Set(entries.filter((entry) => entry.type === 'file').map((entry) => entry.name)))
  return hidden.size === 0 ? entries : entries.filter((entry) => entry.type !== 'file' || !hidden.has(entry.name))
}
