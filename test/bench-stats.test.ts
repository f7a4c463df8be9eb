// Reducing autocannon's result, reading /proc, and aggregating runs into ratios, RSS growth and CPU per request.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { describe, it } from 'node:test'
import type autocannon from 'autocannon'
import { cpuPerRequest, findRun, medianRun, metricValue, ratioOf, rssGrowth, type RunResult, type ScenarioResult } from '../bench/report.js'
import { parseCpuTicks, parseProcStatus, readCpuSeconds } from '../bench/proc.js'
import { loadProblem, median, ratio, summarize, type LoadSummary } from '../bench/stats.js'

const MiB = 1024 * 1024

function load (rps: number, mbps = 0): LoadSummary {
  return { requests: rps * 10, durationS: 10, rps, bytes: mbps * 1e7, mbps, p50Ms: 1, p99Ms: 5, errors: 0, timeouts: 0, non2xx: 0, statuses: { 200: rps } }
}

function scenario (metric: ScenarioResult['metric'], runs: RunResult[]): ScenarioResult {
  return { id: 's', title: 's', kind: 'load', metric, notes: [], runs }
}

describe('summarize', () => {
  it('takes rates over the measured duration, MB as 10^6 bytes, and does not count non-2xx answers as completed', () => {
    const result = {
      duration: 2,
      requests: { total: 5000 },
      throughput: { total: 6_000_000 },
      latency: { p50: 1, p99: 9 },
      errors: 1,
      timeouts: 0,
      non2xx: 7,
      statusCodeStats: { 200: { count: 4993 }, 404: { count: 7 } }
    } as unknown as autocannon.Result
    assert.deepEqual(summarize(result), {
      requests: 4993, durationS: 2, rps: 2496.5, bytes: 6_000_000, mbps: 3, p50Ms: 1, p99Ms: 9, errors: 1, timeouts: 0, non2xx: 7, statuses: { 200: 4993, 404: 7 }
    })
  })
})

describe('loadProblem', () => {
  it('accepts a clean run and a few connection errors', () => {
    assert.equal(loadProblem(load(1000)), undefined)
    assert.equal(loadProblem({ ...load(1000), errors: 3 }), undefined)
  })

  it('rejects runs with no completed request, non-2xx answers or many errors', () => {
    assert.equal(loadProblem({ ...load(0), requests: 0 }), 'no request completed in 10 s')
    assert.equal(loadProblem({ ...load(1000), non2xx: 4, statuses: { 200: 996, 503: 4 } }), '4 answers were not 2xx (503: 4)')
    assert.equal(loadProblem({ ...load(1000), errors: 200 }), '200 errors and 0 timeouts')
  })
})

describe('median and ratio', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([30, 10, 20]), 20)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(median([]), undefined)
  })

  it('divides, but not by nothing', () => {
    assert.equal(ratio(30, 10), 3)
    assert.equal(ratio(30, 0), undefined)
    assert.equal(ratio(undefined, 10), undefined)
  })
})

describe('aggregation over runs', () => {
  const runs: RunResult[] = [
    { server: 'servekit', ok: true, load: load(12_000, 900), memory: { startRssBytes: 60 * MiB, maxRssBytes: 70 * MiB, peakRssBytes: 75 * MiB } },
    { server: 'python', ok: true, load: load(1_000, 300) },
    { server: 'fastify-echo', ok: false, error: 'answered 404, not 200', load: load(50_000) }
  ]

  it('judges request scenarios by req/s and big files by MB/s', () => {
    assert.equal(ratioOf(scenario('rps', runs), 'servekit', 'python'), 12)
    assert.equal(ratioOf(scenario('mbps', runs), 'servekit', 'python'), 3)
  })

  it('gives no ratio against a run that failed or is missing', () => {
    assert.equal(ratioOf(scenario('rps', runs), 'servekit', 'fastify-echo'), undefined)
    assert.equal(ratioOf(scenario('rps', runs), 'servekit', 'nginx'), undefined)
  })

  it('compares cold starts by their median time', () => {
    const starts = scenario('ms', [
      { server: 'servekit', ok: true, coldStart: { startsMs: [200, 300, 250], medianMs: 250, minMs: 200, maxMs: 300 } },
      { server: 'python', ok: true, coldStart: { startsMs: [100], medianMs: 100, minMs: 100, maxMs: 100 } }
    ])
    assert.equal(metricValue(findRun(starts, 'servekit'), 'ms'), 250)
    assert.equal(ratioOf(starts, 'servekit', 'python'), 2.5)
  })

  it('measures RSS growth from before the load to its highest sample', () => {
    assert.equal(rssGrowth(runs[0]), 10 * MiB)
    assert.equal(rssGrowth(runs[1]), undefined)
  })

  it('gives CPU microseconds per completed request, for runs that count', () => {
    // load(12_000) completes 120,000 requests; load(1_000), 10,000.
    assert.equal(cpuPerRequest({ ...runs[0]!, cpu: { seconds: 3 } }), 25)
    assert.equal(cpuPerRequest({ ...runs[1]!, cpu: { seconds: 1.5 } }), 150)
    assert.equal(cpuPerRequest(runs[0]), undefined)
    assert.equal(cpuPerRequest({ ...runs[2]!, cpu: { seconds: 3 } }), undefined)
    assert.equal(cpuPerRequest({ server: 'python', ok: true, load: { ...load(0), requests: 0 }, cpu: { seconds: 1 } }), undefined)
    assert.equal(cpuPerRequest(undefined), undefined)
  })

  it('reports rounds by their median run, which carries every round\'s metric', () => {
    const round = (rps: number): RunResult => ({ server: 'servekit', ok: true, load: load(rps) })
    const failed: RunResult = { server: 'servekit', ok: false, error: 'died' }
    assert.deepEqual(medianRun([round(300), round(100), round(200)], 'rps'), { ...round(200), rounds: [300, 100, 200] })
    // An even count takes the lower middle; a failed round does not count.
    assert.deepEqual(medianRun([round(400), failed, round(100), round(300), round(200)], 'rps'), { ...round(200), rounds: [400, 100, 300, 200] })
    assert.deepEqual(medianRun([round(50)], 'rps'), round(50), 'one round: no list')
    assert.deepEqual(medianRun([failed, { ...failed, error: 'again' }], 'rps'), failed, 'none counts: the first failure')
  })
})

describe('/proc/<pid>/status', () => {
  it('reads VmRSS and VmHWM in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\nThreads:\t7\n'
    assert.deepEqual(parseProcStatus(status), { rssBytes: 40 * MiB, hwmBytes: 80 * MiB })
  })

  it('gives nothing for a status without memory lines (a zombie)', () => {
    assert.equal(parseProcStatus('Name:\tnode\nState:\tZ (zombie)\n'), undefined)
  })
})

describe('/proc/<pid>/stat', () => {
  it('adds user and system CPU ticks, whatever the command name holds', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 5000 0 0 0 1234 56 0 0 20 0 11 0 100 1000000 9000'
    assert.equal(parseCpuTicks(stat), 1290)
  })

  it("adds the reaped children's ticks (cutime, cstime) when asked", () => {
    // A whole line as the kernel writes it: 52 fields, utime 1234, stime 56, cutime 700, cstime 89.
    const stat = '4242 (sh (cgi) x.sh) S 4200 4242 4200 0 -1 4194560 20958 115396 0 12 1234 56 700 89 20 0 11 0 ' +
      '38516 1177927680 28718 18446744073709551615 94371450032128 94371489380256 140727381640784 0 0 0 0 4096 ' +
      '134234626 0 0 0 17 0 0 0 0 0 0 94371498461696 94371498609120 94371516473344 140727381645901 ' +
      '140727381645955 140727381645955 140727381651431 0\n'
    assert.equal(parseCpuTicks(stat), 1290)
    assert.equal(parseCpuTicks(stat, { children: false }), 1290)
    assert.equal(parseCpuTicks(stat, { children: true }), 2079)
  })

  it('gives nothing for text that is not a stat line', () => {
    assert.equal(parseCpuTicks('garbage'), undefined)
    assert.equal(parseCpuTicks('garbage', { children: true }), undefined)
    assert.equal(parseCpuTicks('4242 (node) S 1 4242 4242 0 -1 4194304 5000 0 0 0 1234 56', { children: true }), undefined)
  })

  it('reads seconds (USER_HZ ticks of 1/100 s), or nothing for a process that is not there', { skip: !existsSync('/proc/self/stat') }, () => {
    const { user, system } = process.cpuUsage()
    const seconds = readCpuSeconds(process.pid)
    // Same kernel accounting as cpuUsage, but utime and stime are each cut to whole ticks.
    assert.ok(seconds !== undefined && Math.abs(seconds - (user + system) / 1e6) < 0.03, `${seconds} s, cpuUsage ${(user + system) / 1e6} s`)
    // Above the largest pid_max Linux allows (2^22).
    assert.equal(readCpuSeconds(4_194_305), undefined)
  })
})
