// Renders a listing as HTML or JSON. Every name is user-controlled (anyone who can create a
// file names it), so names are escaped for text and percent-encoded for hrefs.
import { escapeHtml } from '../../src/html.js'
import { encodeSegment } from '../../src/safe-path.js'
import type { ListingEntry, SortKey, SortOrder } from './listing.js'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function humanSize (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

/** `2026-01-02 03:04` from an ISO time. */
function shortDate (iso: string): string {
  return iso.slice(0, 10) + ' ' + iso.slice(11, 16)
}

function sortLink (label: string, key: SortKey, current: SortKey, order: SortOrder): string {
  const next: SortOrder = key === current && order === 'asc' ? 'desc' : 'asc'
  const arrow = key === current ? (order === 'asc' ? ' ↑' : ' ↓') : ''
  return `<a href="?sort=${key}&amp;order=${next}">${label}</a>${arrow}`
}

function row (entry: ListingEntry): string {
  const slash = entry.type === 'directory' ? '/' : ''
  const href = encodeSegment(entry.name) + slash
  const size = entry.type === 'directory' ? '—' : `<span title="${entry.size} bytes">${humanSize(entry.size)}</span>`
  const when = new Date(entry.mtimeMs).toISOString()
  return `<tr><td><a href="${href}">${escapeHtml(entry.name)}${slash}</a></td>` +
    `<td class="n">${size}</td><td><time datetime="${when}">${shortDate(when)}</time></td></tr>`
}

const STYLE = ':root{color-scheme:light dark;font-family:system-ui,sans-serif}' +
  'body{margin:2em auto;max-width:60em;padding:0 1em}table{border-collapse:collapse;width:100%}' +
  'th,td{padding:.2em .6em;text-align:left;white-space:nowrap}td:first-child{white-space:normal;word-break:break-all}' +
  '.n{text-align:right}tr:hover{background:#8882}'

/** `urlPath` is the decoded path of the folder, ending in `/`. */
export function renderListingHtml (urlPath: string, entries: readonly ListingEntry[], sort: SortKey, order: SortOrder): string {
  const title = `Directory listing for ${escapeHtml(urlPath)}`
  const parent = urlPath === '/' ? '' : '<tr><td><a href="../">../</a></td><td></td><td></td></tr>\n'
  return '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${title}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<h1>${title}</h1>\n<table>\n` +
    `<thead><tr><th>${sortLink('Name', 'name', sort, order)}</th><th class="n">${sortLink('Size', 'size', sort, order)}</th>` +
    `<th>${sortLink('Modified (UTC)', 'mtime', sort, order)}</th></tr></thead>\n<tbody>\n` +
    parent + entries.map(row).join('\n') + '\n</tbody>\n</table>\n</body>\n</html>\n'
}

/** The contract's JSON shape; never a server path. */
export function renderListingJson (urlPath: string, entries: readonly ListingEntry[]): string {
  return JSON.stringify({
    path: urlPath,
    entries: entries.map((e) => ({ name: e.name, type: e.type, size: e.size, mtime: new Date(e.mtimeMs).toISOString() }))
  })
}
