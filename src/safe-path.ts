// The pure half of the way a URL path becomes a file: decoding and normalising it
// into segments. The other half, opening and proving what was opened, is the file
// lookup's (src/lookup); every route that touches the disk goes through both.
import { sep } from 'node:path'

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
 * Splits a raw request target into its path (as sent, not decoded) and query.
 * Routes read `request.raw.url`, not Fastify's decoded `request.url`, so that the
 * path is decoded exactly once, by `parseUrlPath`.
 */
export function splitTarget (target: string): { path: string, query: string } {
  const q = target.indexOf('?')
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

/** A request target's path, without its query or fragment, still percent-encoded. */
export function pathOf (target: string): string {
  const end = target.search(/[?#]/)
  return end === -1 ? target : target.slice(0, end)
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
