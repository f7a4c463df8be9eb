// What the echo route reports about a request, as pure functions of its parts.
// The tutorial's webapp.py built dicts, so a repeated key kept only one value;
// here a key given once maps to its value and a repeated key to all of them.
import { isUtf8 } from 'node:buffer'

export type Grouped<T> = Record<string, T | T[]>

/** Adds `value` under `key`: a key's first value as is, a repeated key's values as an array in order. */
export function addPair<T> (grouped: Grouped<T>, key: string, value: T): void {
  if (!Object.hasOwn(grouped, key)) {
    // Assigning `__proto__` would set the prototype; a key by that name stays data.
    if (key === '__proto__') Object.defineProperty(grouped, key, { value, enumerable: true, writable: true, configurable: true })
    else grouped[key] = value
    return
  }
  const seen = grouped[key]
  // Values are strings or file descriptions, so an array can only be our own grouping.
  if (Array.isArray(seen)) seen.push(value)
  else grouped[key] = [seen as T, value]
}

/** Groups pairs by key in order: once → the value, repeated → an array of the values. */
export function group<T> (pairs: Iterable<readonly [string, T]>): Grouped<T> {
  const grouped: Grouped<T> = {}
  for (const [key, value] of pairs) addPair(grouped, key, value)
  return grouped
}

/** `a=1&a=2&b=%20` as a browser form or URL means it: `+` is a space, escapes decoded. */
export function formPairs (text: string): Grouped<string> {
  const grouped: Grouped<string> = {}
  // forEach rather than the iterator: this runs on every echo request.
  new URLSearchParams(text).forEach((value, key) => { addPair(grouped, key, value) })
  return grouped
}

/**
 * The Cookie header by name. Decoding is left to `parse` (@fastify/cookie's
 * parser), which keeps only the first of a repeated name: when the header holds
 * more pairs than names came back, it is parsed again pair by pair (RFC 6265
 * §4.2.1: pairs are separated by `;`; Node joins repeated Cookie headers with `; `),
 * so repeats survive and the usual header costs one parse.
 */
export function cookiePairs (header: string | undefined, parse: (text: string) => Record<string, string>): Grouped<string> {
  if (header === undefined || header === '') return {}
  const firsts = parse(header)
  // As many names as pairs: nothing repeated, nothing lost, and the parse is the answer.
  if (Object.keys(firsts).length === pairCount(header)) return firsts
  return group(header.split(';').filter((pair) => pair.includes('=')).flatMap((pair) => Object.entries(parse(pair))))
}

/** How many `;`-separated parts of a Cookie header hold a `=`, in one pass over it. */
function pairCount (header: string): number {
  let count = 0
  let hasEquals = false
  for (let i = 0; i < header.length; i++) {
    const code = header.charCodeAt(i)
    if (code === 0x3d) {
      hasEquals = true
    } else if (code === 0x3b) {
      if (hasEquals) count++
      hasEquals = false
    }
  }
  return hasEquals ? count + 1 : count
}

/**
 * Request headers with lower-case names, from Node's `rawHeaders` (names and values
 * alternating). `parsed`, Node's own `headers`, is the answer when it has a name for
 * every raw header: it joins or drops repeated ones, which this keeps apart.
 */
export function headerPairs (rawHeaders: readonly string[], parsed?: Record<string, string | string[] | undefined>): Grouped<string> {
  // Node makes Set-Cookie an array even when single; a request rarely carries one.
  if (parsed !== undefined && Object.keys(parsed).length * 2 === rawHeaders.length && parsed['set-cookie'] === undefined) return parsed as Grouped<string>
  const grouped: Grouped<string> = {}
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) addPair(grouped, rawHeaders[i]!.toLowerCase(), rawHeaders[i + 1]!)
  return grouped
}

export type PostData = { post_data: string } | { post_data: string, post_data_encoding: 'base64' }

/** The body as text, or as base64 when it is not valid UTF-8 (JSON cannot carry raw bytes). */
export function postData (body: Buffer): PostData {
  return isUtf8(body) ? { post_data: body.toString('utf8') } : { post_data: body.toString('base64'), post_data_encoding: 'base64' }
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType (contentType: string | undefined): string {
  if (contentType === undefined) return ''
  const semicolon = contentType.indexOf(';')
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}
