// wrk as the load generator: which scenarios it takes, its command line and Lua
// script, reading its summary line back, and (where wrk is installed) a real run
// against a local server that checks what wrk sent and how its answers are counted.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { findExecutable } from '../bench/capabilities.js'
import { runWrkLoad } from '../bench/load-wrk.js'
import { SCENARIOS, type LoadScenario } from '../bench/scenarios.js'
import { interruptAfterMs, JSON_MARK, loadGeneratorFor, luaString, parseWrkOutput, wrkArgs, wrkScript, wrkVersion } from '../bench/wrk.js'

const line = (fields: Record<string, number>): string => JSON_MARK + JSON.stringify({
  requests: 0, durationUs: 0, bytes: 0, connect: 0, read: 0, write: 0, status: 0, timeout: 0, p50Us: 0, p99Us: 0, maxUs: 0, ...fields
})

describe('which load generator a scenario gets', () => {
  it('wrk for every scenario but new TLS connections per request (Node\'s TLS client) and the 64 MiB GET (autocannon)', () => {
    const loads = SCENARIOS.filter((scenario): scenario is LoadScenario => scenario.kind === 'load')
    const byWrk = loads.filter((scenario) => loadGeneratorFor(scenario, 'wrk') === 'wrk').map(({ id }) => id)
    for (const id of ['get-1k', 'get-100k', 'get-100k-js-br', 'list-1k-html', 'echo', 'cgi-sh', 'https-1k']) assert.ok(byWrk.includes(id), id)
    assert.equal(loadGeneratorFor(loads.find(({ id }) => id === 'https-new-conn')!, 'wrk'), 'node-tls')
    assert.equal(loadGeneratorFor(loads.find(({ id }) => id === 'get-64m')!, 'wrk'), 'autocannon')
    assert.equal(loadGeneratorFor({ notForWrk: 'slow' }, 'autocannon'), 'autocannon')
    assert.equal(loadGeneratorFor({}, 'autocannon'), 'autocannon')
    assert.equal(loadGeneratorFor({ newConnections: true }, 'autocannon'), 'node-tls')
  })
})

describe('wrk command line and script', () => {
  it('runs one thread for whole seconds, with autocannon\'s 10 s timeout; a fractional duration is cut by SIGINT', () => {
    assert.deepEqual(wrkArgs({ url: 'http://127.0.0.1:1/a', connections: 10, durationS: 3, script: 's.lua' }),
      ['-t', '1', '-c', '10', '-d', '3s', '--timeout', '10s', '-s', 's.lua', 'http://127.0.0.1:1/a'])
    assert.equal(wrkArgs({ url: 'u', connections: 2, durationS: 0.25, script: 's' })[5], '1s')
    assert.equal(wrkArgs({ url: 'u', connections: 2, durationS: 2.5, script: 's' })[5], '3s')
    assert.equal(interruptAfterMs(3), undefined)
    assert.equal(interruptAfterMs(2.5), 2500)
    assert.equal(interruptAfterMs(0.25), 250)
  })

  it('quotes any text as a Lua string', () => {
    assert.equal(luaString('a=1&b'), '"a=1&b"')
    assert.equal(luaString('say "hi"\\\n'), '"say \\034hi\\034\\092\\010"')
    assert.equal(luaString('"2'), '"\\0342"')
    assert.equal(luaString('é'), '"\\195\\169"')
  })

  it('sets method, headers and body, and prints its totals in done', () => {
    const script = wrkScript({ method: 'POST', headers: { cookie: 'a=1' }, body: 'x=y' }, '127.0.0.1:8080')
    assert.match(script, /^wrk\.method = "POST"$/m)
    assert.match(script, /^wrk\.headers\["Host"\] = "127\.0\.0\.1:8080"$/m)
    assert.doesNotMatch(wrkScript({ method: 'GET', headers: { host: 'other' } }, 'h'), /other/)
    assert.match(script, /^wrk\.headers\["cookie"\] = "a=1"$/m)
    assert.match(script, /^wrk\.body = "x=y"$/m)
    assert.match(script, /^function done\(summary, latency, requests\)$/m)
    assert.doesNotMatch(script, /function response/)
    assert.match(wrkScript({ method: 'PUT', bodySize: 1024 }, 'h'), /^wrk\.body = string\.rep\("x", 1024\)$/m)
    assert.doesNotMatch(wrkScript({ method: 'GET' }, 'h'), /wrk\.body/)
  })

  it('reads the version from wrk -v', () => {
    assert.equal(wrkVersion('wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk <options> <url>'), 'wrk debian/4.1.0-3+b2')
    assert.equal(wrkVersion('Usage: wrk'), undefined)
  })
})

describe('parseWrkOutput', () => {
  it('reads the script\'s line after wrk\'s own report: rates over the real duration, latency in ms', () => {
    const stdout = `Running 2s test @ http://127.0.0.1:1/\n  1 threads and 10 connections\nRequests/sec: 5000.00\n${line({ requests: 10_000, durationUs: 2_000_000, bytes: 12_000_000, p50Us: 450, p99Us: 2_300, maxUs: 9_000 })}\n`
    assert.deepEqual(parseWrkOutput(stdout), {
      requests: 10_000, durationS: 2, rps: 5000, bytes: 12_000_000, mbps: 6, p50Ms: 0.45, p99Ms: 2.3, errors: 0, timeouts: 0, non2xx: 0, statuses: { '2xx-3xx': 10_000 }
    })
  })

  it('does not count 4xx and 5xx answers as completed requests, and sums socket errors', () => {
    const summary = parseWrkOutput(line({ requests: 1000, durationUs: 1_000_000, status: 40, connect: 1, read: 2, write: 3, timeout: 4 }))
    assert.equal(summary.requests, 960)
    assert.equal(summary.rps, 960)
    assert.equal(summary.non2xx, 40)
    assert.deepEqual(summary.statuses, { '2xx-3xx': 960, '4xx-5xx': 40 })
    assert.equal(summary.errors, 6)
    assert.equal(summary.timeouts, 4)
  })

  it('fails without a summary line or with a field missing', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no summary line/)
    assert.throws(() => parseWrkOutput(`${JSON_MARK}{"requests":1}`), /lacks durationUs/)
  })
})

const wrk = await findExecutable('wrk')

describe('a real wrk run', { skip: wrk === undefined ? 'wrk not installed' : false }, () => {
  async function serve (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string, close: () => Promise<void> }> {
    const server = createServer(handler)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    }
  }

  it('sends the POST as asked, warms up, waits for betweenRuns, and counts what the server answered', async () => {
    let answered = 0
    let wrong = 0
    const server = await serve((req, res) => {
      let body = ''
      req.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      req.on('end', () => {
        const right = req.method === 'POST' && req.url === '/echo?x=1' && body === 'a=1&b="2"' &&
          req.headers.cookie === 'session=s' && req.headers.host === new URL(server.url).host &&
          req.rawHeaders.filter((name) => name.toLowerCase() === 'host').length === 1
        if (right) answered++
        else wrong++
        res.end(right ? 'ok' : 'wrong')
      })
    })
    try {
      let between = 0
      let answeredBefore = 0
      const summary = await runWrkLoad(wrk!, {
        url: `${server.url}/echo?x=1`, connections: 2, warmupS: 0.3, durationS: 0.5, method: 'POST', headers: { cookie: 'session=s' }, body: 'a=1&b="2"'
      }, undefined, async () => {
        between++
        answeredBefore = answered
      })
      assert.equal(wrong, 0)
      assert.equal(between, 1)
      assert.ok(answeredBefore > 0, 'the warm-up sent requests')
      assert.ok(summary.requests > 0 && summary.requests <= answered - answeredBefore, `${summary.requests} of ${answered - answeredBefore}`)
      assert.ok(summary.durationS >= 0.4 && summary.durationS < 0.9, `stopped after ${summary.durationS} s`)
      assert.equal(summary.non2xx, 0)
    } finally {
      await server.close()
    }
  })

  it('takes 4xx answers out of the completed requests, and follows servers that close each connection', async () => {
    let count = 0
    const server = await serve((req, res) => {
      count++
      res.writeHead(count % 2 === 0 ? 404 : 200, { connection: 'close' }).end('x')
    })
    try {
      const summary = await runWrkLoad(wrk!, { url: `${server.url}/`, connections: 2, warmupS: 0, durationS: 0.5, method: 'GET' }, undefined, async () => {})
      assert.ok(summary.non2xx > 0)
      assert.ok(summary.requests > 0)
      // Each answer is counted once, as completed or not: within the few in flight at the end.
      assert.ok(Math.abs(summary.requests + summary.non2xx - count) <= 2, `${summary.requests} + ${summary.non2xx} of ${count}`)
      assert.ok(Math.abs(summary.requests - summary.non2xx) <= 3, `${summary.requests} against ${summary.non2xx}`)
    } finally {
      await server.close()
    }
  })
})
