// The entries of a folder download, found one at a time as the archive asks for
// them: each through the lookup, as a listing and a GET would find it, so an archive
// holds exactly what the listings show (no dotfiles unless allowed, no link leading
// out unless allowed, never the CGI folder) and every byte comes from a descriptor
// the lookup proved. A folder's descriptor is let go once it is listed; a file's is
// handed to whoever takes the entry, who must release it.
import type { Stats } from 'node:fs'
import type { ListingEntry, Lookup, Opened } from '../../src/lookup/index.js'

export type ArchiveEntry =
  | { kind: 'folder', path: string, stats: Stats }
  /** `file.descriptor` is the taker's to release. */
  | { kind: 'file', path: string, file: Opened }

export interface WalkStart {
  /** URL segments of the folder archived. */
  segments: readonly string[]
  /** Its entries, as its listing shows them. */
  entries: readonly ListingEntry[]
  /** Name of the folder in the archive, ending in `/`. */
  prefix: string
  /** Real folders already in the archive (`dev:ino`), the start included. */
  visited: Set<string>
  /** Names left out at the root of the served folder (those of other routes). */
  reserved: readonly string[]
  /** A name that was listed but could not be opened or read (gone since, unreadable). */
  skipped: (segments: readonly string[], error: unknown) => void
}

export function folderKey (stats: { dev: number, ino: number }): string {
  return `${stats.dev}:${stats.ino}`
}

// Code-point order: the same archive for the same tree, whatever the locale.
function byName (a: ListingEntry, b: ListingEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/**
 * Every file and folder below `start`, depth first. A folder reached a second time
 * (a link to an ancestor, or to a folder already archived elsewhere) is left out:
 * each real folder is in the archive once, so a loop of links cannot go on forever
 * and links cannot multiply a small tree into a huge download.
 */
export async function * walkFolder (lookup: Lookup, start: WalkStart): AsyncGenerator<ArchiveEntry> {
  const { segments, prefix, visited } = start
  const atRoot = segments.length === 0
  for (const entry of [...start.entries].sort(byName)) {
    // A backslash is never a name a URL can reach (src/safe-path.ts) nor one a zip reader takes apart safely.
    if ((atRoot && start.reserved.includes(entry.name)) || entry.name.includes('\\')) continue
    const names = [...segments, entry.name]
    let opened: Opened
    try {
      opened = await lookup.open(names)
    } catch (error) {
      start.skipped(names, error)
      continue
    }
    if (opened.kind === 'file') {
      yield { kind: 'file', path: prefix + entry.name, file: opened }
      continue
    }
    let entries: readonly ListingEntry[]
    try {
      const key = folderKey(opened.stats)
      if (visited.has(key)) continue
      visited.add(key)
      entries = (await lookup.listing(opened)).entries
    } catch (error) {
      start.skipped(names, error)
      continue
    } finally {
      opened.descriptor.release()
    }
    const path = `${prefix}${entry.name}/`
    yield { kind: 'folder', path, stats: opened.stats }
    yield * walkFolder(lookup, { ...start, segments: names, entries, prefix: path })
  }
}
