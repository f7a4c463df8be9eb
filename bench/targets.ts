// The targets of issue 7 (and issue 3 for CGI), each judged on ratios measured in
// the same run, so a slow or busy machine slows both sides alike.
import { cpuPerRequest, findRun, ratioOf, rssGrowth, type RunLabel, type ScenarioResult, type TargetOutcome } from './report.js'
import { ratio } from './stats.js'

export type Target =
  | { kind: 'ratio', label: string, scenario: string, against: RunLabel, atLeast: number }
  | { kind: 'rss-growth', label: string, scenario: string, belowBytes: number }

const MiB = 1024 * 1024

export const TARGETS: readonly Target[] = [
  { kind: 'ratio', label: '1 KiB GET ≥ 10× Python', scenario: 'get-1k', against: 'python', atLeast: 10 },
  { kind: 'ratio', label: 'echo ≥ 10× Python', scenario: 'echo', against: 'python', atLeast: 10 },
  { kind: 'ratio', label: 'echo ≥ 0.8× bare Fastify', scenario: 'echo', against: 'fastify-echo', atLeast: 0.8 },
  { kind: 'ratio', label: '10,000-entry HTML listing ≥ 5× Python', scenario: 'list-10k-html', against: 'python', atLeast: 5 },
  { kind: 'ratio', label: '10,000-entry JSON listing ≥ 5× Python (HTML)', scenario: 'list-10k-json', against: 'python', atLeast: 5 },
  { kind: 'ratio', label: '64 MiB GET ≥ 2× Python MB/s', scenario: 'get-64m', against: 'python', atLeast: 2 },
  { kind: 'rss-growth', label: '64 MiB GET RSS growth < 50 MiB', scenario: 'get-64m', belowBytes: 50 * MiB },
  { kind: 'ratio', label: 'CGI hello.sh ≥ 3× Python', scenario: 'cgi-sh', against: 'python', atLeast: 3 },
  { kind: 'ratio', label: 'CGI hello.sh ≥ 0.9× bare spawn (Fastify)', scenario: 'cgi-sh', against: 'fastify-spawn', atLeast: 0.9 }
]

export function formatRatio (value: number): string {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`
}

export function formatMiB (bytes: number, signed = false): string {
  const text = `${(bytes / MiB).toFixed(1)} MiB`
  return signed && bytes >= 0 ? `+${text}` : text
}

/** The other's CPU per request ÷ servekit's: reads like the throughput ratio, above 1× when servekit costs less. */
function cpuRatio (scenario: ScenarioResult, against: RunLabel): number | undefined {
  return ratio(cpuPerRequest(findRun(scenario, against)), cpuPerRequest(findRun(scenario, 'servekit')))
}

export function evaluateTarget (target: Target, scenarios: readonly ScenarioResult[]): TargetOutcome {
  const scenario = scenarios.find(({ id }) => id === target.scenario)
  const unmeasured: TargetOutcome = { label: target.label, measured: '–', verdict: 'not measured' }
  if (scenario === undefined) return unmeasured
  if (target.kind === 'ratio') {
    const value = ratioOf(scenario, 'servekit', target.against)
    if (value === undefined) return unmeasured
    const byCpu = cpuRatio(scenario, target.against)
    return {
      label: target.label,
      measured: formatRatio(value),
      ...(byCpu === undefined ? {} : { byCpu: formatRatio(byCpu) }),
      verdict: value >= target.atLeast ? 'pass' : 'fail'
    }
  }
  const servekit = findRun(scenario, 'servekit')
  const growth = servekit?.ok === true ? rssGrowth(servekit) : undefined
  if (growth === undefined) return unmeasured
  return { label: target.label, measured: formatMiB(growth, true), verdict: growth < target.belowBytes ? 'pass' : 'fail' }
}

export function evaluateTargets (scenarios: readonly ScenarioResult[], targets: readonly Target[] = TARGETS): TargetOutcome[] {
  return targets.map((target) => evaluateTarget(target, scenarios))
}
