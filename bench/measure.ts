// One server under one scenario: start it pinned, check its answer, load it while
// sampling its memory, stop it. Cold start: spawn to first 200, several times.
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { runLoad } from './load.js'
import { freePort, launch, waitForAnswer, type Pinning } from './process.js'
import type { ColdStart, RunLabel, RunResult } from './report.js'
import { readCpuSeconds, sampleMemory, waitForIdle, type MemoryReport } from './proc.js'
import type { LoadScenario, ServerKind } from './scenarios.js'
import type { Command } from './servers.js'
import { loadProblem, median } from './stats.js'
import { loadGeneratorFor, type LoadGeneratorChoice } from './wrk.js'
import type { ProbeRequest } from './probe.js'

export interface MeasureSettings {
  server: Pinning | undefined
  load: Pinning | undefined
  durationS: number
  warmupS: number
  /** Overrides the scenario's connection count. */
  connections: number | undefined
  /** Server stdout/stderr files go here. */
  logs: string
  /** wrk where it can (bench/wrk.ts, loadGeneratorFor), or autocannon throughout. */
  loadGenerator: LoadGeneratorChoice
  /** The wrk executable; set when loadGenerator is wrk. */
  wrk: string | undefined
}

export interface Contender {
  label: RunLabel
  kind: ServerKind
  command: (port: number) => Command
  /** Server stdout file; default: a file in the logs folder named after the run. */
  stdout?: string
  /** Its CPU time cannot be measured in this scenario (work done in processes /proc does not account for). */
  cpuUncounted?: boolean
}

function logFiles (settings: MeasureSettings, name: string, stdout?: string): { stdout: string, stderr: string } {
  return { stdout: stdout ?? join(settings.logs, `${name}.out`), stderr: join(settings.logs, `${name}.err`) }
}

/** Undefined unless /proc answered at both ends of the window. */
function cpuSpent (before: number | undefined, after: number | undefined): RunResult['cpu'] {
  if (before === undefined || after === undefined) return undefined
  // /proc counts whole 10 ms ticks: rounding to the millisecond only drops the subtraction's float noise.
  return { seconds: Math.round((after - before) * 1000) / 1000 }
}

export async function measureLoad (scenario: LoadScenario, contender: Contender, settings: MeasureSettings): Promise<RunResult> {
  const port = await freePort()
  const name = `${scenario.id}-${contender.label}`
  const server = launch(contender.command(port), logFiles(settings, name, contender.stdout), settings.server)
  let report: MemoryReport | undefined
  try {
    const target = { port, tls: scenario.tls }
    const wrong = scenario.check(await waitForAnswer(server, target, scenario.request), contender.kind)
    if (wrong !== undefined) return { server: contender.label, ok: false, error: wrong }
    const memory = sampleMemory(server.pid)
    // Without a warm-up the measured window starts with the load; with one, once the server is idle.
    let cpuBefore = readCpuSeconds(server.pid)
    const load = await runLoad({
      url: `${scenario.tls ? 'https' : 'http'}://127.0.0.1:${port}${scenario.request.path}`,
      connections: settings.connections ?? scenario.connections,
      warmupS: settings.warmupS,
      durationS: Math.max(settings.durationS, scenario.minDurationS ?? 0),
      method: scenario.request.method,
      headers: scenario.request.headers,
      ...(scenario.newConnections === true ? { newConnections: true } : {}),
      ...(scenario.request.bodySize === undefined ? { body: scenario.request.body } : { bodySize: scenario.request.bodySize })
    }, settings.load, async () => {
      await waitForIdle(server.pid)
      cpuBefore = readCpuSeconds(server.pid)
    }, loadGeneratorFor(scenario, settings.loadGenerator) === 'wrk' ? settings.wrk : undefined).finally(() => { report = memory.stop() })
    const cpu = contender.cpuUncounted === true ? undefined : cpuSpent(cpuBefore, readCpuSeconds(server.pid))
    const died = server.child.exitCode ?? server.child.signalCode
    const problem = died !== null ? `exited (${died}) under load: ${server.lastWords() || 'no output'}` : loadProblem(load)
    return {
      server: contender.label,
      ok: problem === undefined,
      ...(problem === undefined ? {} : { error: problem }),
      load,
      ...(report === undefined ? {} : { memory: report }),
      ...(cpu === undefined ? {} : { cpu })
    }
  } catch (error) {
    return { server: contender.label, ok: false, error: (error as Error).message }
  } finally {
    await server.stop()
  }
}

export async function measureColdStart (contender: Contender, request: ProbeRequest, starts: number, settings: MeasureSettings): Promise<RunResult> {
  const startsMs: number[] = []
  for (let attempt = 1; attempt <= starts; attempt++) {
    const port = await freePort()
    const began = performance.now()
    const server = launch(contender.command(port), logFiles(settings, `cold-start-${contender.label}-${attempt}`, contender.stdout), settings.server)
    try {
      const response = await waitForAnswer(server, { port, tls: false }, request)
      if (response.status !== 200) return { server: contender.label, ok: false, error: `answered ${response.status}, not 200` }
      startsMs.push(performance.now() - began)
    } catch (error) {
      return { server: contender.label, ok: false, error: (error as Error).message }
    } finally {
      await server.stop()
    }
  }
  const coldStart: ColdStart = {
    startsMs,
    medianMs: median(startsMs) ?? 0,
    minMs: Math.min(...startsMs),
    maxMs: Math.max(...startsMs)
  }
  return { server: contender.label, ok: true, coldStart }
}
