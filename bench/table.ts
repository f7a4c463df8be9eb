// The printed report: plain-text tables that read the same in a terminal and as
// Markdown (the README's Performance section is pasted from them).
import { cpuPerRequest, findRun, ratioOf, rssGrowth, type BenchReport, type RunResult, type ScenarioResult, type TargetOutcome } from './report.js'
import { formatMiB, formatRatio } from './targets.js'

function markdownTable (header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const cell = (text: string, column: number): string =>
    rightAligned.has(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!)
  const line = (row: string[]): string => `| ${row.map(cell).join(' | ')} |`
  const rule = `|${widths.map((width, column) => rightAligned.has(column) ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatNumber (value: number): string {
  if (value >= 100) return integer.format(value)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** autocannon records whole milliseconds (wrk µs), so below 1 shows as under one. */
export function formatLatency (ms: number): string {
  return ms < 1 ? '<1' : integer.format(ms)
}

function vsPython (scenario: ScenarioResult, run: RunResult): string {
  if (run.server === 'python') return run.ok ? '1×' : ''
  const value = ratioOf(scenario, run.server, 'python')
  return value === undefined ? '' : formatRatio(value)
}

function loadRow (scenario: ScenarioResult, run: RunResult, first: boolean): string[] {
  const name = first ? scenario.id : ''
  if (!run.ok || run.load === undefined) return [name, run.server, `error: ${run.error ?? 'no result'}`, '', '', '', '', '', '', '', '']
  const { load, memory } = run
  const growth = rssGrowth(run)
  const cpu = cpuPerRequest(run)
  return [
    name,
    run.server,
    formatNumber(load.rps),
    formatNumber(load.mbps),
    load.rps > 0 ? integer.format(load.mbps * 1e6 / load.rps) : '',
    formatLatency(load.p50Ms),
    formatLatency(load.p99Ms),
    cpu === undefined ? '' : formatNumber(cpu),
    memory === undefined ? '' : formatMiB(memory.peakRssBytes),
    growth === undefined ? '' : formatMiB(growth, true),
    vsPython(scenario, run)
  ]
}

/**
 * Requests/s, MB/s and bytes on the wire per response (headers and body, as the
 * load generator reads them: what compression saves), latency, CPU per request,
 * memory and the ratio to Python, one row per server.
 */
export function formatLoadTable (scenarios: readonly ScenarioResult[]): string {
  const header = ['scenario', 'server', 'req/s', 'MB/s', 'B/resp', 'p50 ms', 'p99 ms', 'CPU µs/req', 'peak RSS', 'RSS growth', 'vs Python']
  const rows = scenarios
    .filter((scenario) => scenario.kind === 'load' && scenario.skipped === undefined)
    .flatMap((scenario) => scenario.runs.map((run, index) => loadRow(scenario, run, index === 0)))
  return markdownTable(header, rows, new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]))
}

/** Cold start medians; the ratio is of times, so below 1× means servekit starts faster. */
export function formatColdStartTable (scenario: ScenarioResult): string {
  const header = ['server', 'median ms', 'min ms', 'max ms', 'starts', 'vs Python (time)']
  const rows = scenario.runs.map((run) => {
    if (!run.ok || run.coldStart === undefined) return [run.server, `error: ${run.error ?? 'no result'}`, '', '', '', '']
    const { medianMs, minMs, maxMs, startsMs } = run.coldStart
    const value = run.server === 'python' ? 1 : ratioOf(scenario, run.server, 'python')
    return [run.server, formatNumber(medianMs), formatNumber(minMs), formatNumber(maxMs), String(startsMs.length), value === undefined ? '' : formatRatio(value)]
  })
  return markdownTable(header, rows, new Set([1, 2, 3, 4, 5]))
}

/** The verdict goes by `measured`; `by CPU/req` is the same comparison in CPU time, for a noisy machine. */
export function formatTargets (outcomes: readonly TargetOutcome[]): string {
  const rows = outcomes.map(({ label, measured, verdict, byCpu }) =>
    [label, measured, verdict === 'pass' ? 'PASS' : verdict === 'fail' ? 'FAIL' : 'not measured', byCpu ?? ''])
  return markdownTable(['target', 'measured', 'result', 'by CPU/req'], rows, new Set([1, 3]))
}

/** Skipped scenarios, Python's deviations and missing comparisons, one line each. */
export function formatNotes (scenarios: readonly ScenarioResult[]): string[] {
  return scenarios.flatMap((scenario) => [
    ...(scenario.skipped === undefined ? [] : [`skipped: ${scenario.id}: ${scenario.skipped}`]),
    ...(scenario.skipped === undefined && scenario.pythonNote !== undefined && findRun(scenario, 'python') !== undefined
      ? [`note: ${scenario.id}: Python runs ${scenario.pythonNote}`]
      : []),
    ...scenario.notes.map((note) => `note: ${scenario.id}: ${note}`)
  ])
}

const GENERATOR_NAMES = { autocannon: 'autocannon 9', 'node-tls': "Node's TLS client (bench/load-tls.ts)" } as const

/**
 * Which load generator each load scenario used, grouped, e.g. `load generator: wrk
 * debian/4.1.0-3+b2, 1 thread: get-1k, get-100k; Node's TLS client (bench/load-tls.ts):
 * https-new-conn`; undefined without load scenarios (or from a result file older than the field).
 */
export function formatLoadGenerators (report: BenchReport): string | undefined {
  const groups = new Map<string, string[]>()
  for (const scenario of report.scenarios) {
    if (scenario.kind !== 'load' || scenario.skipped !== undefined || scenario.loadGenerator === undefined) continue
    const name = scenario.loadGenerator === 'wrk' ? `${report.settings.wrk ?? 'wrk'}, 1 thread` : GENERATOR_NAMES[scenario.loadGenerator]
    groups.set(name, [...(groups.get(name) ?? []), scenario.id])
  }
  if (groups.size === 0) return undefined
  return `load generator: ${[...groups].map(([name, ids]) => `${name}: ${ids.join(', ')}`).join('; ')}`
}

/** The whole printed report: the settings line, the tables, the targets, the notes. */
export function formatReport (report: BenchReport): string {
  const { machine, settings } = report
  const coldStart = report.scenarios.find((scenario) => scenario.kind === 'cold-start' && scenario.skipped === undefined)
  const hasLoad = report.scenarios.some((scenario) => scenario.kind === 'load' && scenario.skipped === undefined)
  const generators = formatLoadGenerators(report)
  return [
    `${report.command}`,
    `(${machine.platform}, ${machine.cpus} CPUs, Node ${machine.node}, ${machine.python ?? 'no Python'}; ${machine.pinning}; ` +
      `${settings.warmupS} s warm-up + ${settings.durationS} s per server${settings.rounds > 1 ? `, median of ${settings.rounds} rounds` : ''}; load average ${machine.loadAverage.map((n) => n.toFixed(2)).join(' ')})`,
    ...(hasLoad ? [...(generators === undefined ? [] : [generators]), '', formatLoadTable(report.scenarios)] : []),
    ...(coldStart === undefined ? [] : ['', `Cold start to first response (${settings.coldStarts} starts each):`, '', formatColdStartTable(coldStart)]),
    '',
    formatTargets(report.targets),
    '',
    ...formatNotes(report.scenarios)
  ].join('\n')
}
