// The one way a URL path becomes a file-system path. Every route that touches the
// disk goes through here, so a traversal fix lands everywhere at once.
import { realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'

export interface PathPolicy {
  /** Serve and list names starting with `.` (`/.well-known/` is always allowed). */
  dotfiles: boolean
  /** Allow symlinks whose real target lies outside the root. */
  followSymlinks: boolean
}

export type ParsedUrlPath =
  | { ok: true, segments: string[], trailingSlash: boolean }
  | { ok: false, status: 400 | 404 }

const MALFORMED = { ok: false, status: 400 } as const
const NOT_FOUND = { ok: false, status: 404 } as const

/**
 * Decodes the path part of a raw request target once and normalises it into
 * segments. Pure: it never touches the disk.
 *
 * - malformed percent-encoding is 400;
 * - NUL bytes and backslashes are 404: no legitimate name needs them, and on some
 *   platforms a backslash is a separator that would dodge the `..` check;
 * - `..` that would climb above the root is 404, whether it arrived plain, as
 *   `%2e%2e` or glued with `%2f`, because decoding happens before splitting;
 * - a segment starting with `.` is 404 unless `dotfiles` is set, except a leading
 *   `.well-known` (RFC 8615).
 */
export function parseUrlPath (rawPath: string, dotfiles: boolean): ParsedUrlPath {
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return MALFORMED
  }
  if (decoded[0] !== '/' || decoded.includes('\0') || decoded.includes('\\')) return NOT_FOUND

  const segments: string[] = []
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (segments.length === 0) return NOT_FOUND
      segments.pop()
      continue
    }
    segments.push(segment)
  }
  if (!dotfiles && segments.some((s, i) => s[0] === '.' && !(i === 0 && s === '.well-known'))) {
    return NOT_FOUND
  }
  return { ok: true, segments, trailingSlash: decoded.endsWith('/') }
}

/** True when `real` is `root` or lies below it; `/tmp/root2` is not inside `/tmp/root`. */
export function isInside (root: string, real: string): boolean {
  if (real === root) return true
  const prefix = root.endsWith(sep) ? root : root + sep
  return real.startsWith(prefix)
}

/**
 * Joins segments to the (already real) root and resolves every symlink on the way.
 * Returns null when nothing is there or the target leaves the root without
 * `followSymlinks`; the caller answers 404 either way, so the two are not told apart.
 */
export async function resolveInRoot (root: string, segments: readonly string[], followSymlinks: boolean): Promise<string | null> {
  let real: string
  try {
    real = await realpath(join(root, ...segments))
  } catch {
    return null
  }
  return followSymlinks || isInside(root, real) ? real : null
}

/**
 * Splits a raw request target into its path (as sent, not decoded) and query.
 * Routes read `request.raw.url`, not Fastify's decoded `request.url`, so that the
 * path is decoded exactly once, by `parseUrlPath`.
 */
export function splitTarget (target: string): { path: string, query: string } {
  const q = target.indexOf('?')
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

/** Percent-encodes one path segment for use in an `href` or a `Location`. */
export function encodeSegment (segment: string): string {
  return encodeURIComponent(segment)
}

/** The canonical URL path of normalised segments, e.g. `/a%20b/c/`. */
export function urlPathOf (segments: readonly string[], trailingSlash: boolean): string {
  if (segments.length === 0) return '/'
  return '/' + segments.map(encodeSegment).join('/') + (trailingSlash ? '/' : '')
}
