// The edges of HTTP/1.1 that Node's server leaves to us: how long headers may take,
// the absolute-form request target, and requests the parser refuses.
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { after, before, describe, test } from 'node:test'
import Fastify from 'fastify'
import { buildApp, TIMEOUTS } from '../src/app.js'
import { originForm } from '../src/request-target.js'
import { rejectedTarget } from '../src/client-errors.js'
import type { RunningServer } from '../src/server.js'
import { parseEnv, sh } from './helpers/cgi.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { exchange } from './helpers/http.js'
import { memoryLog, type MemoryLog } from './helpers/log.js'
import { serve } from './helpers/server.js'
import { testCertificate, type TestCertificate } from './helpers/tls.js'

const MARKER = 'OUTSIDE-MARKER-7f3a9c'

let fixture: Fixture
let certificate: TestCertificate

before(async () => {
  fixture = await makeTree({
    'root/r.txt': 'inside\n',
    'root/sub/a.txt': 'a\n',
    'root/cgi-bin/env.sh': sh("printf 'Content-Type: text/plain\\n\\n'\nenv"),
    'outside/secret.txt': `${MARKER}\n`
  })
  certificate = await testCertificate()
})
after(async () => { await fixture.cleanup() })

/** The first log entry that `match` accepts, logged already or within 5 s. */
async function logged (log: MemoryLog, match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error('no such log line within 5 s')) }, 5000) })
  try {
    return await Promise.race([log.waitFor(match), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The status line's code and the body of a raw HTTP/1.1 answer. */
function parseAnswer (answer: string): { status: number, headers: string, body: string } {
  const end = answer.indexOf('\r\n\r\n')
  const head = end === -1 ? answer : answer.slice(0, end)
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: end === -1 ? '' : answer.slice(end + 4) }
}

async function rawGet (port: number, target: string, headers = 'Host: localhost\r\n'): Promise<{ status: number, headers: string, body: string }> {
  return parseAnswer(await exchange(port, `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`))
}

describe('headers must arrive within 30 s', () => {
  for (const scheme of ['http', 'https'] as const) {
    test(`${scheme}: the production limit is 30 s, enforced within a second of it`, async () => {
      const app = await buildApp({ directory: fixture.path('root'), logLevel: 'silent', ...(scheme === 'https' ? { https: certificate } : {}) })
      after(async () => { await app.close() })
      const server = app.server as typeof app.server & { connectionsCheckingInterval: number }
      assert.equal(TIMEOUTS.headers, 30_000)
      assert.equal(server.headersTimeout, 30_000)
      // Node cuts at the first sweep of its connections after the limit has passed.
      assert.ok(server.headersTimeout + server.connectionsCheckingInterval <= 31_000, `swept every ${server.connectionsCheckingInterval} ms`)
    })
  }

  /**
   * Sends a request's headers one byte at a time, every `everyMs`, and returns when
   * the server closes the connection (or after `giveUpMs`, as `cut: false`).
   */
  async function dripHeaders (open: (ready: () => void) => Socket, everyMs: number, giveUpMs: number): Promise<{ cut: boolean, elapsedMs: number, answer: string }> {
    return await new Promise((resolve, reject) => {
      let started = 0
      let drip: NodeJS.Timeout | undefined
      const chunks: Buffer[] = []
      const socket = open(() => {
        started = Date.now()
        socket.write('GET /r.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ')
        drip = setInterval(() => socket.write('a'), everyMs)
      })
      const giveUp = setTimeout(() => { finish(false) }, giveUpMs)
      function finish (cut: boolean): void {
        clearInterval(drip)
        clearTimeout(giveUp)
        socket.destroy()
        resolve({ cut, elapsedMs: Date.now() - started, answer: Buffer.concat(chunks).toString('latin1') })
      }
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error) })
      socket.on('close', () => { finish(true) })
    })
  }

  for (const scheme of ['http', 'https'] as const) {
    test(`${scheme}: a client dripping header bytes is cut at the limit, not at the next 30 s sweep`, async () => {
      const log = memoryLog()
      const server = await serve({ directory: fixture.path('root'), logger: log.logger, ...(scheme === 'https' ? { https: certificate } : {}) })
      after(async () => { await server.close() })
      // A shorter limit so that the test takes seconds; the sweep interval is production's.
      const limitMs = 2000
      server.app.server.headersTimeout = limitMs
      const open = scheme === 'http'
        ? (ready: () => void) => connect({ port: server.port, host: '127.0.0.1' }, ready)
        : (ready: () => void) => tlsConnect({ port: server.port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost' }, ready)
      const result = await dripHeaders(open, 100, limitMs + 4000)

      assert.ok(result.cut, `still connected after ${result.elapsedMs} ms`)
      assert.ok(result.elapsedMs >= limitMs - 100, `cut after ${result.elapsedMs} ms, before the limit`)
      // Room for a loaded CI machine; Node's default sweep would cut it at about 30 s.
      assert.ok(result.elapsedMs <= limitMs + TIMEOUTS.sweep + 2500, `cut after ${result.elapsedMs} ms`)
      assert.equal(parseAnswer(result.answer).status, 408)
      const line = await logged(log, (entry) => entry.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      assert.equal(line.remoteAddress, '127.0.0.1')
    })
  }
  for (const scheme of ['http', 'https'] as const) {
    test(`${scheme}: a client silent almost to the limit, then dripping, is cut at the limit from its connection`, async () => {
      const server = await serve({ directory: fixture.path('root'), logLevel: 'silent', ...(scheme === 'https' ? { https: certificate } : {}) })
      after(async () => { await server.close() })
      const limitMs = 2000
      server.app.server.headersTimeout = limitMs
      const result = await new Promise<{ elapsedMs: number, answer: string }>((resolve) => {
        let started = 0
        let drip: NodeJS.Timeout | undefined
        const chunks: Buffer[] = []
        const ready = (): void => {
          started = Date.now()
          // Node restarts its clock at the first byte: sent just before the limit, it used to buy another full limit.
          setTimeout(() => { socket.write('GET /r.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: '); drip = setInterval(() => socket.write('a'), 100) }, limitMs - 200)
        }
        const socket: Socket = scheme === 'http'
          ? connect({ port: server.port, host: '127.0.0.1' }, ready)
          : tlsConnect({ port: server.port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost' }, ready)
        socket.on('data', (chunk: Buffer) => chunks.push(chunk))
        socket.on('error', () => {})
        socket.on('close', () => { clearInterval(drip); resolve({ elapsedMs: Date.now() - started, answer: Buffer.concat(chunks).toString('latin1') }) })
      })
      // Before the fix: about limitMs - 200 + limitMs (+ a sweep), 3.8-4.3 s.
      assert.ok(result.elapsedMs >= limitMs - 100, `cut after ${result.elapsedMs} ms, before the limit`)
      assert.ok(result.elapsedMs < limitMs + 1400, `cut after ${result.elapsedMs} ms: the first byte restarted the clock`)
      assert.equal(parseAnswer(result.answer).status, 408)
    })
  }
})

describe('absolute-form request targets (RFC 9112 §3.2.2)', () => {
  let server: RunningServer

  before(async () => {
    server = await serve({ directory: fixture.path('root'), cgi: true })
  })
  after(async () => { await server.close() })

  test('origin-form passes unchanged; scheme and authority are dropped from http and https URIs', () => {
    assert.equal(originForm('/r.txt?x=1'), '/r.txt?x=1')
    assert.equal(originForm('http://localhost:8000/r.txt'), '/r.txt')
    assert.equal(originForm('HTTPS://User@Example.COM/a/b?c'), '/a/b?c')
    assert.equal(originForm('http://x'), '/')
    assert.equal(originForm('http://x?q=1'), '/?q=1')
    assert.equal(originForm('http://x//evil'), '//evil')
    assert.equal(originForm('http://x/../../etc/passwd'), '/../../etc/passwd')
  })

  test('targets that are not http(s) absolute URIs are left as they came', () => {
    assert.equal(originForm('*'), '*')
    assert.equal(originForm('example.com:443'), 'example.com:443')
    assert.equal(originForm('ftp://x/r.txt'), 'ftp://x/r.txt')
    assert.equal(originForm('http:/r.txt'), 'http:/r.txt')
  })

  test('GET http://localhost:PORT/r.txt serves the file, whatever the Host header says', async () => {
    const res = await rawGet(server.port, `http://localhost:${server.port}/r.txt`, 'Host: elsewhere.example\r\n')
    assert.equal(res.status, 200)
    assert.equal(res.body, 'inside\n')
  })

  test('the host part is ignored: any host and scheme name this server', async () => {
    const res = await rawGet(server.port, 'HTTPS://other.example:9/r.txt?x=1')
    assert.equal(res.status, 200)
    assert.equal(res.body, 'inside\n')
  })

  test('an absolute URI with no path lists the root', async () => {
    const res = await rawGet(server.port, 'http://localhost?format=json')
    assert.equal(res.status, 200)
    assert.equal((JSON.parse(res.body) as { path: string }).path, '/')
  })

  test('a folder without its slash redirects to a local path, never to another host', async () => {
    const res = await rawGet(server.port, 'http://x//sub')
    assert.equal(res.status, 301)
    assert.match(res.headers, /\r\nlocation: \/sub\/\r\n/i)
  })

  for (const target of ['http://x/../outside/secret.txt', 'http://x/../../outside/secret.txt', 'http://x/%2e%2e/outside/secret.txt', 'http://x/sub/..%2f..%2foutside/secret.txt', 'http://x/..']) {
    test(`${target} cannot climb out of the root`, async () => {
      const res = await rawGet(server.port, target)
      assert.ok(!res.body.includes(MARKER))
      assert.ok(res.status === 404 || res.status === 400 || (res.status === 301 && /\r\nlocation: \/\r\n/i.test(res.headers)), `answered ${res.status}`)
    })
  }

  test('CGI sees origin-form: REQUEST_URI, SCRIPT_NAME and PATH_INFO are paths', async () => {
    const res = await rawGet(server.port, 'http://localhost/cgi-bin/env.sh/extra?q=1')
    assert.equal(res.status, 200)
    const env = parseEnv(res.body)
    assert.equal(env.REQUEST_URI, '/cgi-bin/env.sh/extra?q=1')
    assert.equal(env.SCRIPT_NAME, '/cgi-bin/env.sh')
    assert.equal(env.PATH_INFO, '/extra')
    assert.equal(env.QUERY_STRING, 'q=1')
  })
})

describe('requests the parser rejects are logged', () => {
  let server: RunningServer
  let bare: Awaited<ReturnType<typeof Fastify>>
  let barePort: number
  let log: MemoryLog

  before(async () => {
    log = memoryLog()
    server = await serve({ directory: fixture.path('root'), logger: log.logger })
    // Fastify with its own clientErrorHandler: what servekit's answers must equal.
    bare = Fastify()
    await bare.listen({ port: 0, host: '127.0.0.1' })
    barePort = (bare.server.address() as { port: number }).port
  })
  after(async () => { await server.close(); await bare.close() })

  test('a control character in the target: 400, and one line with the target escaped, the client and the code', async () => {
    const answer = await exchange(server.port, 'GET /a\x1b[31mb HTTP/1.1\r\nHost: localhost\r\n\r\n')
    assert.equal(parseAnswer(answer).status, 400)
    const line = await logged(log, (entry) => entry.code === 'HPE_INVALID_URL')
    assert.equal(line.target, '/a\\x1b[31mb')
    assert.equal(line.remoteAddress, '127.0.0.1')
    assert.equal(line.statusCode, 400)
    assert.equal(line.level, 30)
    assert.ok(!JSON.stringify(log.entries).includes('\\u001b'), 'the raw control character reached the log')
  })

  test('a bad method is logged with its code', async () => {
    await exchange(server.port, 'G@T /r.txt HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const line = await logged(log, (entry) => entry.code === 'HPE_INVALID_METHOD')
    assert.equal(line.target, '/r.txt')
    assert.equal(line.remoteAddress, '127.0.0.1')
  })

  const REJECTED: Record<string, string> = {
    'a control character in the target': 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n',
    'a bad method': 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n',
    'a bad header line': 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    'headers over the size limit': `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`
  }
  for (const [what, bytes] of Object.entries(REJECTED)) {
    test(`${what}: the answer is Fastify's own, byte for byte`, async () => {
      const ours = await exchange(server.port, bytes)
      const theirs = await exchange(barePort, bytes)
      assert.ok(ours.startsWith('HTTP/1.1 4'), ours)
      assert.equal(ours, theirs)
    })
  }

  test('the header overflow is 431 and logged as such', async () => {
    await exchange(server.port, REJECTED['headers over the size limit']!)
    const line = await logged(log, (entry) => entry.code === 'HPE_HEADER_OVERFLOW')
    assert.equal(line.statusCode, 431)
  })

  test('the target is read from the request line only, and capped', () => {
    assert.equal(rejectedTarget(Buffer.from('GET /x HTTP/1.1\r\n')), '/x')
    assert.equal(rejectedTarget(Buffer.from('G@T /x HTTP/1.1\r\n')), '/x')
    // The tails of request lines split across packets.
    assert.equal(rejectedTarget(Buffer.from('\x01 HTTP/1.1\r\n')), undefined)
    assert.equal(rejectedTarget(Buffer.from('d HTTP/1.1\r\nBad Header\r\n')), undefined)
    assert.equal(rejectedTarget('GET /x HTTP/1.1'), undefined)
    assert.equal(rejectedTarget(Buffer.from(`GET /${'a'.repeat(10_000)} HTTP/1.1\r\n`))?.length, 512)
  })
})

describe('over HTTPS, a rejected request is logged too', () => {
  test('a control character in the target, sent over TLS', async () => {
    const log = memoryLog()
    const server = await serve({ directory: fixture.path('root'), logger: log.logger, https: certificate })
    after(async () => { await server.close() })
    const answer = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      const socket = tlsConnect({ port: server.port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost' }, () => {
        socket.write('GET /tls\x01 HTTP/1.1\r\nHost: localhost\r\n\r\n')
      })
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error) })
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    })
    assert.equal(parseAnswer(answer).status, 400)
    const line = await logged(log, (entry) => entry.code === 'HPE_INVALID_URL')
    assert.equal(line.target, '/tls\\x01')
    assert.equal(line.remoteAddress, '127.0.0.1')
  })
})
