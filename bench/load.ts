// The load generator, pinned to its own CPU so it never competes with the server
// for a core: wrk (bench/load-wrk.ts) where installed, else bench/load-worker.ts
// (autocannon, or Node's TLS client for new connections) in a child process.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { runWrkLoad } from './load-wrk.js'
import { pinnedCommand, type Pinning } from './process.js'
import type { LoadSummary } from './stats.js'

const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url))

export interface LoadJob {
  url: string
  connections: number
  /** Unmeasured load first; 0 for none. */
  warmupS: number
  durationS: number
  method: 'GET' | 'POST' | 'PUT'
  headers?: Record<string, string>
  body?: string
  /** A body of this many bytes instead of `body`: made by the worker, never passed as an argument. */
  bodySize?: number
  /** Every request on a new TLS connection resuming the last session (bench/load-tls.ts), not autocannon. */
  newConnections?: boolean
}

/**
 * Runs the job, with wrk at `wrk` when given (never for `newConnections`);
 * `betweenRuns` runs after the warm-up, before the measured window.
 */
export async function runLoad (job: LoadJob, pin: Pinning | undefined, betweenRuns: () => Promise<void>, wrk?: string): Promise<LoadSummary> {
  if (wrk !== undefined && job.newConnections !== true) return await runWrkLoad(wrk, job, pin, betweenRuns)
  const [file, args] = pinnedCommand(process.execPath, [WORKER, JSON.stringify(job)], pin)
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const timer = setTimeout(() => child.kill('SIGKILL'), (job.warmupS + job.durationS) * 1000 + 60_000)
  try {
    let summary: LoadSummary | undefined
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'warm') {
        await betweenRuns()
        child.stdin.write('go\n')
      } else {
        summary = JSON.parse(line) as LoadSummary
      }
    }
    const code = await exited
    if (summary === undefined) throw new Error(`load generator failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ')}`)
    return summary
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}
