// When to start a worker again after it died: at once after a long life, then
// doubling while it keeps dying young, so a crash loop cannot spin the CPU.

/** A worker that lived this long is taken to have been healthy. */
export const STABLE_MS = 10_000
export const FIRST_DELAY_MS = 100
export const MAX_DELAY_MS = 30_000

/** Deaths in a row of workers in one slot that did not reach STABLE_MS; 0 after a stable life. */
export function youngDeaths (previous: number, livedMs: number): number {
  return livedMs >= STABLE_MS ? 0 : previous + 1
}

export function restartDelay (youngDeathsInARow: number): number {
  if (youngDeathsInARow === 0) return 0
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (youngDeathsInARow - 1))
}
