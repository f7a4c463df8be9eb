// --workers N: a node:cluster primary with N full servers on one port, replaced
// when they die, drained together on SIGTERM.
import { strict as assert } from 'node:assert'
import { open, readdir } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { createServer, type Server } from 'node:net'
import { after, before, test } from 'node:test'
import { FIRST_DELAY_MS, MAX_DELAY_MS, restartDelay, STABLE_MS, youngDeaths } from '../src/cluster/backoff.js'
import { runCli, started, type CliRun } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get, startDownload } from './helpers/http.js'
import { waitFor } from './helpers/wait.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
let fixture: Fixture

before(async () => {
  fixture = await makeTree({ 'a.txt': 'a' })
  const file = await open(fixture.path('big.bin'), 'w')
  await file.truncate(32 * 1024 * 1024)
  await file.close()
})
after(async () => { await fixture.cleanup() })

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

let requests = 0

/** One request on a new connection; resolves with the pid of the worker that logged it. */
async function servedBy (run: CliRun, port: number, path = '/', headers: Record<string, string> = {}): Promise<{ pid: number, status: number }> {
  const tagged = `${path}${path.includes('?') ? '&' : '?'}n=${++requests}`
  const res = await get(`http://127.0.0.1:${port}/`, tagged, { headers })
  const line = await run.waitForLog((e) => e.url === tagged)
  return { pid: line.pid as number, status: res.status }
}

/** Requests until `count` different workers have answered (bounded). */
async function workerPids (run: CliRun, port: number, count: number): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let attempt = 0; attempt < 40 && pids.size < count; attempt++) pids.add((await servedBy(run, port, '/a.txt')).pid)
  return pids
}

test('restart delays: at once after a stable life, doubling while workers die young, capped', () => {
  assert.equal(youngDeaths(5, STABLE_MS), 0)
  assert.equal(youngDeaths(0, 50), 1)
  assert.equal(youngDeaths(3, STABLE_MS - 1), 4)
  assert.deepEqual([0, 1, 2, 3].map(restartDelay), [0, FIRST_DELAY_MS, 2 * FIRST_DELAY_MS, 4 * FIRST_DELAY_MS])
  assert.equal(restartDelay(40), MAX_DELAY_MS)
})

test('--workers 2 serves from two processes, replaces one that is killed, and shares login sessions', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--workers', '2', '--login', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  const startup = run.logs().find((e) => typeof e.msg === 'string' && e.msg.startsWith('Serving HTTP'))!
  assert.equal(startup.workers, 2)
  assert.equal(startup.pid, run.child.pid, 'the primary prints the start-up line')
  assert.equal(run.logs().filter((e) => typeof e.msg === 'string' && e.msg.startsWith('Serving')).length, 1, 'once')

  const pids = await workerPids(run, port, 2)
  assert.equal(pids.size, 2)
  assert.ok(!pids.has(run.child.pid!), 'the primary serves no requests itself')

  // No SERVEKIT_SECRET: the primary's one random key signs for both workers.
  const login = await get(`http://127.0.0.1:${port}/`, '/login', { method: 'POST', headers: FORM, body: 'username=jdoe&password=s3cret' })
  assert.equal(login.status, 303)
  const cookie = String(login.headers['set-cookie']).split(';', 1)[0]!
  const greeted = new Set<number>()
  for (let attempt = 0; attempt < 40 && greeted.size < 2; attempt++) {
    const { pid, status } = await servedBy(run, port, '/login/hello', { cookie })
    assert.equal(status, 200, 'the session cookie is good on every worker')
    greeted.add(pid)
  }
  assert.equal(greeted.size, 2)

  const [victim] = pids
  process.kill(victim!, 'SIGKILL')
  const died = await run.waitForLog((e) => e.worker === victim && e.signal === 'SIGKILL')
  assert.equal(died.level, 40)
  assert.match(died.msg as string, new RegExp(`^worker ${victim} was killed by SIGKILL; starting another in \\d+ ms$`))
  const replaced = await run.waitForLog((e) => e.replaced === victim)
  const newcomer = replaced.worker as number
  assert.equal(replaced.msg, `worker ${newcomer} is serving in place of worker ${victim}`)

  const now = await workerPids(run, port, 2)
  assert.ok(now.has(newcomer), 'the new worker serves')
  assert.ok(!now.has(victim!))
  assert.equal(now.size, 2)
})

test('SIGTERM to the primary: every worker finishes its requests, then all exit 0', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--workers', '2', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  const pids = await workerPids(run, port, 2)
  const download = await startDownload(port, '/big.bin')
  assert.equal(download.statusCode, 200)

  run.child.kill('SIGTERM')
  await run.waitForLog((e) => e.signal === 'SIGTERM' && e.pid === run.child.pid)
  let bytes = 0
  for await (const chunk of download.resume()) bytes += (chunk as Buffer).length
  assert.equal(bytes, 32 * 1024 * 1024, 'the download in flight completes')

  const { code, signal } = await run.exited
  assert.deepEqual({ code, signal }, { code: 0, signal: null })
  for (const pid of pids) assert.ok(!alive(pid), `worker ${pid} is gone`)
})

test('a port in use stops the start: one line from the primary, exit 1', async () => {
  const busy: Server = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  after(() => busy.close())
  const { port } = busy.address() as { port: number }
  const { code, stderr } = await runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--workers', '3', String(port)]).exited
  assert.equal(code, 1)
  assert.match(stderr, new RegExp(`^servekit: port ${port} is already in use on 127\\.0\\.0\\.1; .*\n$`))
})

test('with --tls the primary makes the certificate once and every worker serves it', async () => {
  const config = await makeTree({})
  after(async () => { await config.cleanup() })
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--workers', '2', '--tls', '0'], { XDG_CONFIG_HOME: config.dir })
  after(() => run.child.kill('SIGKILL'))
  const startup = await run.waitForLog((e) => typeof e.msg === 'string' && e.msg.startsWith('Serving HTTPS'))
  assert.equal(startup.workers, 2)
  assert.equal((startup.certificate as { generated: boolean }).generated, true)
  await run.waitForLog((e) => typeof e.msg === 'string' && e.msg.startsWith('made a new self-signed certificate'))
  assert.deepEqual((await readdir(config.path('servekit', 'tls'))).sort(), ['ec.crt', 'ec.pem'])
  assert.equal(run.logs().filter((e) => typeof e.msg === 'string' && e.msg.startsWith('made a new')).length, 1)

  const fingerprints = new Set<string>()
  const { connect } = await import('node:tls')
  for (let attempt = 0; attempt < 6; attempt++) {
    fingerprints.add(await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: startup.port as number, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate()!.fingerprint256)
        socket.end()
      }).on('error', reject)
    }))
  }
  assert.deepEqual([...fingerprints], [(startup.certificate as { fingerprint256: string }).fingerprint256])
})

interface LoadOutcome { ok: number, failed: number, slowestFailureMs: number, hung: number }

/** Fresh-connection GETs, `concurrency` at a time, until `stop()`; `outcome` counts as they come. */
function load (port: number, concurrency: number): { outcome: LoadOutcome, stop: () => Promise<void> } {
  const outcome: LoadOutcome = { ok: 0, failed: 0, slowestFailureMs: 0, hung: 0 }
  let running = true
  const one = async (): Promise<void> => await new Promise((resolve) => {
    const begun = Date.now()
    const failed = (): void => {
      outcome.failed++
      outcome.slowestFailureMs = Math.max(outcome.slowestFailureMs, Date.now() - begun)
      resolve()
    }
    // A reset comes within milliseconds; 3 s without an answer is a hang.
    const req = httpRequest({ host: '127.0.0.1', port, path: '/a.txt', agent: false, timeout: 3000 }, (res) => {
      res.resume()
      res.on('end', () => { outcome.ok++; resolve() })
      res.on('error', failed)
    })
    req.on('timeout', () => { outcome.hung++; req.destroy() })
    req.on('error', failed)
    req.end()
  })
  // `running` is turned off by stop() below, which the rule cannot see.
  // eslint-disable-next-line no-unmodified-loop-condition
  const loops = Promise.all(Array.from({ length: concurrency }, async () => { while (running) await one() }))
  return { outcome, stop: async () => { running = false; await loops } }
}

test('a worker killed under load takes only its own requests in flight, and they fail at once: none hangs', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--workers', '2', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  const workers = [...await workerPids(run, port, 2)]
  const kills = 2
  const { outcome, stop } = load(port, 6)
  for (let kill = 0; kill < kills; kill++) {
    const victim = workers.shift()!
    const answered = outcome.ok
    await waitFor(() => outcome.ok > answered + 100, 'load on both workers', 20_000)
    process.kill(victim, 'SIGKILL')
    const replaced = await run.waitForLog((e) => e.replaced === victim)
    workers.push(replaced.worker as number)
  }
  const answered = outcome.ok
  await waitFor(() => outcome.ok > answered + 100, 'load after the last replacement', 20_000)
  await stop()
  const { ok, failed, slowestFailureMs, hung } = outcome
  process.stdout.write(`# ${kills} worker kills under 6 concurrent clients: ${ok} answered, ${failed} failed (${failed / kills} per kill, slowest failure ${slowestFailureMs} ms), ${hung} hung\n`)
  assert.equal(hung, 0, 'no request waits for an answer that cannot come')
  assert.ok(slowestFailureMs < 1000, `failures are resets, at once (slowest ${slowestFailureMs} ms)`)
  assert.ok(failed <= 6 * kills, `at most the requests in flight on the killed worker fail (${failed})`)
})
