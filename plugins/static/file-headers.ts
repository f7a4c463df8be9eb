// A file's headers, from the fstat of the descriptor that will be read and the name
// of the file it really is. Pure.
import type { Stats } from 'node:fs'
import send from '@fastify/send'
import fresh from 'fresh'

// A type, not an interface: it must pass for a header record.
export type FileHeaders = {
  'Content-Type': string
  'Last-Modified': string
  ETag: string
  'Accept-Ranges': 'bytes'
}

type HeaderStats = Pick<Stats, 'size' | 'mtime' | 'mtimeMs' | 'ctimeMs'>

/**
 * Type from the real name's extension (text types in UTF-8, as send labels them),
 * and validators: size, mtime and ctime. Size and mtime alone (send's and nginx's tag)
 * stay the same when a file is rewritten to the same size and its time set back
 * (`cp -p`, `rsync -t`, `tar x`), so a browser holding the old bytes got a 304; the
 * ctime is the kernel's and moves on every write. A strong tag lets `If-Range` resume
 * downloads.
 */
function headersOf (real: string, stats: HeaderStats): FileHeaders {
  const type = send.mime.getType(real) ?? 'application/octet-stream'
  return {
    'Content-Type': send.isUtf8MimeType(type) ? `${type}; charset=utf-8` : type,
    'Last-Modified': stats.mtime.toUTCString(),
    ETag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}-${Math.floor(stats.ctimeMs).toString(16)}"`,
    'Accept-Ranges': 'bytes'
  }
}

interface Made { size: number, mtimeMs: number, ctimeMs: number, headers: FileHeaders }

// The headers last made for each real path, with the numbers they were made from: they
// are a pure function of the two, so equal numbers give them again without the type
// lookup, the date and the tag (a tenth of a 1 KiB GET's own work). Emptied when full.
const MADE_MAX = 4096
const made = new Map<string, Made>()

/** `headersOf(real, stats)`, the same object again (frozen) while the path's size, mtime and ctime are. */
export function fileHeaders (real: string, stats: HeaderStats): FileHeaders {
  const kept = made.get(real)
  if (kept !== undefined && kept.size === stats.size && kept.mtimeMs === stats.mtimeMs && kept.ctimeMs === stats.ctimeMs) return kept.headers
  const headers = Object.freeze(headersOf(real, stats))
  if (made.size >= MADE_MAX) made.clear()
  made.set(real, { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, headers })
  return headers
}

type RequestHeaders = Record<string, string | string[] | undefined>

function tokens (list: string): string[] {
  return list.split(',').map((token) => token.trim()).filter((token) => token !== '')
}

/**
 * RFC 9110 section 13.2.2, in its order: `If-Match` then `If-Unmodified-Since`
 * (412 when they fail), then `If-None-Match` then `If-Modified-Since` (304 for a GET
 * or HEAD whose copy is current; `fresh` judges those, `Cache-Control: no-cache` included).
 */
export function conditionalStatus (headers: RequestHeaders, etag: string, lastModified: string): 200 | 304 | 412 {
  const ifMatch = headers['if-match']?.toString()
  if (ifMatch !== undefined) {
    // Strong comparison (13.1.1): a weak tag never matches, ours (a form compressed on the fly) or theirs.
    if (ifMatch.trim() !== '*' && (etag.startsWith('W/') || !tokens(ifMatch).includes(etag))) return 412
  } else {
    const since = Date.parse(headers['if-unmodified-since']?.toString() ?? '')
    if (!Number.isNaN(since) && Date.parse(lastModified) > since) return 412
  }
  return fresh(headers, { etag, 'last-modified': lastModified }) ? 304 : 200
}
