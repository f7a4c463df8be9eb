// The health endpoint and the container health check that uses it.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { after, test } from 'node:test'
import { HEALTH_PATH } from '../routes/health/index.js'
import { buildApp } from '../src/app.js'
import { captureLog, testCertificate } from './helpers/tls.js'
import { makeTree } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import { code, NODE_ARGS } from './helpers/repo.js'

const HEALTHCHECK = code('src/healthcheck')

test('GET answers {"status":"ok"} with the uptime, never cached; HEAD the same without a body', async () => {
  const fixture = await makeTree({ 'a.txt': 'a' })
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  after(async () => { await app.close(); await fixture.cleanup() })

  const res = await app.inject({ url: HEALTH_PATH })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(res.headers['cache-control'], 'no-store')
  const body = res.json<{ status: string, uptime: number }>()
  assert.deepEqual(Object.keys(body), ['status', 'uptime'])
  assert.equal(body.status, 'ok')
  assert.ok(Number.isInteger(body.uptime) && body.uptime >= 0)

  const head = await app.inject({ method: 'HEAD', url: HEALTH_PATH })
  assert.equal(head.statusCode, 200)
  assert.equal(head.headers['cache-control'], 'no-store')
  assert.equal(head.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(head.body, '')
})

test('other methods are 405 with Allow: GET, HEAD', async () => {
  const fixture = await makeTree({})
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  after(async () => { await app.close(); await fixture.cleanup() })
  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    const res = await app.inject({ method, url: HEALTH_PATH, payload: 'x' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.headers.allow, 'GET, HEAD')
  }
})

test('it touches no disk: it answers when the served folder is gone, and a file at its path cannot stand in', async () => {
  const fixture = await makeTree({ 'a.txt': 'a', '.well-known/servekit/health': 'a file', '.well-known/servekit/other': 'other' })
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  after(async () => { await app.close() })

  assert.equal((await app.inject({ url: HEALTH_PATH })).json<{ status: string }>().status, 'ok')
  assert.equal((await app.inject({ url: '/.well-known/servekit/other' })).body, 'other', 'the rest of /.well-known/ is still served')

  await fixture.cleanup()
  assert.equal((await app.inject({ url: '/a.txt' })).statusCode, 404)
  assert.equal((await app.inject({ url: HEALTH_PATH })).statusCode, 200)
})

test('probes stay out of the request log at info and appear at debug', async () => {
  const fixture = await makeTree({ 'a.txt': 'a' })
  after(async () => { await fixture.cleanup() })
  for (const level of ['info', 'debug'] as const) {
    const { logger, entries } = captureLog()
    logger.level = level
    const app = await buildApp({ directory: fixture.dir, logger })
    await app.inject({ url: HEALTH_PATH })
    await app.inject({ url: '/a.txt' })
    await app.close()
    const probes = entries.filter((e) => e.url === HEALTH_PATH)
    assert.equal(entries.filter((e) => e.url === '/a.txt' && e.level === 30).length, 1)
    assert.deepEqual(probes.map((e) => [e.level, e.statusCode]), level === 'info' ? [] : [[20, 200]])
  }
})

async function healthcheck (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null, stderr: string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, HEALTHCHECK, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stderr }
}

test('the health check script finds the server from the same variables, over HTTP and HTTPS', async () => {
  const fixture = await makeTree({})
  const plain = await serve({ directory: fixture.dir })
  const { key, cert } = await testCertificate()
  const secure = await serve({ directory: fixture.dir, https: { key, cert } })
  after(async () => { await plain.close(); await secure.close(); await fixture.cleanup() })

  assert.deepEqual(await healthcheck([], { SERVEKIT_PORT: String(plain.port) }), { code: 0, stderr: '' })
  assert.deepEqual(await healthcheck([String(plain.port)], { SERVEKIT_BIND: '127.0.0.1' }), { code: 0, stderr: '' })
  assert.deepEqual(await healthcheck([], { SERVEKIT_PORT: String(secure.port), SERVEKIT_TLS: '1' }), { code: 0, stderr: '' })
})

test('the health check script fails in one line when nothing answers', async () => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  const { code, stderr } = await healthcheck([], { PORT: String(port) })
  assert.equal(code, 1)
  assert.equal(stderr, `servekit health check: connect ECONNREFUSED 127.0.0.1:${port}\n`)
})

test('the health check script refuses a bad variable as the server would', async () => {
  const { code, stderr } = await healthcheck([], { SERVEKIT_TLS: 'maybe' })
  assert.equal(code, 1)
  assert.match(stderr, /^servekit health check: SERVEKIT_TLS "maybe" must be one of /)
})
