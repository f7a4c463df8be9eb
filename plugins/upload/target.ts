// What a write request asks for, from its method and URL alone. Pure: the disk is
// the lookup's and the store's.
import { parseUrlPath, splitTarget } from '../../src/safe-path.js'
import { checkName } from './names.js'

export type WriteTarget =
  /** PUT /dir/name: one file, the body. */
  | { kind: 'file', folder: string[], name: string }
  /** PUT /dir/name/ or MKCOL /dir/name: a new folder. */
  | { kind: 'folder', folder: string[], name: string }
  /** POST /dir/: a multipart form of files (and the page's new-folder field) for that folder. */
  | { kind: 'form', folder: string[] }
  | { kind: 'refused', status: number, message?: string }

export function writeTarget (method: string, rawUrl: string, dotfiles: boolean, reserved: readonly string[]): WriteTarget {
  const parsed = parseUrlPath(splitTarget(rawUrl).path, dotfiles)
  if (!parsed.ok) return { kind: 'refused', status: parsed.status }
  const { segments, trailingSlash } = parsed
  // The CGI folder's URL (and any other route's) is never a place to write to; nor is
  // /.well-known/, which reads serve even without dotfiles (RFC 8615) but which tells
  // other programs about the site (security.txt, ACME challenges).
  if (segments.length > 0 && (reserved.includes(segments[0]!) || (!dotfiles && segments[0] === '.well-known'))) return { kind: 'refused', status: 404 }
  if (method === 'POST') return { kind: 'form', folder: segments }
  if (segments.length === 0) return { kind: 'refused', status: 409, message: 'the served folder itself already exists' }
  const checked = checkName(segments[segments.length - 1]!, dotfiles)
  if (!checked.ok) return { kind: 'refused', status: 400, message: checked.message }
  const folder = segments.slice(0, -1)
  return { kind: method === 'MKCOL' || trailingSlash ? 'folder' : 'file', folder, name: checked.name }
}

/**
 * True when a browser says the request comes from another site's page: a form or
 * script elsewhere must not write here with this visitor's credentials (CSRF).
 * Browsers send Sec-Fetch-Site (all current ones) or at least Origin; curl sends
 * neither and is let through.
 */
export function crossSite (headers: { 'sec-fetch-site'?: string | string[], origin?: string | string[] }, ownOrigin: string): boolean {
  const site = headers['sec-fetch-site']
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none'
  const origin = headers.origin
  return typeof origin === 'string' && origin !== ownOrigin
}
