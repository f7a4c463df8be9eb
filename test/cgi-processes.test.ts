// CGI process hygiene over real sockets: timeouts, clients that leave, streaming,
// stderr, concurrency, shutdown. Scripts write their pids to files in their folder
// (their working directory) so the tests can check nothing is left running.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import Fastify from 'fastify'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { exchange, get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { memoryLog, type MemoryLog } from './helpers/log.js'
import { runCli, started } from './helpers/cli.js'
import { sh } from './helpers/cgi.js'
import { processGone, waitFor } from './helpers/wait.js'
import { buildApp } from '../src/app.js'
import cgi from '../plugins/cgi/index.js'
import type { RunningServer } from '../src/server.js'

// Writes its own pid and a grandchild's, sends headers and a line, then waits on the grandchild.
const LINGER = sh(`sleep 60 &
echo $! > "$QUERY_STRING.grandchild.pid"
echo $$ > "$QUERY_STRING.script.pid"
printf 'Content-Type: text/plain\\n\\nstarted\\n'
wait`)

const TREE = {
  'cgi-bin/silent.sh': sh(`sleep 60 &
echo $! > silent.grandchild.pid
echo $$ > silent.script.pid
wait`),
  'cgi-bin/linger.sh': LINGER,
  'cgi-bin/gate.sh': sh(`printf 'Content-Type: text/plain\\n\\nfirst\\n'
while [ ! -e "$QUERY_STRING.open" ]; do sleep 0.01; done
printf 'second\\n'`),
  'cgi-bin/stderr.sh': sh(`echo 'first problem' >&2
printf 'colour \\033[31mred\\n' >&2
printf 'Content-Type: text/plain\\n\\nok'`),
  // Answers with a local redirect to a script that writes its pid, a line, then waits.
  'cgi-bin/redirect.sh': sh(`printf 'Location: /cgi-bin/linger.sh?redirected\\n\\n'`),
  'cgi-bin/query.sh': sh(`printf 'Content-Type: text/plain\\n\\n%s' "$QUERY_STRING"`),
  // Its header block out, then busy with the body and after it: no body byte has gone out.
  'cgi-bin/hold.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
cat > /dev/null
echo $$ > "$QUERY_STRING.script.pid"
exec sleep 60`)
}

let fixture: Fixture
let log: MemoryLog
let server: RunningServer
let base: string

before(async () => {
  fixture = await makeTree(TREE)
  log = memoryLog()
  server = await serve({ directory: fixture.dir, cgi: true, cgiTimeout: 20, logger: log.logger })
  base = server.url
})

after(async () => {
  await server.close()
  await fixture.cleanup()
})

async function pidFrom (name: string): Promise<number> {
  const path = fixture.path('cgi-bin', name)
  await waitFor(async () => (await readFile(path, 'utf8').catch(() => '')).endsWith('\n'), name)
  return Number(await readFile(path, 'utf8'))
}

async function assertGone (...pids: number[]): Promise<void> {
  for (const pid of pids) await waitFor(() => processGone(pid), `process ${pid} to be gone`)
}

/** Sends a GET and resolves with the response once its first body bytes arrived. */
async function firstBytes (path: string, port = server.port): Promise<{ text: string, rest: Promise<string>, destroy: () => void }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.setEncoding('utf8')
      let text = ''
      const rest = new Promise<string>((resolveRest, rejectRest) => {
        res.on('end', () => { resolveRest(text) })
        res.on('error', rejectRest)
      })
      rest.catch(() => {})
      res.once('data', (chunk: string) => {
        text += chunk
        res.on('data', (more: string) => { text += more })
        resolve({ text, rest, destroy: () => { req.destroy() } })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('timeouts', () => {
  let quick: RunningServer
  // Short, but long enough for a script to start on a busy machine.
  before(async () => { quick = await serve({ directory: fixture.dir, cgi: true, cgiTimeout: 1, logger: log.logger }) })
  after(async () => { await quick.close() })

  test('a script silent past the timeout gets 504, and its whole process group is killed', async () => {
    const res = await get(quick.url, '/cgi-bin/silent.sh')
    assert.equal(res.status, 504)
    await assertGone(await pidFrom('silent.script.pid'), await pidFrom('silent.grandchild.pid'))
    const entry = await log.waitFor((e) => e.script === '/cgi-bin/silent.sh')
    assert.equal(entry.msg, 'cgi: /cgi-bin/silent.sh: no response within 1 s; killed')
  })

  test('a script still streaming at the timeout is killed and the response cut short', async () => {
    const response = await firstBytes('/cgi-bin/linger.sh?streaming', quick.port)
    assert.equal(response.text, 'started\n')
    await assert.rejects(response.rest)
    await assertGone(await pidFrom('streaming.script.pid'), await pidFrom('streaming.grandchild.pid'))
    await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/linger.sh: still running after 1 s; killed mid-response')
  })
})

describe('streaming', () => {
  test('the first bytes reach the client before the script exits', async () => {
    const response = await firstBytes('/cgi-bin/gate.sh?stream')
    assert.equal(response.text, 'first\n')
    await writeFile(fixture.path('cgi-bin', 'stream.open'), '')
    assert.equal(await response.rest, 'first\nsecond\n')
  })
})

describe('clients that go away', () => {
  /** Leaves once linger.sh (reached by `path`, its pid files named `name`) has begun its answer; waits until it and its child are gone and logged. */
  async function leaveMidResponse (path: string, name: string): Promise<void> {
    const response = await firstBytes(path)
    assert.equal(response.text, 'started\n')
    const pids = [await pidFrom(`${name}.script.pid`), await pidFrom(`${name}.grandchild.pid`)]
    response.destroy()
    await assertGone(...pids)
    await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/linger.sh: client went away; killed')
  }

  test('a client that disconnects mid-response leaves no process behind', async () => {
    await leaveMidResponse('/cgi-bin/linger.sh?disconnect', 'disconnect')
  })

  test('a client that leaves before any body byte is logged once at info, never as an error', async () => {
    // One slot and a queue: the next request runs only once the script's pipes have closed,
    // which is when Fastify reports the output stream it was given.
    const single = await serve({ directory: fixture.dir, cgi: true, cgiMaxConcurrent: 1, cgiQueue: 1, logger: log.logger })
    const mark = log.entries.length
    try {
      const socket = connect(single.port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write('POST /cgi-bin/hold.sh?left HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc')
      const pid = await pidFrom('left.script.pid')
      socket.destroy()
      await assertGone(pid)
      assert.equal((await get(single.url, '/cgi-bin/query.sh?next')).text, 'next')
      const seen = log.entries.slice(mark)
      assert.deepEqual(seen.filter((e) => (e.level as number) >= 50).map((e) => e.msg), [])
      const left = seen.filter((e) => e.script === '/cgi-bin/hold.sh')
      assert.deepEqual(left.map((e) => [e.level, e.msg]), [[30, 'cgi: /cgi-bin/hold.sh: client went away; killed']])
    } finally {
      await single.close()
    }
  })

  test('a client that leaves while a local redirect is answered is logged at info, never as an error or warning with a stack', async () => {
    const mark = log.entries.length
    await leaveMidResponse('/cgi-bin/redirect.sh', 'redirected')
    // Both requests (the client's and the redirect's) have written their lines.
    await waitFor(() => log.entries.slice(mark).filter((e) => e.statusCode === 200).length >= 2, 'both request lines')
    const loud = log.entries.slice(mark).filter((e) => (e.level as number) >= 40)
    assert.deepEqual(loud.map((e) => [e.level, e.msg]), [])
  })
})

describe('stderr', () => {
  test('each stderr line reaches the log with the script name, control characters escaped', async () => {
    const res = await get(base, '/cgi-bin/stderr.sh')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'ok')
    const first = await log.waitFor((e) => e.script === '/cgi-bin/stderr.sh' && String(e.msg).includes('first'))
    assert.equal(first.msg, 'cgi: /cgi-bin/stderr.sh: first problem')
    const second = await log.waitFor((e) => e.script === '/cgi-bin/stderr.sh' && String(e.msg).includes('colour'))
    assert.equal(second.msg, 'cgi: /cgi-bin/stderr.sh: colour \\x1b[31mred')
  })

  test('the CLI logs stderr lines as JSON', async () => {
    const run = runCli(['--cgi', '-d', fixture.dir, '-b', '127.0.0.1', '0'])
    try {
      const port = await started(run)
      assert.equal((await get(`http://127.0.0.1:${port}/`, '/cgi-bin/stderr.sh')).status, 200)
      const entry = await run.waitForLog((e) => e.script === '/cgi-bin/stderr.sh')
      assert.equal(entry.msg, 'cgi: /cgi-bin/stderr.sh: first problem')
      assert.equal(entry.level, 40)
    } finally {
      run.child.kill('SIGTERM')
      await run.exited
    }
  })
})

describe('concurrency', () => {
  test('50 concurrent requests each get their own answer, 32 running and the rest queued', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => await get(base, `/cgi-bin/query.sh?n=${i}`)))
    answers.forEach((res, i) => {
      assert.equal(res.status, 200)
      assert.equal(res.text, `n=${i}`)
    })
  })

  test('with every slot busy and the queue full, a request gets 503', async () => {
    const capped = await serve({ directory: fixture.dir, cgi: true, cgiMaxConcurrent: 1, cgiQueue: 0, logger: log.logger })
    try {
      const running = await firstBytes('/cgi-bin/gate.sh?capped', capped.port)
      const refused = await get(capped.url, '/cgi-bin/query.sh?refused')
      assert.equal(refused.status, 503)
      assert.match(refused.text, /All 1 CGI script slots are busy/)
      await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/query.sh: refused: all 1 script slots busy and the queue of 0 full')
      await writeFile(fixture.path('cgi-bin', 'capped.open'), '')
      assert.equal(await running.rest, 'first\nsecond\n')
      // The slot comes free when the script's process is gone, a moment after its response ended.
      await waitFor(async () => (await get(capped.url, '/cgi-bin/query.sh?again')).text === 'again', 'the slot to come free')
    } finally {
      await capped.close()
    }
  })
})

describe('shutdown', () => {
  test('closing the app kills the scripts still running', async () => {
    const app = await buildApp({ directory: fixture.dir, cgi: true, cgiTimeout: 30, logLevel: 'silent' })
    const response = app.inject({ url: '/cgi-bin/linger.sh?shutdown' })
    const pids = [await pidFrom('shutdown.script.pid'), await pidFrom('shutdown.grandchild.pid')]
    await app.close()
    await assertGone(...pids)
    await response
  })
})

describe('the plugin on its own', () => {
  test('chunked bodies beyond the memory threshold are spooled to a file that is gone afterwards', async () => {
    const spool = await makeTree({ 'cgi-bin/sum.sh': sh(`printf 'Content-Type: text/plain\\n\\n%s ' "$CONTENT_LENGTH"\nls "$SPOOL_DIR" | wc -l | tr -d ' \\n'\nprintf ' '\nwc -c | tr -d ' '`), spool: null })
    const app = Fastify()
    await app.register(cgi, { dir: spool.path('cgi-bin'), spoolMemory: 1024, spoolLimit: 1024 * 1024, spoolDir: spool.path('spool'), env: { PATH: '/usr/bin:/bin', SPOOL_DIR: spool.path('spool') } })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as { port: number }).port
    try {
      const body = Buffer.alloc(200 * 1024, 'y')
      const res = await get(`http://127.0.0.1:${port}/`, '/cgi-bin/sum.sh', { method: 'PUT', body, headers: { 'transfer-encoding': 'chunked' } })
      assert.equal(res.status, 200)
      // The spool file is unlinked as soon as it is made: the folder looks empty even while in use.
      assert.equal(res.text, `${body.length} 0 ${body.length}\n`)
      assert.deepEqual(await readdir(spool.path('spool')), [])

      // One chunk past the limit, and the body left open: the answer must come anyway.
      const tooBig = await exchange(port, 'PUT /cgi-bin/sum.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `${(1024 * 1024 + 1).toString(16)}\r\n${'z'.repeat(1024 * 1024 + 1)}\r\n`)
      assert.match(tooBig, /^HTTP\/1\.1 413 Payload Too Large\r\n/)
      assert.match(tooBig, /\r\nconnection: close\r\n/i)
      assert.deepEqual(await readdir(spool.path('spool')), [])
    } finally {
      await app.close()
      await spool.cleanup()
    }
  })

  test('bad options are refused at registration, naming the option', async () => {
    const app = Fastify()
    app.register(cgi, { dir: fixture.path('cgi-bin'), mount: 'no-slash' })
    await assert.rejects(async () => { await app.ready() }, /mount must be a URL path/)
    const other = Fastify()
    other.register(cgi, { dir: fixture.path('missing') })
    await assert.rejects(async () => { await other.ready() }, /dir .* does not exist/)
  })
})
