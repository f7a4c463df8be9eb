// The printed report and the targets' verdicts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BenchReport, RunResult, ScenarioResult } from '../bench/report.js'
import type { LoadSummary } from '../bench/stats.js'
import { formatColdStartTable, formatLatency, formatLoadGenerators, formatLoadTable, formatNotes, formatNumber, formatReport, formatTargets } from '../bench/table.js'
import { evaluateTargets, formatRatio, TARGETS, type Target } from '../bench/targets.js'

const MiB = 1024 * 1024

function load (rps: number, mbps = 1): LoadSummary {
  return { requests: rps, durationS: 1, rps, bytes: mbps * 1e6, mbps, p50Ms: 1, p99Ms: 12, errors: 0, timeouts: 0, non2xx: 0, statuses: { 200: rps } }
}

const memory = { startRssBytes: 50 * MiB, maxRssBytes: 52 * MiB, peakRssBytes: 60 * MiB }

const get1k: ScenarioResult = {
  id: 'get-1k',
  title: 'GET 1 KiB file',
  kind: 'load',
  metric: 'rps',
  notes: ['nginx not installed: skipped'],
  runs: [
    // 25 and 450 CPU µs per request.
    { server: 'servekit', ok: true, load: load(24_000, 30), memory, cpu: { seconds: 0.6 } },
    { server: 'python', ok: true, load: load(2_000, 2.5), memory, cpu: { seconds: 0.9 } }
  ]
}

const get64m: ScenarioResult = {
  id: 'get-64m',
  title: 'GET 64 MiB file',
  kind: 'load',
  metric: 'mbps',
  notes: [],
  runs: [
    { server: 'servekit', ok: true, load: load(20, 1300), memory: { startRssBytes: 60 * MiB, maxRssBytes: 130 * MiB, peakRssBytes: 130 * MiB } },
    { server: 'python', ok: true, load: load(10, 700) }
  ]
}

const coldStart: ScenarioResult = {
  id: 'cold-start',
  title: 'cold start',
  kind: 'cold-start',
  metric: 'ms',
  notes: [],
  runs: [
    { server: 'servekit', ok: true, coldStart: { startsMs: [240, 250, 260], medianMs: 250, minMs: 240, maxMs: 260 } },
    { server: 'python', ok: true, coldStart: { startsMs: [100, 100, 100], medianMs: 100, minMs: 100, maxMs: 100 } }
  ]
}

const skipped: ScenarioResult = { id: 'cgi-sh', title: 'CGI', kind: 'load', metric: 'rps', skipped: 'servekit lacks --cgi', notes: [], runs: [] }

describe('number formats', () => {
  it('groups large numbers and keeps digits on small ones', () => {
    assert.equal(formatNumber(24_000), '24,000')
    assert.equal(formatNumber(12.34), '12.3')
    assert.equal(formatNumber(0.5), '0.50')
    assert.equal(formatRatio(12), '12.0×')
    assert.equal(formatRatio(0.833), '0.83×')
  })

  it('shows latency in whole milliseconds, as autocannon records it', () => {
    assert.equal(formatLatency(0), '<1')
    assert.equal(formatLatency(12), '12')
    assert.equal(formatLatency(1500), '1,500')
  })
})

describe('load table', () => {
  const lines = formatLoadTable([get1k, skipped]).split('\n')

  it('has a header, a rule, and one row per server of the scenarios that ran', () => {
    assert.match(lines[0]!, /^\| scenario \| server +\| +req\/s \| MB\/s \| B\/resp \| p50 ms \| p99 ms \| CPU µs\/req \| +peak RSS \| RSS growth \| vs Python \|$/)
    assert.match(lines[1]!, /^\|-+\|-+\|-+:\|/)
    assert.equal(lines.length, 4)
  })

  it('shows rates, bytes per response, latency, CPU per request, memory and the ratio to Python', () => {
    assert.equal(lines[2], '| get-1k   | servekit | 24,000 | 30.0 |  1,250 |      1 |     12 |       25.0 | 60.0 MiB |   +2.0 MiB |     12.0× |')
    assert.equal(lines[3], '|          | python   |  2,000 | 2.50 |  1,250 |      1 |     12 |        450 | 60.0 MiB |   +2.0 MiB |        1× |')
  })

  it('leaves CPU per request blank where /proc gave none', () => {
    const rows = formatLoadTable([get64m]).split('\n')
    assert.equal(rows[2], '| get-64m  | servekit |  20.0 | 1,300 | 65,000,000 |      1 |     12 |            | 130.0 MiB |  +70.0 MiB |     1.86× |')
  })

  it('shows why a run has no numbers', () => {
    const failed: RunResult = { server: 'servekit', ok: false, error: 'answered 404, not 200' }
    assert.match(formatLoadTable([{ ...get1k, runs: [failed] }]), /\| get-1k +\| servekit \| error: answered 404, not 200 \|/)
  })
})

describe('cold start table', () => {
  it('shows median, spread, count and the time ratio', () => {
    const rows = formatColdStartTable(coldStart).split('\n')
    assert.match(rows[2]!, /^\| servekit \| +250 \| +240 \| +260 \| +3 \| +2\.50× \|$/)
    assert.match(rows[3]!, /^\| python +\| +100 \| +100 \| +100 \| +3 \| +1\.00× \|$/)
  })
})

describe('targets', () => {
  it('judge servekit against the named server with the scenario metric', () => {
    const outcomes = evaluateTargets([get1k, get64m])
    const byLabel = new Map(outcomes.map((outcome) => [outcome.label, outcome]))
    assert.deepEqual(byLabel.get('1 KiB GET ≥ 10× Python'), { label: '1 KiB GET ≥ 10× Python', measured: '12.0×', byCpu: '18.0×', verdict: 'pass' })
    assert.deepEqual(byLabel.get('64 MiB GET ≥ 2× Python MB/s'), { label: '64 MiB GET ≥ 2× Python MB/s', measured: '1.86×', verdict: 'fail' })
    assert.deepEqual(byLabel.get('64 MiB GET RSS growth < 50 MiB'), { label: '64 MiB GET RSS growth < 50 MiB', measured: '+70.0 MiB', verdict: 'fail' })
    assert.equal(byLabel.get('echo ≥ 10× Python')?.verdict, 'not measured')
    assert.equal(outcomes.length, TARGETS.length)
  })

  it('show the CPU ratio beside the throughput one, but judge by throughput', () => {
    const target: Target = { kind: 'ratio', label: 't', scenario: 'get-1k', against: 'python', atLeast: 15 }
    assert.deepEqual(evaluateTargets([get1k], [target]), [{ label: 't', measured: '12.0×', byCpu: '18.0×', verdict: 'fail' }])
    const noPythonCpu = { ...get1k, runs: [get1k.runs[0]!, { ...get1k.runs[1]!, cpu: undefined }] }
    assert.deepEqual(evaluateTargets([noPythonCpu], [target]), [{ label: 't', measured: '12.0×', verdict: 'fail' }])
  })

  it('are not measured when the comparison failed', () => {
    const target: Target = { kind: 'ratio', label: 't', scenario: 'get-1k', against: 'python', atLeast: 1 }
    const pythonFailed = { ...get1k, runs: [get1k.runs[0]!, { server: 'python', ok: false, error: 'x' }] }
    assert.deepEqual(evaluateTargets([pythonFailed], [target]), [{ label: 't', measured: '–', verdict: 'not measured' }])
  })

  it('print as a table with PASS and FAIL, and the CPU ratio where known', () => {
    const text = formatTargets([
      { label: 'a', measured: '12.0×', byCpu: '18.0×', verdict: 'pass' },
      { label: 'b', measured: '0.50×', verdict: 'fail' },
      { label: 'c', measured: '–', verdict: 'not measured' }
    ])
    assert.deepEqual(text.split('\n'), [
      '| target | measured | result       | by CPU/req |',
      '|--------|---------:|--------------|-----------:|',
      '| a      |    12.0× | PASS         |      18.0× |',
      '| b      |    0.50× | FAIL         |            |',
      '| c      |        – | not measured |            |'
    ])
  })
})

describe('notes and the whole report', () => {
  it('say which load generator each load scenario used, grouped', () => {
    const base: BenchReport = {
      startedAt: '',
      finishedAt: '',
      command: '',
      machine: { cpus: 2, loadAverage: [], node: '', python: undefined, platform: '', pinning: '' },
      settings: { durationS: 1, warmupS: 0, coldStarts: 1, rounds: 1, quick: false, loadGenerator: 'wrk', wrk: 'wrk debian/4.1.0-3+b2' },
      scenarios: [
        { ...get1k, loadGenerator: 'wrk' },
        { ...get1k, id: 'get-100k', loadGenerator: 'wrk' },
        { ...get1k, id: 'https-new-conn', loadGenerator: 'node-tls' },
        { ...skipped, loadGenerator: 'wrk' },
        coldStart
      ],
      targets: []
    }
    assert.equal(formatLoadGenerators(base), "load generator: wrk debian/4.1.0-3+b2, 1 thread: get-1k, get-100k; Node's TLS client (bench/load-tls.ts): https-new-conn")
    assert.equal(formatLoadGenerators({ ...base, scenarios: [{ ...get1k, loadGenerator: 'autocannon' }] }), 'load generator: autocannon 9: get-1k')
    assert.equal(formatLoadGenerators({ ...base, scenarios: [get1k, coldStart] }), undefined)
  })

  it('list skipped scenarios, what Python runs instead, and missing peers', () => {
    const echo: ScenarioResult = { ...get1k, id: 'echo', notes: [], pythonNote: "the tutorial's webapp.py" }
    assert.deepEqual(formatNotes([get1k, skipped, echo]), [
      'note: get-1k: nginx not installed: skipped',
      'skipped: cgi-sh: servekit lacks --cgi',
      "note: echo: Python runs the tutorial's webapp.py"
    ])
  })

  it('starts with the command and the conditions, then tables, targets and notes', () => {
    const report: BenchReport = {
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      command: 'npm run bench -- --quick',
      machine: { cpus: 2, loadAverage: [1, 0.5, 0.25], node: 'v20.20.2', python: 'Python 3.11.7', platform: 'linux x64', pinning: 'server on CPU 0' },
      settings: { durationS: 1, warmupS: 0.5, coldStarts: 3, rounds: 1, quick: true },
      scenarios: [get1k, coldStart, skipped],
      targets: evaluateTargets([get1k])
    }
    const text = formatReport(report)
    assert.ok(text.startsWith('npm run bench -- --quick\n(linux x64, 2 CPUs, Node v20.20.2, Python 3.11.7; server on CPU 0; 0.5 s warm-up + 1 s per server; load average 1.00 0.50 0.25)'))
    assert.match(text, /\| get-1k +\| servekit/)
    assert.match(text, /Cold start to first response \(3 starts each\)/)
    assert.match(text, /\| 1 KiB GET ≥ 10× Python +\| +12\.0× \| PASS +\| +18\.0× \|/)
    assert.ok(text.endsWith('skipped: cgi-sh: servekit lacks --cgi'))
    assert.doesNotMatch(text, /load generator/)
    const wrk = formatReport({ ...report, settings: { ...report.settings, wrk: 'wrk 4.1.0' }, scenarios: [{ ...get1k, loadGenerator: 'wrk' }, coldStart] })
    assert.match(wrk, /load average 1\.00 0\.50 0\.25\)\nload generator: wrk 4\.1\.0, 1 thread: get-1k\n\n\| scenario/)
    const rounds = formatReport({ ...report, settings: { ...report.settings, rounds: 3 } })
    assert.match(rounds, /; 0\.5 s warm-up \+ 1 s per server, median of 3 rounds; load average/)
  })
})
