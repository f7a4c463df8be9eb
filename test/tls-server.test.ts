import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { buildApp } from '../src/app.js'
import type { RunningServer } from '../src/server.js'
import { runCli, started } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { captureLog, encryptKey, httpsGet, testCertificate, type CapturedLog } from './helpers/tls.js'

const DAY_MS = 86_400_000
let fixture: Fixture

before(async () => {
  fixture = await makeTree({ 'site/hello.txt': 'hello over TLS\n', 'site/sub/index.html': '<p>sub</p>' })
})
after(async () => { await fixture.cleanup() })

describe('--tls with a generated certificate', () => {
  let server: RunningServer
  let log: CapturedLog
  let ca: string

  before(async () => {
    log = captureLog()
    server = await serve({ directory: fixture.path('site'), tls: true, tlsCacheDir: fixture.path('cache'), logger: log.logger })
    ca = await readFile(fixture.path('cache', 'ec.crt'), 'utf8')
  })
  after(async () => { await server.close() })

  test('serves files over HTTPS to a client that trusts the certificate', async () => {
    const res = await httpsGet(server.port, '/hello.txt', { ca })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.text, 'hello over TLS\n')
  })

  test('the certificate is valid for localhost as well as 127.0.0.1', async () => {
    const res = await httpsGet(server.port, '/sub/', { ca, servername: 'localhost' })
    assert.equal(res.status, 200)
    assert.equal(res.text, '<p>sub</p>')
  })

  test('a redirect stays on the HTTPS origin', async () => {
    const res = await httpsGet(server.port, '/sub?x=1', { ca })
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, '/sub/?x=1')
  })

  test('a client that does not trust the certificate refuses it', async () => {
    await assert.rejects(httpsGet(server.port, '/hello.txt'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
  })

  test('a name the certificate lacks is refused by the client', async () => {
    await assert.rejects(httpsGet(server.port, '/hello.txt', { ca, servername: 'example.com' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  })

  test('the start-up line says HTTPS and describes the certificate', () => {
    const line = log.entries.find((e) => typeof e.msg === 'string' && e.msg.startsWith('Serving'))
    const x509 = new X509Certificate(ca)
    assert.equal(line?.msg, `Serving HTTPS on 127.0.0.1 port ${server.port} (https://127.0.0.1:${server.port}/) ...`)
    assert.equal(line?.url, `https://127.0.0.1:${server.port}/`)
    assert.equal(line?.tls, true)
    assert.deepEqual(line?.certificate, {
      fingerprint256: x509.fingerprint256,
      names: (line?.certificate as { names: string[] }).names,
      expires: new Date(x509.validTo).toISOString(),
      file: fixture.path('cache', 'ec.crt'),
      generated: true
    })
    assert.deepEqual((line?.certificate as { names: string[] }).names.slice(0, 3), ['localhost', '127.0.0.1', '::1'])
    assert.equal(server.url, `https://127.0.0.1:${server.port}/`)
  })

  test('the start-up line comes first, then why a certificate was made', () => {
    const infos = log.entries.filter((e) => e.level === 30)
    assert.match(String(infos[0]?.msg), /^Serving HTTPS/)
    assert.match(String(infos[1]?.msg), /^made a new self-signed certificate because .*ec\.pem does not exist yet/)
  })

  test('plain HTTP on the HTTPS port is disconnected, logged, and harms nothing', async () => {
    await assert.rejects(get(`http://127.0.0.1:${server.port}/`, '/hello.txt'), (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.message === 'socket hang up')
    const warning = log.entries.find((e) => e.level === 40)
    assert.equal(warning?.msg, 'a client sent plain HTTP to this HTTPS port and was disconnected; use an https:// URL')
    assert.equal(warning?.remoteAddress, '127.0.0.1')
    assert.equal((await httpsGet(server.port, '/hello.txt', { ca })).status, 200)
  })
})

test('routes see request.protocol as https under TLS', async () => {
  const app = await buildApp({ directory: fixture.path('site'), tls: true, tlsCacheDir: fixture.path('cache'), logLevel: 'silent' })
  app.get('/protocol', async (request) => ({ protocol: request.protocol }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    const ca = await readFile(fixture.path('cache', 'ec.crt'), 'utf8')
    const res = await httpsGet((app.server.address() as AddressInfo).port, '/protocol', { ca })
    assert.deepEqual(JSON.parse(res.text), { protocol: 'https' })
  } finally {
    await app.close()
  }
})

test('a user certificate with an encrypted key serves HTTPS', async () => {
  const { key, cert } = await testCertificate()
  const certs = await makeTree({ 'cert.pem': cert, 'key.pem': encryptKey(key, 's3cret'), password: 's3cret\n' })
  const server = await serve({ directory: fixture.path('site'), tlsCert: certs.path('cert.pem'), tlsKey: certs.path('key.pem'), tlsPasswordFile: certs.path('password') })
  try {
    const res = await httpsGet(server.port, '/hello.txt', { ca: cert })
    assert.equal(res.status, 200)
    assert.equal(res.text, 'hello over TLS\n')
  } finally {
    await server.close()
    await certs.cleanup()
  }
})

describe('the CLI', () => {
  async function start (args: string[], env: NodeJS.ProcessEnv): Promise<{ run: ReturnType<typeof runCli>, port: number, line: Record<string, unknown> }> {
    const run = runCli(['-d', fixture.path('site'), '-b', '127.0.0.1', ...args, '0'], env)
    const port = await started(run)
    const line = run.logs().find((e) => e.port === port) ?? {}
    return { run, port, line }
  }

  async function stop (run: ReturnType<typeof runCli>): Promise<void> {
    run.child.kill('SIGTERM')
    const { code, stderr, stdout } = await run.exited
    assert.equal(code, 0, stderr + stdout)
  }

  test('--tls makes the certificate once under $XDG_CONFIG_HOME and reuses it on the next start', async () => {
    const env = { XDG_CONFIG_HOME: fixture.path('xdg') }
    const first = await start(['--tls'], env)
    const certificate = first.line.certificate as { fingerprint256: string, file: string }
    assert.equal(certificate.file, fixture.path('xdg', 'servekit', 'tls', 'ec.crt'))
    const ca = await readFile(certificate.file, 'utf8')
    assert.equal(certificate.fingerprint256, new X509Certificate(ca).fingerprint256)
    assert.equal((await httpsGet(first.port, '/hello.txt', { ca })).text, 'hello over TLS\n')
    await first.run.waitForLog((e) => String(e.msg).startsWith('made a new self-signed certificate'))
    await stop(first.run)

    const second = await start(['--tls'], env)
    assert.equal((second.line.certificate as { fingerprint256: string }).fingerprint256, certificate.fingerprint256)
    assert.equal((await httpsGet(second.port, '/hello.txt', { ca })).status, 200)
    await stop(second.run)
    assert.ok(!second.run.logs().some((e) => String(e.msg).startsWith('made a new')))
  })

  test('an expired certificate is served, with a warning in the log', async () => {
    const expired = await testCertificate({ notBefore: new Date(Date.now() - 60 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) })
    const certs = await makeTree({ 'both.pem': expired.key + expired.cert })
    const { run, port } = await start(['--tls-cert', certs.path('both.pem')], {})
    try {
      const warning = await run.waitForLog((e) => e.level === 40)
      assert.match(String(warning.msg), /both\.pem expired on .*; clients will reject it until it is renewed$/)
      await assert.rejects(httpsGet(port, '/hello.txt', { ca: expired.cert }), { code: 'CERT_HAS_EXPIRED' })
      assert.equal((await httpsGet(port, '/hello.txt', { rejectUnauthorized: false })).status, 200)
    } finally {
      await stop(run)
      await certs.cleanup()
    }
  })
})
