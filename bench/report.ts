// What a bench run produces, as plain data (it is also the JSON result file), and
// the aggregation over it: metric values and ratios against Python and baselines.
import type { MemoryReport } from './proc.js'
import type { Metric } from './scenarios.js'
import { ratio, type LoadSummary } from './stats.js'
import type { LoadGenerator, LoadGeneratorChoice } from './wrk.js'

/** `servekit`, `servekit+log` (with --log-level info), `python`, a baseline or a peer. */
export type RunLabel = string

export interface ColdStart {
  startsMs: number[]
  medianMs: number
  minMs: number
  maxMs: number
}

export interface RunResult {
  server: RunLabel
  /** Numbers that count: the server answered correctly and the load ran clean. */
  ok: boolean
  error?: string
  load?: LoadSummary
  memory?: MemoryReport
  /**
   * CPU seconds the server and its reaped children (CGI scripts) used in the
   * measured window, from /proc/<pid>/stat: steadier than req/s on a noisy machine.
   */
  cpu?: { seconds: number }
  /** With --rounds: the metric of every round, in order; this run is the median one. */
  rounds?: number[]
  coldStart?: ColdStart
}

export interface ScenarioResult {
  id: string
  title: string
  kind: 'load' | 'cold-start'
  metric: Metric | 'ms'
  /** Why the scenario did not run at all (e.g. servekit lacks --cgi). */
  skipped?: string
  /** Shown under the table: how Python's side differs. */
  pythonNote?: string
  /** Why some comparisons did not run (a peer not installed, Python without TLS). */
  notes: string[]
  /** What loaded every server of this load scenario. */
  loadGenerator?: LoadGenerator
  runs: RunResult[]
}

export interface BenchReport {
  startedAt: string
  finishedAt: string
  command: string
  machine: {
    cpus: number
    loadAverage: number[]
    node: string
    python: string | undefined
    platform: string
    pinning: string
  }
  settings: {
    durationS: number
    warmupS: number
    coldStarts: number
    rounds: number
    quick: boolean
    /** wrk where it can, or autocannon throughout; each scenario says what it used. */
    loadGenerator?: LoadGeneratorChoice
    /** `wrk -v`'s name and version, when wrk was chosen. */
    wrk?: string
  }
  scenarios: ScenarioResult[]
  targets: TargetOutcome[]
}

export interface TargetOutcome {
  label: string
  /** e.g. `7.9×` or `+3.1 MiB`; `–` when not measured. */
  measured: string
  /** The same ratio from CPU time per request (the other's ÷ servekit's), e.g. `8.4×`; absent when unknown. */
  byCpu?: string
  verdict: 'pass' | 'fail' | 'not measured'
}

/** The number a scenario is judged by: req/s, MB/s, or cold-start milliseconds. */
export function metricValue (run: RunResult | undefined, metric: ScenarioResult['metric']): number | undefined {
  if (run === undefined || !run.ok) return undefined
  if (metric === 'ms') return run.coldStart?.medianMs
  if (run.load === undefined) return undefined
  return metric === 'mbps' ? run.load.mbps : run.load.rps
}

export function findRun (scenario: ScenarioResult, server: RunLabel): RunResult | undefined {
  return scenario.runs.find((run) => run.server === server)
}

/** run ÷ other on the scenario's metric (for cold start: time ÷ time, lower is better). */
export function ratioOf (scenario: ScenarioResult, server: RunLabel, against: RunLabel): number | undefined {
  return ratio(metricValue(findRun(scenario, server), scenario.metric), metricValue(findRun(scenario, against), scenario.metric))
}

/** How much RSS grew under load, from before the warm-up to the highest sample. */
export function rssGrowth (run: RunResult | undefined): number | undefined {
  if (run?.memory === undefined) return undefined
  return run.memory.maxRssBytes - run.memory.startRssBytes
}

/** Microseconds of server CPU per completed request, for runs whose numbers count. */
export function cpuPerRequest (run: RunResult | undefined): number | undefined {
  if (run === undefined || !run.ok || run.cpu === undefined || run.load === undefined || run.load.requests === 0) return undefined
  return run.cpu.seconds * 1e6 / run.load.requests
}

/**
 * The run a server's rounds are reported by: among those whose numbers count, the
 * one with the median metric (the lower middle of an even count), carrying every
 * round's metric; with none that counts, the first failure.
 */
export function medianRun (runs: readonly RunResult[], metric: ScenarioResult['metric']): RunResult {
  const counted = runs
    .map((run) => ({ run, value: metricValue(run, metric) }))
    .filter((entry): entry is { run: RunResult, value: number } => entry.value !== undefined)
  if (counted.length === 0) return runs[0]!
  const sorted = [...counted].sort((a, b) => a.value - b.value)
  const middle = sorted[Math.floor((sorted.length - 1) / 2)]!.run
  return runs.length === 1 ? middle : { ...middle, rounds: counted.map(({ value }) => value) }
}
