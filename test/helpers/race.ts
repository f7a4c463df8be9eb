// Race tests: a child process that keeps changing what a path is, by atomic renames,
// and clients that request in a loop on keep-alive connections meanwhile.
import { spawn } from 'node:child_process'
import { Agent, request, type OutgoingHttpHeaders } from 'node:http'

/**
 * One step of a swap cycle, each ending in one rename(2), so that the path always
 * names a whole file or link (a folder cannot be renamed over a link, so swapping
 * folders moves each aside in turn).
 * - `symlink`: make a link with this target at `via`, rename it over `to`;
 * - `copy`: copy this file (mode kept) to `via`, rename it over `to`;
 * - `link`: hard-link this file to `via`, rename it over `to` (faster than a copy: the tightest swap);
 * - `rename`: rename this path to `to`.
 */
export type SwapStep =
  | { symlink: string, via: string, to: string }
  | { copy: string, via: string, to: string }
  | { link: string, via: string, to: string }
  | { rename: string, to: string }

export interface Swapper {
  /** Resolves when the child has ended, on its own or stopped; with the cycles it completed. */
  done: Promise<{ cycles: number, code: number | null }>
  /** True once the child has ended. */
  ended: () => boolean
  /** Kills the child if it still runs and waits for it. */
  stop: () => Promise<void>
}

// Synchronous on purpose: as many swaps as the CPU allows, and a cycle is only ever
// cut by SIGKILL from stop(), after which the test restores the path itself.
const SWAP_LOOP = `
const fs = require('node:fs')
const { steps, ms } = JSON.parse(process.argv[1])
const end = Date.now() + ms
let cycles = 0
while (Date.now() < end) {
  for (const s of steps) {
    if (s.symlink !== undefined) { fs.symlinkSync(s.symlink, s.via); fs.renameSync(s.via, s.to) }
    else if (s.copy !== undefined) { fs.copyFileSync(s.copy, s.via); fs.renameSync(s.via, s.to) }
    else if (s.link !== undefined) { fs.linkSync(s.link, s.via); fs.renameSync(s.via, s.to) }
    else fs.renameSync(s.rename, s.to)
  }
  cycles++
}
process.stdout.write(String(cycles))
`

/** Runs `steps` in a loop for `ms` (it also ends by itself if the test process is gone). */
export function startSwapper (steps: readonly SwapStep[], ms: number): Swapper {
  const child = spawn(process.execPath, ['-e', SWAP_LOOP, JSON.stringify({ steps, ms })], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let errors = ''
  let ended = false
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { errors += chunk })
  const done = new Promise<{ cycles: number, code: number | null }>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      ended = true
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`the swapper failed (${code ?? signal}): ${errors.trim().split('\n').slice(-3).join(' ')}`))
      else resolve({ cycles: Number(output) || 0, code })
    })
  })
  return {
    done,
    ended: () => ended,
    stop: async () => {
      if (!ended) child.kill('SIGKILL')
      await done.catch(() => {})
    }
  }
}

export interface Probe {
  path: string
  method?: string
  headers?: OutgoingHttpHeaders
  body?: string
}

export interface Answer {
  probe: Probe
  status: number
  body: Buffer
}

/** One request on `agent`, its whole answer read. */
export async function fetchOn (agent: Agent, port: number, probe: Probe): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent, path: probe.path, method: probe.method ?? 'GET', headers: probe.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => { resolve({ probe, status: res.statusCode ?? 0, body: Buffer.concat(chunks) }) })
    })
    req.setTimeout(10_000, () => { req.destroy(new Error(`no answer to ${probe.method ?? 'GET'} ${probe.path} within 10 s`)) })
    req.on('error', reject)
    req.end(probe.body)
  })
}

export interface Hammered {
  total: number
  statuses: Record<number, number>
  /** Answers `bad` accepted, at most 20 of them kept. */
  bad: Answer[]
  badCount: number
}

/**
 * Sends `probes` round-robin from `parallel` keep-alive connections until `stop()`
 * holds or `max` requests were sent; each answer is judged as it comes (bodies are
 * not kept, they can be big) and the ones `bad` accepts are counted.
 */
export async function hammer (port: number, probes: readonly Probe[], options: { stop: () => boolean, max: number, parallel?: number, bad: (answer: Answer) => boolean }): Promise<Hammered> {
  const parallel = options.parallel ?? 4
  const agent = new Agent({ keepAlive: true, maxSockets: parallel })
  const result: Hammered = { total: 0, statuses: {}, bad: [], badCount: 0 }
  let next = 0
  async function worker (): Promise<void> {
    while (!options.stop() && next < options.max) {
      const probe = probes[next++ % probes.length] as Probe
      const answer = await fetchOn(agent, port, probe)
      result.total++
      result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1
      if (options.bad(answer)) {
        result.badCount++
        if (result.bad.length < 20) result.bad.push(answer)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: parallel }, worker))
  } finally {
    agent.destroy()
  }
  return result
}

/** What a failed race assertion says: how many, and the first few. */
export function describeBad (result: Hammered): string {
  const first = result.bad.slice(0, 3).map((a) => `${a.probe.method ?? 'GET'} ${a.probe.path} ${JSON.stringify(a.probe.headers ?? {})} -> ${a.status} ${JSON.stringify(a.body.toString('latin1', 0, 80))}`)
  return `${result.badCount} of ${result.total} answers (${JSON.stringify(result.statuses)}), e.g. ${first.join('; ')}`
}
