// The load generator's mode for the https-new-conn scenario, which autocannon
// cannot do: every request on a new TLS connection (`Connection: close`), each
// connection offering the session its loop's previous connection received (TLS
// 1.3 tickets arrive as `session` events), so a server that resumes does the
// cheap handshake. Counts how many connections the server resumed.
import { performance } from 'node:perf_hooks'
import { connect, createSecureContext, type SecureContext } from 'node:tls'
import type { LoadSummary } from './stats.js'

export interface NewConnectionJob {
  host: string
  port: number
  path: string
  connections: number
  headers?: Record<string, string>
}

interface Exchange {
  status: number
  bytes: number
  resumed: boolean
  ms: number
}

const TIMEOUT_MS = 10_000

export function requestText (job: NewConnectionJob): string {
  const headers = { host: `${job.host}:${job.port}`, ...job.headers, connection: 'close' }
  return `GET ${job.path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
}

/** One request on a fresh connection; `keep` receives each session ticket the server sends. */
async function exchange (job: NewConnectionJob, text: string, context: SecureContext, session: Buffer | undefined, keep: (session: Buffer) => void): Promise<Exchange> {
  const began = performance.now()
  return await new Promise((resolve, reject) => {
    // The servers under test use the throwaway self-signed bench certificate.
    const socket = connect({ host: job.host, port: job.port, servername: 'localhost', rejectUnauthorized: false, secureContext: context, ...(session === undefined ? {} : { session }) })
    let resumed = false
    let head = ''
    let bytes = 0
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    socket.on('session', keep)
    socket.once('secureConnect', () => {
      resumed = socket.isSessionReused()
      socket.write(text)
    })
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 64) head += chunk.subarray(0, 64).toString('latin1')
      bytes += chunk.length
    })
    socket.once('error', reject)
    socket.once('end', () => {
      socket.destroy()
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
      resolve({ status, bytes, resumed, ms: performance.now() - began })
    })
  })
}

function percentile (sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!
}

/** `connections` loops, each connecting, asking, reading to the close, and again, for `durationS`. */
export async function fireNewConnections (job: NewConnectionJob, durationS: number): Promise<LoadSummary> {
  const text = requestText(job)
  // One context for every connection: without it each connect builds its own,
  // loading the CA store, and the client costs more than most servers' handshakes.
  const context = createSecureContext()
  const began = performance.now()
  const end = began + durationS * 1000
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let bytes = 0
  let errors = 0
  let timeouts = 0
  let resumed = 0
  const loop = async (): Promise<void> => {
    let session: Buffer | undefined
    while (performance.now() < end) {
      try {
        const result = await exchange(job, text, context, session, (ticket) => { session = ticket })
        latencies.push(result.ms)
        bytes += result.bytes
        statuses[String(result.status)] = (statuses[String(result.status)] ?? 0) + 1
        if (result.resumed) resumed++
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ETIMEDOUT') timeouts++
        else errors++
        session = undefined
      }
    }
  }
  await Promise.all(Array.from({ length: job.connections }, loop))
  const elapsedS = (performance.now() - began) / 1000
  const requests = latencies.length
  const sorted = latencies.sort((a, b) => a - b)
  const non2xx = Object.entries(statuses).filter(([code]) => !code.startsWith('2')).reduce((sum, [, count]) => sum + count, 0)
  return {
    requests,
    durationS: elapsedS,
    rps: elapsedS > 0 ? requests / elapsedS : 0,
    bytes,
    mbps: elapsedS > 0 ? bytes / elapsedS / 1e6 : 0,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
    timeouts,
    non2xx,
    statuses,
    connections: requests + errors + timeouts,
    resumed
  }
}
