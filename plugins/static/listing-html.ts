// Renders a listing as HTML or JSON. Every name is user-controlled (anyone who can create a
// file names it), so names are escaped for text and percent-encoded for hrefs; the URL path
// too, in the title and the breadcrumbs. The page works without its script, which only
// enhances it (listing-page-script.ts), and its CSP allows that script and style by hash.
import { createHash } from 'node:crypto'
import { FAVICON_LINK } from '../../src/favicon.js'
import { escapeHtml } from '../../src/html.js'
import { encodeSegment } from '../../src/safe-path.js'
import type { ListingEntry, SortKey, SortOrder } from './listing.js'
import { kindOf } from './listing-page-icons.js'
import { LISTING_SCRIPT, LISTING_SCRIPT_HASH, UPLOAD_SCRIPT, UPLOAD_SCRIPT_HASH } from './listing-page-script.js'
import { ACTIONS_STYLE, LISTING_STYLE } from './listing-page-style.js'

const styleHash = (style: string): string => `'sha256-${createHash('sha256').update(style).digest('base64')}'`
const LISTING_STYLE_HASH = styleHash(LISTING_STYLE)
const ACTIONS_STYLE_HASH = styleHash(ACTIONS_STYLE)

/**
 * The listing page's Content-Security-Policy: its one style sheet and one script, by hash;
 * images from the site itself (a README's pictures, the favicon) or inline (the type icons);
 * nothing else, no <base> or form that could send a visitor elsewhere, and framed by
 * pages of this site only.
 */
export const LISTING_CSP = `default-src 'none'; style-src ${LISTING_STYLE_HASH}; ` +
  `script-src ${LISTING_SCRIPT_HASH}; img-src 'self' data:; base-uri 'none'; frame-ancestors 'self'; form-action 'none'`

/** Controls shown for features other plugins serve; each off unless that plugin is on. */
export interface ListingActions {
  /** The upload form, the drop zone and the new-folder form. */
  upload?: boolean
  /** A "Download as zip" link (`?download=zip`). */
  archive?: boolean
}

/**
 * The CSP of a listing with `actions`: with any, the actions' style sheet too; with uploads,
 * the uploads' script too, its forms may post to this site and that script may send files
 * here (`fetch`-like requests to itself); nowhere else.
 */
export function listingCsp (actions: ListingActions): string {
  const upload = actions.upload === true
  if (!upload && actions.archive !== true) return LISTING_CSP
  const csp = LISTING_CSP.replace(LISTING_STYLE_HASH, `${LISTING_STYLE_HASH} ${ACTIONS_STYLE_HASH}`)
  return upload
    ? csp.replace(LISTING_SCRIPT_HASH, `${LISTING_SCRIPT_HASH} ${UPLOAD_SCRIPT_HASH}`).replace("form-action 'none'", "form-action 'self'; connect-src 'self'")
    : csp
}

// Plain forms posting to the folder's own URL: they work without the script, which
// adds the drop zone, the folder picker and a progress bar (listing-page-script.ts).
const UPLOAD_FORMS = '<form class="upl" method="post" enctype="multipart/form-data">' +
  '<label class="sr" for="up-files">Files to upload</label><input id="up-files" type="file" name="file" multiple>' +
  '<button class="btn" type="submit">Upload</button>' +
  '<input id="up-dir" type="file" webkitdirectory hidden><button class="btn" id="up-dir-btn" type="button" hidden>Upload a folder</button></form>' +
  '<form class="mkd" method="post" enctype="multipart/form-data">' +
  '<label class="sr" for="new-folder">New folder name</label>' +
  '<input id="new-folder" name="folder" placeholder="New folder" maxlength="255" autocomplete="off" spellcheck="false" required>' +
  '<button class="btn" type="submit">Create folder</button></form>' +
  '<div class="prog" hidden><progress max="1" value="0"></progress><span id="up-status" role="status"></span></div>' +
  '<div class="drop" hidden><p>Drop files or folders to upload them here</p></div>'

function actionsBar (actions: ListingActions): string {
  if (actions.upload !== true && actions.archive !== true) return ''
  const zip = actions.archive === true ? '<a class="btn zip" href="?download=zip" download>Download as zip</a>' : ''
  return `<section class="acts" aria-label="Folder actions">${actions.upload === true ? UPLOAD_FORMS : ''}${zip}</section>\n`
}

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

/** `1,234,567 bytes`, for the hover text of a size. */
export function exactSize (bytes: number): string {
  return `${grouped(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`
}

// Not toLocaleString: the first call builds an ICU formatter, tens of ms on a cold start.
function grouped (n: number): string {
  return n < 1000 ? String(n) : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

const HEADINGS: ReadonlyArray<{ key: SortKey, label: string, cell: string }> = [
  { key: 'name', label: 'Name', cell: '' },
  { key: 'size', label: 'Size', cell: ' class="s"' },
  { key: 'mtime', label: 'Modified<span class="tz"> (UTC)</span>', cell: ' class="m"' }
]

function headings (sort: SortKey, order: SortOrder): string {
  return HEADINGS.map(({ key, label, cell }) => {
    const on = key === sort
    const next: SortOrder = on && order === 'asc' ? 'desc' : 'asc'
    const state = on ? ` aria-sort="${order === 'asc' ? 'ascending' : 'descending'}"` : ''
    const arrow = on ? (order === 'asc' ? '↑' : '↓') : ''
    return `<th scope="col"${cell}${state}><a href="?sort=${key}&amp;order=${next}">${label}<span class="ar" aria-hidden="true">${arrow}</span></a></th>`
  }).join('')
}

/** One link per folder on the path, the last being this one. */
function breadcrumbs (urlPath: string): string {
  const names = urlPath.split('/').filter((name) => name !== '')
  let href = '/'
  let items = `<li><a href="/"${names.length === 0 ? ' aria-current="page"' : ''}><span class="home"></span>Home</a></li>`
  names.forEach((name, i) => {
    href += encodeSegment(name) + '/'
    items += `<li><a href="${escapeHtml(href)}"${i === names.length - 1 ? ' aria-current="page"' : ''}>${escapeHtml(name)}</a></li>`
  })
  return `<nav class="crumbs" aria-label="Breadcrumbs"><ol>${items}</ol></nav>`
}

// End tags of cells and rows are implied by the next one (HTML's optional tags): on a
// 10,000-entry page they would be 190 kB of nothing.
function row (entry: ListingEntry): string {
  const kind = kindOf(entry)
  const open = kind === '' ? '<tr>' : `<tr class="${kind}">`
  const name = escapeHtml(entry.name)
  const when = new Date(entry.mtimeMs).toISOString()
  const time = `<time datetime="${when.slice(0, 19)}Z">${when.slice(0, 10)} ${when.slice(11, 16)}</time>`
  if (entry.type === 'directory') return `${open}<td><a href="${encodeSegment(entry.name)}/">${name}/</a><td>—<td>${time}`
  return `${open}<td><a href="${encodeSegment(entry.name)}">${name}</a><td title="${exactSize(entry.size)}">${humanSize(entry.size)}<td>${time}`
}

function summary (entries: readonly ListingEntry[]): string {
  let folders = 0
  for (const entry of entries) if (entry.type === 'directory') folders++
  const files = entries.length - folders
  const count = (n: number, one: string): string => `${grouped(n)} ${one}${n === 1 ? '' : 's'}`
  const counts = [folders > 0 ? count(folders, 'folder') : '', files > 0 ? count(files, 'file') : ''].filter((text) => text !== '')
  return `<p class="sum"><span>${counts.join(', ')}</span><span id="shown" role="status"></span></p>`
}

export interface ListingExtras {
  /** HTML shown under the table, from `renderReadme`: trusted as given. */
  readmeHtml?: string
  /** Controls for other plugins' features (uploads, the zip download); none by default. */
  actions?: ListingActions
}

/** `urlPath` is the decoded path of the folder, ending in `/`. */
export function renderListingHtml (urlPath: string, entries: readonly ListingEntry[], sort: SortKey, order: SortOrder, extras: ListingExtras = {}): string {
  const title = `Directory listing for ${escapeHtml(urlPath)}`
  const parent = urlPath === '/' ? '' : '<tr class="up"><td><a href="../">../</a><td><td>\n'
  const actions = extras.actions ?? {}
  // The upload form's styles and script come only with the form: 5 kB on every other page.
  const actionStyle = actions.upload === true || actions.archive === true ? `<style>${ACTIONS_STYLE}</style>\n` : ''
  const uploadScript = actions.upload === true ? `<script>${UPLOAD_SCRIPT}</script>\n` : ''
  const readme = extras.readmeHtml === undefined
    ? ''
    : `<section class="readme" aria-labelledby="readme"><h2 id="readme">README</h2><div class="md">\n${extras.readmeHtml}</div></section>\n`
  return '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="color-scheme" content="light dark">\n' +
    `<title>${title}</title>\n${FAVICON_LINK}\n<style>${LISTING_STYLE}</style>\n${actionStyle}</head>\n<body>\n` +
    `<header class="top"><div class="in bar">${breadcrumbs(urlPath)}` +
    '<div class="filter" hidden><label class="sr" for="filter">Filter by name</label>' +
    '<input id="filter" type="search" placeholder="Filter by name" autocomplete="off" spellcheck="false"><kbd aria-hidden="true">/</kbd></div></div></header>\n' +
    `<main class="in">\n<h1 class="sr">${title}</h1>\n${actionsBar(actions)}<table class="ls">\n<thead><tr>${headings(sort, order)}</tr></thead>\n<tbody>\n` +
    parent + entries.map(row).join('\n') + '\n</tbody>\n</table>\n' +
    (entries.length === 0 ? '<p class="empty">This folder is empty.</p>\n' : summary(entries) + '\n') +
    readme + '</main>\n' +
    `<script>${LISTING_SCRIPT}</script>\n${uploadScript}</body>\n</html>\n`
}

/** The contract's JSON shape; never a server path. */
export function renderListingJson (urlPath: string, entries: readonly ListingEntry[]): string {
  return JSON.stringify({
    path: urlPath,
    entries: entries.map((e) => ({ name: e.name, type: e.type, size: e.size, mtime: new Date(e.mtimeMs).toISOString() }))
  })
}
