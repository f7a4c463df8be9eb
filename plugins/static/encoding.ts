// Which content coding an answer goes out in (RFC 9110 section 12.5.3), which
// types are worth compressing, and the validators of each coded form. Pure.

/** Codings servekit can produce, in the order it prefers them when the client ranks them equal. */
export type Coding = 'br' | 'zstd' | 'gzip'
export type ContentCoding = Coding | 'identity'

/** The file-name suffix of a precompressed sibling, and the tag suffix of each coding. */
export const SUFFIXES: Readonly<Record<Coding, string>> = { br: '.br', zstd: '.zst', gzip: '.gz' }
const TAG_SUFFIXES: Readonly<Record<Coding, string>> = { br: 'br', zstd: 'zst', gzip: 'gz' }

/**
 * Below this a body is sent as it is: headers and 1 KiB fit in one TCP segment
 * (a 1,460-byte MSS on Ethernet) either way, so compressing saves no round trip,
 * only CPU, and brotli's and gzip's framing eat much of what it saves.
 */
export const MIN_COMPRESS = 1024

/**
 * Types that shrink: text, the structured formats and fonts without their own
 * compression. Images (but SVG), audio, video, archives and woff/woff2 are already
 * compressed, and compressing them again costs CPU for nothing.
 */
const COMPRESSIBLE = /^(?:text\/|image\/svg\+xml|application\/(?:json|javascript|x-javascript|ecmascript|xml|wasm|manifest\+json|ld\+json|x-ndjson|xhtml\+xml|rss\+xml|atom\+xml|graphql|x-sh|x-tar|vnd\.ms-fontobject|x-font-ttf|x-web-app-manifest\+json|[\w.-]+\+(?:json|xml))(?:;|$)|font\/(?:ttf|otf|collection)(?:;|$))/i

/** Whether a body of `contentType` is worth compressing. */
export function compressible (contentType: string): boolean {
  return COMPRESSIBLE.test(contentType.trim())
}

/** `q` for each coding the header names (lower case; `x-gzip` is gzip, RFC 9110 section 8.4.1.3). */
export function parseAcceptEncoding (header: string): Map<string, number> {
  const weights = new Map<string, number>()
  for (const item of header.split(',')) {
    const [name = '', ...params] = item.split(';')
    let coding = name.trim().toLowerCase()
    if (coding === '') continue
    if (coding === 'x-gzip') coding = 'gzip'
    let q = 1
    for (const param of params) {
      const [key = '', value = ''] = param.split('=')
      if (key.trim().toLowerCase() !== 'q') continue
      // A weight is 0 to 1 with up to three decimals (section 12.4.2); anything else is ignored as unreadable.
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
    }
    if (Number.isNaN(q)) continue
    // Repeated, the first one counts, as for any list whose members are looked up by name.
    if (!weights.has(coding)) weights.set(coding, q)
  }
  return weights
}

/**
 * The coding to answer with, among `offered` (in preference order), for a request's
 * `Accept-Encoding`:
 * - no header: identity. The RFC lets a server pick any coding then, but clients
 *   that send none (curl, scripts, old proxies) mostly cannot decode one;
 * - an empty header: identity (the client wants no coding);
 * - otherwise the offered coding with the highest `q` above 0 (a coding not named
 *   takes `*`'s weight, or is refused), ties going to the order of `offered`;
 *   identity when it weighs more than them all, or when nothing offered is acceptable;
 * - `identity;q=0` (or `*;q=0` without `identity`) with nothing offered acceptable:
 *   identity all the same, not 406. Section 12.5.3 has a server with no acceptable
 *   coding answer without one, and a 406 would fail a client over what is at worst
 *   a larger answer (nginx, Caddy and Apache do the same).
 */
export function chooseCoding (header: string | undefined, offered: readonly Coding[]): ContentCoding {
  return rankCodings(header, offered)[0] ?? 'identity'
}

/**
 * The codings of `offered` the client takes in preference to identity, best first
 * (by `q`, then by the order of `offered`): what to look for, in order, among
 * precompressed siblings. Empty when identity is the answer.
 */
export function rankCodings (header: string | undefined, offered: readonly Coding[]): Coding[] {
  if (header === undefined || offered.length === 0) return []
  const weights = parseAcceptEncoding(header)
  const star = weights.get('*')
  // Identity competes only when named (by itself or by `*`); unnamed, it is the last resort.
  const identity = weights.get('identity') ?? star ?? 0
  return offered
    .map((coding, order) => ({ coding, order, weight: weights.get(coding) ?? star ?? 0 }))
    .filter(({ weight }) => weight > 0 && weight >= identity)
    .sort((a, b) => b.weight - a.weight || a.order - b.order)
    .map(({ coding }) => coding)
}

/** Whether the client takes an answer with no coding (it always gets one when nothing else fits, but a 304 for it needs this). */
export function acceptsIdentity (header: string | undefined): boolean {
  if (header === undefined) return true
  const weights = parseAcceptEncoding(header)
  return (weights.get('identity') ?? (weights.get('*') === 0 ? 0 : 1)) > 0
}

/**
 * The tag of a coded form of a file whose identity tag is `etag`: the coding's
 * suffix inside the quotes, so no coded form ever shares a tag with another (a
 * 304 for one can never stand for the other). Compressed on the fly it is weak:
 * the bytes depend on the compressor's version and level, so two servers (or two
 * releases) may send different bytes for it, which a strong tag forbids (section
 * 8.8.1); a precompressed file's bytes are those on disk, and its own tag stays strong.
 */
export function codedTag (etag: string, coding: Coding, weak: boolean): string {
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag
  const tagged = `${opaque.slice(0, -1)}-${TAG_SUFFIXES[coding]}"`
  return weak ? `W/${tagged}` : tagged
}

/** Adds `name` to a `Vary` value unless it is there already. */
export function varyWith (current: string | undefined, name: string): string {
  if (current === undefined || current.trim() === '') return name
  const names = current.split(',').map((part) => part.trim().toLowerCase())
  if (names.includes('*') || names.includes(name.toLowerCase())) return current
  return `${current}, ${name}`
}

/**
 * The precompressed siblings' names a listing hides: `X.br`, `X.zst`, `X.gz` when
 * `X` is a file beside them, since they are served as `X` itself.
 */
export function hiddenSiblings (files: ReadonlySet<string>): Set<string> {
  const hidden = new Set<string>()
  for (const name of files) {
    for (const suffix of Object.values(SUFFIXES)) {
      if (name.endsWith(suffix) && files.has(name.slice(0, -suffix.length))) hidden.add(name)
    }
  }
  return hidden
}
