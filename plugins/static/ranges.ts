// RFC 9110 section 14: byte ranges, decided here without I/O.

export interface ByteRange {
  start: number
  /** inclusive */
  end: number
}

export type RangeDecision =
  /** Serve the whole representation with 200. */
  | { kind: 'full' }
  /** 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' }
  /** 206: one range as a plain body, several as multipart/byteranges. */
  | { kind: 'partial', ranges: ByteRange[] }

const FULL = { kind: 'full' } as const
const UNSATISFIABLE = { kind: 'unsatisfiable' } as const

// More ranges than this is a broken client or a denial-of-service attempt
// (RFC 9110 section 14.2 lets us ignore the header then).
export const MAX_RANGES = 100

const SPEC = /^(\d*)-(\d*)$/

/**
 * Decides what a `Range` header asks of a representation of `size` bytes.
 * Anything invalid (unknown unit, bad syntax, `last < first`) is ignored and the
 * whole representation is sent, as section 14.2 allows; a set of valid ranges none
 * of which overlaps the representation is unsatisfiable.
 */
export function decideRange (header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return FULL
  const eq = header.indexOf('=')
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL
  // A zero-length body has no byte to point at; nginx and Caddy answer 200 too.
  if (size === 0) return FULL

  const specs = header.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (specs.length === 0 || specs.length > MAX_RANGES) return FULL

  const ranges: ByteRange[] = []
  for (const spec of specs) {
    const match = SPEC.exec(spec)
    if (match === null) return FULL
    const [, first = '', last = ''] = match
    if (first === '' && last === '') return FULL
    if (first === '') {
      // suffix-range: the last N bytes, all of them when N exceeds the size
      const length = Number(last)
      if (length > 0) ranges.push({ start: Math.max(0, size - length), end: size - 1 })
      continue
    }
    const start = Number(first)
    if (last !== '' && Number(last) < start) return FULL
    if (start < size) ranges.push({ start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) })
  }
  if (ranges.length === 0) return UNSATISFIABLE
  return { kind: 'partial', ranges: coalesce(ranges) }
}

/**
 * Merges overlapping or touching ranges (section 14.1.1 lets a server coalesce),
 * so a request cannot make us send the same bytes many times over. Ranges that do
 * not overlap keep the order the client asked for.
 */
export function coalesce (ranges: ByteRange[]): ByteRange[] {
  if (ranges.length < 2) return ranges
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  const merged: ByteRange[] = [{ ...sorted[0]! }]
  for (const range of sorted.slice(1)) {
    const current = merged[merged.length - 1]!
    if (range.start <= current.end + 1) current.end = Math.max(current.end, range.end)
    else merged.push({ ...range })
  }
  return merged.length === ranges.length ? ranges : merged
}

/**
 * `If-Range` (section 13.1.5): the range applies only if the validator still
 * matches. An entity tag must match strongly, so a weak one never does; a date
 * must equal `Last-Modified` exactly.
 */
export function ifRangeHolds (ifRange: string | undefined, etag: string | undefined, lastModified: string | undefined): boolean {
  if (ifRange === undefined) return true
  const value = ifRange.trim()
  if (value.startsWith('"')) return etag !== undefined && !etag.startsWith('W/') && value === etag
  if (value.startsWith('W/')) return false
  if (lastModified === undefined) return false
  const date = Date.parse(value)
  return !Number.isNaN(date) && date === Date.parse(lastModified)
}

export function contentRange (range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`
}
