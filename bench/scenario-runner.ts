// One scenario with every server that takes part in it: servekit (and, with
// --log-info, servekit logging each request), Python, the bare baseline, peers.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { BenchOptions } from './args.js'
import { measureColdStart, measureLoad, type Contender, type MeasureSettings } from './measure.js'
import { medianRun, type RunResult, type ScenarioResult } from './report.js'
import type { ColdStartScenario, LoadScenario } from './scenarios.js'
import { peersFor } from './peers/index.js'
import type { PeerSpec } from './peers/peer.js'
import type { Peer } from './scenarios.js'
import { accelerator } from '../plugins/cgi/accelerator.js'
import { baselineCommand, missingFeatures, pythonCommand, servekitCommand, type ServerContext } from './servers.js'
import { formatNumber } from './table.js'
import { formatMiB } from './targets.js'
import { loadGeneratorFor } from './wrk.js'

export type PeerFound = { executable: string } | { missing: string }

export interface Environment {
  ctx: ServerContext
  settings: MeasureSettings
  options: BenchOptions
  hasPython: boolean
  /** Each peer's executable (Go: the built binary), or why there is none; empty without --peers. */
  peers: Map<Peer, PeerFound>
  logs: string
  /** Start time for file names (CPU profiles). */
  stamp: string
}

/** Progress goes to stderr; the report to stdout. */
export function say (line: string): void {
  process.stderr.write(`${line}\n`)
}

function describeRun (scenario: string, run: RunResult): string {
  if (!run.ok) return `  ${scenario} ${run.server}: error: ${run.error ?? 'no result'}`
  if (run.coldStart !== undefined) return `  ${scenario} ${run.server}: median ${formatNumber(run.coldStart.medianMs)} ms`
  const memory = run.memory === undefined ? '' : `, peak RSS ${formatMiB(run.memory.peakRssBytes)}`
  const resumed = run.load!.resumed === undefined ? '' : `, ${resumedText(run.load!.resumed, run.load!.connections ?? 0)}`
  return `  ${scenario} ${run.server}: ${formatNumber(run.load!.rps)} req/s, ${formatNumber(run.load!.mbps)} MB/s${memory}${resumed}`
}

function resumedText (resumed: number, connections: number): string {
  return `${resumed.toLocaleString('en-US')} of ${connections.toLocaleString('en-US')} connections resumed`
}

function servekitContenders ({ ctx, options, logs, stamp }: Environment, features: LoadScenario['features'], id: string): Contender[] {
  const quiet: Contender = { label: 'servekit', kind: 'servekit', command: (port) => servekitCommand(ctx, port, 'warn', features, `${id}-${stamp}`) }
  const before: Contender[] = options.before === undefined ? [] : [beforeContender(ctx, options.before, features)]
  if (!options.logInfo) return [quiet, ...before]
  // Request logs go to a real file: what a user redirecting them pays.
  const logged: Contender = {
    label: 'servekit+log',
    kind: 'servekit',
    command: (port) => servekitCommand(ctx, port, 'info', features),
    stdout: join(logs, `${id}-servekit-info.log`)
  }
  return [quiet, logged, ...before]
}

/** `--before FILE`: an older build beside this one, as a user runs it. */
function beforeContender (ctx: ServerContext, cli: string, features: LoadScenario['features'] = []): Contender {
  return { label: 'servekit-before', kind: 'servekit', command: (port) => servekitCommand({ ...ctx, cli: resolve(cli) }, port, 'warn', features) }
}

/** A peer started from its config, written into a folder of its own for this run. */
function peerContender (env: Environment, spec: PeerSpec, executable: string, scenario: LoadScenario): Contender {
  return {
    label: spec.name,
    kind: spec.name,
    cpuUncounted: scenario.peers !== undefined && spec.cpuUncounted?.[scenario.peers] !== undefined,
    command: (port) => {
      const launch = spec.launch({
        ctx: env.ctx,
        executable,
        port,
        prefix: join(env.logs, `${spec.name}-${scenario.id}-${port}`),
        tls: scenario.tls,
        root: process.getuid?.() === 0
      })
      for (const folder of launch.folders) mkdirSync(folder, { recursive: true })
      for (const file of launch.files) writeFileSync(file.path, file.content)
      return launch.command
    }
  }
}

function peerContenders (scenario: LoadScenario, env: Environment, notes: string[]): Contender[] {
  if (scenario.peers === undefined) return []
  const { able, note } = peersFor(scenario.peers)
  if (note !== undefined) notes.push(note)
  const contenders: Contender[] = []
  const missing: string[] = []
  for (const spec of able) {
    const found = env.peers.get(spec.name)
    if (found === undefined || 'missing' in found) {
      missing.push(found === undefined ? spec.name : `${spec.name} (${found.missing})`)
      continue
    }
    if (scenario.tls && env.ctx.certificate === undefined) {
      missing.push(`${spec.name} (no certificate: openssl not found)`)
      continue
    }
    contenders.push(peerContender(env, spec, found.executable, scenario))
    if (spec.note !== undefined) notes.push(`${spec.name}: ${spec.note}`)
    const uncounted = spec.cpuUncounted?.[scenario.peers]
    if (uncounted !== undefined) notes.push(`${spec.name}: ${uncounted}`)
  }
  if (missing.length > 0) notes.push(`not installed, skipped: ${missing.join(', ')}`)
  return contenders
}

export async function runLoadScenario (scenario: LoadScenario, env: Environment): Promise<ScenarioResult> {
  const { ctx, options } = env
  const result: ScenarioResult = {
    id: scenario.id,
    title: scenario.title,
    kind: 'load',
    metric: scenario.metric,
    ...(scenario.pythonNote === undefined ? {} : { pythonNote: scenario.pythonNote }),
    notes: [],
    runs: [],
    loadGenerator: loadGeneratorFor(scenario, env.settings.loadGenerator)
  }
  const missing = missingFeatures(scenario.features, ctx.servekitFlags)
  if (missing.length > 0) return { ...result, skipped: `servekit lacks ${missing.map((feature) => `--${feature}`).join(' and ')}` }

  const contenders = servekitContenders(env, scenario.features, scenario.id)
  if (!options.servekitOnly) {
    if (!env.hasPython) result.notes.push('python3 not found: servekit only')
    else if (scenario.python === 'tls' && ctx.certificate === undefined) result.notes.push('openssl not found to make a certificate for Python: servekit only')
    else contenders.push({ label: 'python', kind: 'python', command: (port) => pythonCommand(ctx, scenario.python, port) })
    for (const baseline of [scenario.baseline, scenario.alsoBaseline]) {
      if (baseline === undefined) continue
      if (baseline === 'fastify-addon-spawn' && accelerator() === undefined) {
        result.notes.push('fastify-addon-spawn skipped: servekit-spawn is not built (npm install builds packages/spawn)')
        continue
      }
      contenders.push({ label: baseline, kind: baseline, command: (port) => baselineCommand(ctx, baseline, port) })
    }
  }
  if (options.peers) contenders.push(...peerContenders(scenario, env, result.notes))
  if (env.settings.loadGenerator === 'wrk' && scenario.notForWrk !== undefined) result.notes.push(`autocannon, not wrk: ${scenario.notForWrk}`)
  // Servers take turns round by round, so a machine that slows down mid-run slows
  // every server's rounds alike.
  const rounds: RunResult[][] = contenders.map(() => [])
  for (let round = 1; round <= options.rounds; round++) {
    for (const [index, contender] of contenders.entries()) {
      const run = await measureLoad(scenario, contender, env.settings)
      say(describeRun(scenario.id, run) + (options.rounds > 1 ? ` (round ${round})` : ''))
      rounds[index]!.push(run)
    }
  }
  result.runs = rounds.map((runs) => medianRun(runs, scenario.metric))
  for (const run of result.runs) {
    if (run.ok && run.load?.resumed !== undefined) result.notes.push(`${run.server}: ${resumedText(run.load.resumed, run.load.connections ?? 0)} a TLS session`)
  }
  return result
}

export async function runColdStart (scenario: ColdStartScenario, env: Environment): Promise<ScenarioResult> {
  const { ctx, options } = env
  const result: ScenarioResult = { id: scenario.id, title: scenario.title, kind: 'cold-start', metric: 'ms', notes: [], runs: [] }
  const contenders: Contender[] = [{ label: 'servekit', kind: 'servekit', command: (port) => servekitCommand(ctx, port, 'warn') }]
  if (options.before !== undefined) contenders.push(beforeContender(ctx, options.before))
  if (!options.servekitOnly && env.hasPython) contenders.push({ label: 'python', kind: 'python', command: (port) => pythonCommand(ctx, 'static', port) })
  for (const contender of contenders) {
    const run = await measureColdStart(contender, scenario.request, options.coldStarts, env.settings)
    say(describeRun(scenario.id, run))
    result.runs.push(run)
  }
  return result
}
