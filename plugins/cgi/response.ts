// A script's answer (RFC 3875 section 6): the header block it writes first, and
// what that block asks the server to do. Pure, so every rule is tested directly.

/** A header block larger than this is a script gone wrong, not a response. */
export const HEADER_BLOCK_LIMIT = 64 * 1024

export type HeaderField = readonly [name: string, value: string]

export type HeaderScan =
  | { kind: 'incomplete' }
  | { kind: 'invalid', reason: string }
  | { kind: 'complete', fields: HeaderField[], bodyStart: number }

const LF = 0x0a
const CR = 0x0d

// RFC 9110 5.1 token.
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// RFC 9110 5.5: no controls but HTAB (the block is read as latin1, so obs-text passes).
// eslint-disable-next-line no-control-regex -- matching them is the point
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/

/** Index just past the blank line that ends the block (LF or CRLF line ends), or -1. */
function blockEnd (received: Buffer, from: number): number {
  // The block may be empty: a blank line at the very start ends it too.
  if (from === 0) {
    if (received[0] === LF) return 1
    if (received[0] === CR && received[1] === LF) return 2
  }
  for (let i = received.indexOf(LF, from); i !== -1; i = received.indexOf(LF, i + 1)) {
    if (received[i + 1] === LF) return i + 2
    if (received[i + 1] === CR && received[i + 2] === LF) return i + 3
  }
  return -1
}

function visible (line: string): string {
  return JSON.stringify(line.length > 80 ? line.slice(0, 80) + '...' : line)
}

/**
 * Looks for a complete header block in what a script has written so far.
 * `from` lets a caller that appends chunks resume the search instead of rescanning.
 */
export function scanHeaderBlock (received: Buffer, limit = HEADER_BLOCK_LIMIT, from = 0): HeaderScan {
  const end = blockEnd(received, Math.max(0, from))
  if (end === -1 || end > limit) {
    return end === -1 && received.length <= limit ? { kind: 'incomplete' } : { kind: 'invalid', reason: `header block longer than ${limit} bytes` }
  }
  const fields: HeaderField[] = []
  for (const raw of received.toString('latin1', 0, end).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line === '') break
    const colon = line.indexOf(':')
    const name = colon === -1 ? '' : line.slice(0, colon)
    if (!FIELD_NAME.test(name)) return { kind: 'invalid', reason: `not a header line: ${visible(line)}` }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')
    if (BAD_VALUE.test(value)) return { kind: 'invalid', reason: `control character in header ${name}` }
    fields.push([name, value])
  }
  if (fields.length === 0) return { kind: 'invalid', reason: 'empty header block' }
  return { kind: 'complete', fields, bodyStart: end }
}

export type ResponseKind = 'document' | 'client-redirect' | 'client-redirect-with-document'

export type CgiResponse =
  /** RFC 3875 6.2.2: the server answers as if the client had asked for `location`. */
  | { kind: 'local-redirect', location: string }
  | {
    kind: ResponseKind
    status: number
    /** Reason phrase from `Status`, if the script gave one. */
    reason: string | undefined
    /** Lower-case names; a repeated field keeps every value in order. */
    headers: Record<string, string | string[]>
    /** The script's Content-Length, which the body must then match. */
    contentLength: number | undefined
  }
  | { kind: 'invalid', reason: string }

// RFC 3875 6.3.4: fields about the connection belong to the server, which frames
// the body itself (chunked, or the script's Content-Length).
const CONNECTION_FIELDS = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])
const SINGLE_FIELDS = ['status', 'location', 'content-type', 'content-length']

const STATUS = /^([1-5]\d\d)(?:[ \t]+(.*))?$/

/** Decides what to answer from the fields of a complete header block. */
export function decideResponse (fields: readonly HeaderField[]): CgiResponse {
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of fields) {
    const key = name.toLowerCase()
    if (CONNECTION_FIELDS.has(key)) continue
    const seen = headers[key]
    if (seen === undefined) headers[key] = value
    else if (SINGLE_FIELDS.includes(key)) return { kind: 'invalid', reason: `${name} given twice` }
    else if (Array.isArray(seen)) seen.push(value)
    else headers[key] = [seen, value]
  }
  const statusField = headers.status as string | undefined
  const location = headers.location as string | undefined
  const contentType = headers['content-type'] as string | undefined
  const lengthField = headers['content-length'] as string | undefined
  delete headers.status

  let status: number | undefined
  let reason: string | undefined
  if (statusField !== undefined) {
    const match = STATUS.exec(statusField)
    status = Number(match?.[1])
    // 1xx would promise a final response the script cannot send.
    if (match === null || status < 200) return { kind: 'invalid', reason: `bad Status ${JSON.stringify(statusField)}` }
    reason = match[2] === '' ? undefined : match[2]
  }
  if (lengthField !== undefined && !/^\d{1,15}$/.test(lengthField)) {
    return { kind: 'invalid', reason: `bad Content-Length ${JSON.stringify(lengthField)}` }
  }
  const contentLength = lengthField === undefined ? undefined : Number(lengthField)

  if (location !== undefined) {
    // 6.2.2: a path (not `//host`, which is a URL) and nothing else that needs the
    // client; with a Status the script wants the client to follow it (6.2.4).
    if (location.startsWith('/') && !location.startsWith('//') && status === undefined) {
      return { kind: 'local-redirect', location }
    }
    return {
      kind: contentType === undefined ? 'client-redirect' : 'client-redirect-with-document',
      status: status ?? 302,
      reason,
      headers,
      contentLength
    }
  }
  // 6.3.1: a body needs a type; without a Status we cannot tell there is no body.
  if (contentType === undefined && status === undefined) {
    return { kind: 'invalid', reason: 'no Content-Type, Location or Status header' }
  }
  return { kind: 'document', status: status ?? 200, reason, headers, contentLength }
}
