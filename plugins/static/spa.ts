// Single-page apps: a path that names nothing on disk is a route of the app, so it
// gets the app's page (`--spa`), while a missing asset stays a 404. Pure.
import send from '@fastify/send'
import Negotiator from 'negotiator'

const HTML_TYPES = ['text/html', 'application/xhtml+xml']

function looksLikeTraversal (rawPath: string): boolean {
  let path = rawPath
  // Twice: `%252e%252e` is `..` to a server that decodes once too often.
  for (let i = 0; i < 2; i++) {
    try { path = decodeURIComponent(path) } catch { return true }
  }
  return path.includes('\\') || /(^|\/)\.\.?(\/|$)/.test(path)
}

/**
 * Whether a request for a missing path gets the app's page. It must be a read, the
 * client must take HTML (a browser's navigation says so; `*\/*` or no Accept does too),
 * and the last segment must not name another kind of file: `/settings` and
 * `/users/jane.doe` are routes, `/missing.js` and `/logo.png` are assets that are not
 * there, and a page in their place would be parsed as script or image.
 */
export function spaFallback (method: string, headers: Record<string, string | string[] | undefined>, segments: readonly string[], rawPath = ''): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false
  // `/../etc/passwd` is clamped to the root and names nothing, but it is a probe, not a
  // route: it keeps its 404 rather than a page that could pass for a hit.
  if (looksLikeTraversal(rawPath)) return false
  const last = segments.at(-1) ?? ''
  const type = last.includes('.') ? send.mime.getType(last) : null
  if (type !== null && !HTML_TYPES.includes(type)) return false
  return new Negotiator({ headers }).mediaType(HTML_TYPES) !== undefined
}
