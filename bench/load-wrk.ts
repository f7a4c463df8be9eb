// The load generator as wrk: one thread, pinned like autocannon to the other CPU,
// run once for the warm-up and once for the measured window, the harness's
// `betweenRuns` (wait for the server to go idle) in between. Its numbers come from
// the Lua script's JSON line (bench/wrk.ts).
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadJob } from './load.js'
import { pinnedCommand, type Pinning } from './process.js'
import type { LoadSummary } from './stats.js'
import { interruptAfterMs, parseWrkOutput, wrkArgs, wrkScript } from './wrk.js'

async function runWrk (wrk: string, args: string[], durationS: number, pin: Pinning | undefined): Promise<LoadSummary> {
  const [file, argv] = pinnedCommand(wrk, args, pin)
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  // wrk stops on SIGINT and reports as if its duration were over (taskset execs it, so the pid is wrk's).
  const interruptMs = interruptAfterMs(durationS)
  const interrupt = interruptMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), interruptMs)
  const timer = setTimeout(() => child.kill('SIGKILL'), Math.ceil(durationS) * 1000 + 60_000)
  try {
    const code = await exited
    try {
      return parseWrkOutput(stdout)
    } catch (error) {
      const why = (stderr.trim() || stdout.trim()).split('\n').slice(-2).join(' | ')
      throw new Error(`wrk failed (exit ${code}): ${why || (error as Error).message}`)
    }
  } finally {
    clearTimeout(timer)
    if (interrupt !== undefined) clearTimeout(interrupt)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

/** Runs the job with wrk at `wrk`; `betweenRuns` runs after the warm-up, before the measured window. */
export async function runWrkLoad (wrk: string, job: LoadJob, pin: Pinning | undefined, betweenRuns: () => Promise<void>): Promise<LoadSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'servekit-wrk-'))
  try {
    const script = join(dir, 'request.lua')
    await writeFile(script, wrkScript(job, new URL(job.url).host))
    const args = (durationS: number): string[] => wrkArgs({ url: job.url, connections: job.connections, durationS, script })
    if (job.warmupS > 0) {
      await runWrk(wrk, args(job.warmupS), job.warmupS, pin)
      await betweenRuns()
    }
    return await runWrk(wrk, args(job.durationS), job.durationS, pin)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
