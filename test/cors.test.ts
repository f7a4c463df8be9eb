// CORS: any origin or a list, on files, listings and error replies alike; preflights
// answered 204 with the CORS headers (not the static plugin's 405, and never a 401
// with passwords on); Vary: Origin kept for a list whatever Vary the handler set.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import auth from '../plugins/auth/index.js'
import cors, { parseOrigins, withOrigin, type CorsOptions } from '../plugins/cors/index.js'
import staticFiles from '../plugins/static/index.js'
import health from '../routes/health/index.js'
import { useErrorReplies } from '../src/error-reply.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const PAGE = 'https://app.example'
const PREFLIGHT = { origin: PAGE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' }

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'a.txt': 'alpha', 'dir/b.txt': 'beta' }) })
after(async () => { await fixture.cleanup() })

async function appWith (options: CorsOptions, users?: string[]): Promise<FastifyInstance> {
  const app = Fastify()
  useErrorReplies(app)
  // CORS first: its hook answers preflights and names the origin before a 401 can end the request.
  await app.register(cors, options)
  if (users !== undefined) await app.register(auth, { users })
  // @fastify/cors answers OPTIONS: the static plugin leaves it out of its 405 route.
  await app.register(staticFiles, { root: fixture.dir, writeMethods: ['OPTIONS'] })
  await app.register(health)
  return app
}

function varyOf (headers: Record<string, unknown>): string[] {
  return String(headers.vary ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
}

describe('any origin (--cors)', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ origin: '*' }) })
  after(async () => { await app.close() })

  test('a file, a listing and a 404 all carry Access-Control-Allow-Origin: *', async () => {
    for (const [url, status] of [['/a.txt', 200], ['/dir/', 200], ['/missing.txt', 404]] as const) {
      const res = await app.inject({ url, headers: { origin: PAGE } })
      assert.equal(res.statusCode, status, url)
      assert.equal(res.headers['access-control-allow-origin'], '*', url)
    }
    const missing = await app.inject({ url: '/missing.txt', headers: { origin: PAGE } })
    assert.equal(missing.json().statusCode, 404)
  })

  test('what a page may read: ranges, the file name, the ETag', async () => {
    const res = await app.inject({ url: '/a.txt', headers: { origin: PAGE } })
    assert.equal(res.headers['access-control-expose-headers'], 'Accept-Ranges, Content-Range, Content-Disposition, ETag')
    assert.equal(varyOf(res.headers).includes('origin'), false, 'the same answer for every origin')
  })

  test('a preflight is 204 with the CORS headers, not the static plugin\'s 405', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/a.txt', headers: PREFLIGHT })
    assert.equal(res.statusCode, 204)
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-allow-methods'], 'GET,HEAD,POST')
    assert.equal(res.headers['access-control-allow-headers'], 'range')
    assert.equal(res.headers['access-control-max-age'], '600')
    assert.equal(res.headers['content-length'], '0')
  })

  test('a write still gets the static plugin\'s 405, with the header', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/a.txt', headers: { origin: PAGE } })
    assert.equal(res.statusCode, 405)
    assert.equal(res.headers['access-control-allow-origin'], '*')
  })
})

describe('a list of origins (--cors https://app.example,http://localhost:3000)', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ origin: `${PAGE}, http://localhost:3000` }) })
  after(async () => { await app.close() })

  test('an origin on the list is named back, with Vary: Origin', async () => {
    for (const origin of [PAGE, 'http://localhost:3000']) {
      const res = await app.inject({ url: '/a.txt', headers: { origin } })
      assert.equal(res.headers['access-control-allow-origin'], origin)
      assert.ok(varyOf(res.headers).includes('origin'))
    }
  })

  test('another origin gets no Access-Control-Allow-Origin, and the Vary all the same', async () => {
    const res = await app.inject({ url: '/a.txt', headers: { origin: 'https://evil.example' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['access-control-allow-origin'], undefined)
    assert.ok(varyOf(res.headers).includes('origin'))
  })

  test('listings and error replies keep their Vary: Accept and gain Origin', async () => {
    for (const [url, status] of [['/dir/', 200], ['/missing.txt', 404]] as const) {
      const res = await app.inject({ url, headers: { origin: PAGE } })
      assert.equal(res.statusCode, status)
      assert.equal(res.headers['access-control-allow-origin'], PAGE)
      assert.ok(varyOf(res.headers).includes('accept'), url)
      assert.ok(varyOf(res.headers).includes('origin'), url)
    }
  })

  test('a preflight from a listed origin is 204 and names it', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/dir/', headers: PREFLIGHT })
    assert.equal(res.statusCode, 204)
    assert.equal(res.headers['access-control-allow-origin'], PAGE)
  })
})

describe('with passwords on', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ origin: '*' }, ['me:s3cret']) })
  after(async () => { await app.close() })

  test('a preflight, which carries no credentials, is 204, not 401', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/a.txt', headers: PREFLIGHT })
    assert.equal(res.statusCode, 204)
    assert.equal(res.headers['access-control-allow-origin'], '*')
  })

  test('the request itself still needs the password, and its 401 is readable by the page', async () => {
    const res = await app.inject({ url: '/a.txt', headers: { origin: PAGE } })
    assert.equal(res.statusCode, 401)
    assert.equal(res.headers['access-control-allow-origin'], '*')
    const ok = await app.inject({ url: '/a.txt', headers: { origin: PAGE, authorization: 'Basic ' + Buffer.from('me:s3cret').toString('base64') } })
    assert.equal(ok.body, 'alpha')
  })
})

test('origins are checked at registration, naming the option', () => {
  assert.equal(parseOrigins('*'), '*')
  assert.deepEqual(parseOrigins(['https://a.example', 'http://localhost:3000']), ['https://a.example', 'http://localhost:3000'])
  assert.throws(() => parseOrigins('https://a.example/path'), /^OptionError: origin "https:\/\/a.example\/path" must be an origin/)
  assert.throws(() => parseOrigins('a.example'), /must be an origin/)
  assert.throws(() => parseOrigins('*,https://a.example'), /not both/)
  assert.throws(() => parseOrigins(' , '), /at least one origin/)
  assert.throws(() => parseOrigins(3), /origin must be \*/)
})

test('Origin joins whatever Vary a handler set, once', () => {
  assert.equal(withOrigin(undefined), 'Origin')
  assert.equal(withOrigin('Accept, Accept-Encoding'), 'Accept, Accept-Encoding, Origin')
  assert.equal(withOrigin(['Accept', 'Accept-Encoding']), 'Accept, Accept-Encoding, Origin')
  assert.equal(withOrigin('origin, Accept'), 'origin, Accept')
  assert.equal(withOrigin('*'), '*')
})
