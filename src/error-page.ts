// The HTML error page, for clients that prefer HTML: what went wrong in one sentence, and
// a way back. Pure, so its escaping is tested without a server.
import { createHash } from 'node:crypto'
import { STATUS_CODES } from './node-http.js'
import { FAVICON_LINK } from './favicon.js'
import { escapeHtml } from './html.js'
import { PAGE_STYLE } from './page-style.js'
import { pathOf } from './safe-path.js'

const STYLE = PAGE_STYLE +
  '.err{max-width:36rem;padding-block:3.5rem 2rem}' +
  '.code{margin:0;font-size:4.5rem;font-weight:700;line-height:1;color:var(--mu);font-variant-numeric:tabular-nums;letter-spacing:-.02em}' +
  '.path{margin:0 0 .75rem}.path code{font:.85rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--sf);border:1px solid var(--bd);border-radius:6px;padding:.2rem .5rem;overflow-wrap:anywhere}' +
  '.err h1{margin:.5rem 0 .75rem;font-size:1.6rem}.err p.msg{margin:0 0 2rem;color:var(--mu);overflow-wrap:anywhere}'

// No script and nothing to load but the favicon: the page's one style sheet, by hash, as the
// listing's (no 'unsafe-inline', so no injected <style> or style attribute could apply).
// Framed by this site only, as the listing is: a framed listing's dead link shows this page.
export const ERROR_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

/**
 * The folder a visitor most likely came from: the parent of the URL path, or `/`. Only
 * the path is looked at, never the disk (the app then walks it back to a folder that is
 * there: `errorWayBack` in src/error-reply.ts); it is rebuilt from clean segments, so it
 * cannot become `//evil.example/` or leave the site.
 */
export function nearestFolder (url: string): string {
  const path = pathOf(url)
  // The last named segment is what failed, file or folder; its parent is the way back.
  const parts = path.split('/').filter((part) => part !== '').slice(0, -1)
  const segments: string[] = []
  for (const part of parts) {
    let name: string
    try {
      name = decodeURIComponent(part)
    } catch {
      break
    }
    if (name === '.') continue
    if (name === '..' || /[/\\\0]/.test(name)) break
    segments.push(encodeURIComponent(name))
  }
  return segments.length === 0 ? '/' : `/${segments.join('/')}/`
}

// What a page says when the message is no more than the status's name.
const DESCRIPTIONS: Record<number, string> = {
  400: 'The request could not be understood.',
  403: 'You are not allowed to see this.',
  404: 'There is nothing at this address: it may have moved or been deleted, or the link is mistyped.',
  405: 'This address does not take that kind of request.',
  413: 'What was sent is larger than this address accepts.',
  416: 'The part of the file that was asked for lies beyond its end.',
  500: 'Something went wrong on the server.',
  502: 'The program behind this address did not give a valid answer.',
  503: 'The server is too busy to answer right now; try again in a moment.',
  504: 'The program behind this address took too long to answer.'
}

export interface ErrorPage {
  statusCode: number
  message: string
  /** The request's URL, for the way back. */
  url: string
  /** The way back, a folder URL path checked to be there; by default `nearestFolder(url)`. */
  back?: string
}

export function renderErrorPage ({ statusCode, message, url, back = nearestFolder(url) }: ErrorPage): string {
  const name = STATUS_CODES[statusCode] ?? 'Error'
  const reason = escapeHtml(name)
  const text = message === name ? DESCRIPTIONS[statusCode] ?? message : message
  const label = back === '/' ? 'Go to the top folder' : `Back to ${escapeHtml(safeDecode(back))}`
  return '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${statusCode} ${reason}</title>\n${FAVICON_LINK}\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    '<header class="top"><div class="in bar"><a class="brand" href="/">servekit</a></div></header>\n' +
    `<main class="in"><div class="err">\n<p class="code">${statusCode}</p>\n<h1>${reason}</h1>\n` +
    `<p class="path"><code>${escapeHtml(safeDecode(pathOf(url)))}</code></p>\n<p class="msg">${escapeHtml(text)}</p>\n<p><a class="btn" href="${escapeHtml(back)}">${label}</a></p>\n</div></main>\n</body>\n</html>\n`
}

function safeDecode (path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
