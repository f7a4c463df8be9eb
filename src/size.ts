// Sizes as people type them for byte options: 65536, 64K, 1.5M, 1G (powers of 1024,
// as ulimit, nginx and Apache read them; a trailing B or iB is allowed).

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }
const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i

/** Bytes, or NaN for text that is not a size. */
export function parseSize (text: string): number {
  const match = SIZE.exec(text.trim())
  if (match === null) return Number.NaN
  const bytes = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!
  return Math.floor(bytes)
}

/** The shortest exact form: 65536 → 64K, 1073741824 → 1G, 1000 → 1000. */
export function formatSize (bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K']) {
    const size = UNITS[unit.toLowerCase()]!
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`
  }
  return String(bytes)
}
