// Numbers from runs: autocannon's result (wrk's: bench/wrk.ts) reduced to what the table shows, medians, ratios.
import type autocannon from 'autocannon'

export interface LoadSummary {
  /** Completed responses in the measured window. */
  requests: number
  durationS: number
  rps: number
  bytes: number
  /** Response bytes per second, in MB (10^6). */
  mbps: number
  p50Ms: number
  p99Ms: number
  errors: number
  timeouts: number
  non2xx: number
  /** Answers by status code, e.g. `{ "200": 41000 }`; from wrk by class, `2xx-3xx` and `4xx-5xx`. */
  statuses: Record<string, number>
  /** With a new connection per request (https-new-conn): connections opened, and how many resumed a TLS session. */
  connections?: number
  resumed?: number
}

export function summarize (result: autocannon.Result): LoadSummary {
  const durationS = result.duration
  // autocannon's total counts every answer; a non-2xx one is not a completed request
  // (and any makes the run an error, see loadProblem).
  const requests = Math.max(0, result.requests.total - result.non2xx)
  const bytes = result.throughput.total
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    bytes,
    mbps: durationS > 0 ? bytes / durationS / 1e6 : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0]))
  }
}

/** Why a load run's numbers do not count, or undefined when they do. */
export function loadProblem (summary: LoadSummary): string | undefined {
  if (summary.non2xx > 0) {
    const codes = Object.entries(summary.statuses).filter(([code]) => !code.startsWith('2')).map(([code, count]) => `${code}: ${count}`)
    return `${summary.non2xx} answers were not 2xx${codes.length === 0 ? '' : ` (${codes.join(', ')})`}`
  }
  if (summary.requests === 0) return `no request completed in ${summary.durationS} s`
  // A few resets when a server closes each connection (HTTP/1.0) are normal; many are not.
  if (summary.errors + summary.timeouts > summary.requests * 0.01) return `${summary.errors} errors and ${summary.timeouts} timeouts`
  return undefined
}

export function median (values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export function ratio (ours: number | undefined, theirs: number | undefined): number | undefined {
  if (ours === undefined || theirs === undefined || theirs <= 0) return undefined
  return ours / theirs
}
