// The load generator: bench/load-worker.ts in a child process pinned to its own CPU,
// so autocannon never competes with the server for a core.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Pinning } from './process.js'
import type { LoadSummary } from './stats.js'

const run = promisify(execFile)
const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url))

export interface LoadJob {
  url: string
  connections: number
  durationS: number
  warmupS: number
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

export async function runLoad (job: LoadJob, pin: Pinning | undefined): Promise<LoadSummary> {
  const command = [process.execPath, WORKER, JSON.stringify(job)]
  const [file, args] = pin === undefined
    ? [command[0]!, command.slice(1)]
    : [pin.taskset, ['-c', String(pin.cpu), ...command]]
  const timeout = (job.warmupS + job.durationS) * 1000 + 60_000
  const { stdout } = await run(file, args, { timeout, maxBuffer: 1024 * 1024 })
  return JSON.parse(stdout) as LoadSummary
}
