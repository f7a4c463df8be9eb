// The echo route (`--echo`): what a request carried, as JSON, under /echo.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import type { RunningServer } from '../src/server.js'

interface Echo {
  method: string
  path: string
  query_data: Record<string, unknown>
  post_data: string
  post_data_encoding?: string
  form_data: Record<string, unknown>
  cookies: Record<string, unknown>
  headers: Record<string, unknown>
}

let fixture: Fixture
let app: FastifyInstance

before(async () => {
  fixture = await makeTree({ 'index.html': '<h1>home</h1>', echoes: 'a static file beside the echo route' })
  app = await buildApp({ directory: fixture.dir, echo: true, logLevel: 'silent' })
})
after(async () => {
  await app.close()
  await fixture.cleanup()
})

function multipartBody (boundary: string, parts: Array<{ name: string, value: string | Buffer, filename?: string, type?: string }>): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`
    const type = part.type === undefined ? '' : `Content-Type: ${part.type}\r\n`
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(part.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

describe('the tutorial\'s curl example', () => {
  let server: RunningServer
  before(async () => { server = await serve({ directory: fixture.dir, echo: true }) })
  after(async () => { await server.close() })

  test('gives the tutorial\'s values under the tutorial\'s keys', async () => {
    // curl -X POST '.../echo/login?failed=true&lang=en' -H 'Cookie: session=d7f2cf106764;eu_cookie_consent=true' --data 'username=jdoe&password=s3cret'
    const res = await get(server.url, '/echo/login?failed=true&lang=en', {
      method: 'POST',
      headers: { cookie: 'session=d7f2cf106764;eu_cookie_consent=true', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=jdoe&password=s3cret'
    })
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    const { headers, ...rest } = JSON.parse(res.text) as Echo
    assert.deepEqual(rest, {
      method: 'POST',
      path: '/echo/login',
      query_data: { failed: 'true', lang: 'en' },
      post_data: 'username=jdoe&password=s3cret',
      form_data: { username: 'jdoe', password: 's3cret' },
      cookies: { session: 'd7f2cf106764', eu_cookie_consent: 'true' }
    })
    assert.equal(headers.host, new URL(server.url).host)
    assert.equal(headers['content-type'], 'application/x-www-form-urlencoded')
    assert.equal(headers.cookie, 'session=d7f2cf106764;eu_cookie_consent=true')
  })
})

test('a repeated key becomes an array of its values, in query, form, cookies and headers', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/echo/?tag=a&tag=b&one=1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'id=1; id=2; lang=en', 'x-trace': ['t1', 't2'] },
    payload: 'pick=x&pick=y&pick=z&name=jo+doe'
  })
  assert.equal(res.statusCode, 200)
  const echo = res.json<Echo>()
  assert.deepEqual(echo.query_data, { tag: ['a', 'b'], one: '1' })
  assert.deepEqual(echo.form_data, { pick: ['x', 'y', 'z'], name: 'jo doe' })
  assert.deepEqual(echo.cookies, { id: ['1', '2'], lang: 'en' })
  assert.deepEqual(echo.headers['x-trace'], ['t1', 't2'])
})

test('multipart fields are form data and a file part is its name, type and size', async () => {
  const file = Buffer.alloc(300_000, 7)
  const boundary = 'servekit-boundary'
  const res = await app.inject({
    method: 'POST',
    url: '/echo/upload',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipartBody(boundary, [
      { name: 'title', value: 'holiday' },
      { name: 'photo', value: file, filename: 'beach.jpg', type: 'image/jpeg' },
      { name: 'tag', value: 'sea' },
      { name: 'tag', value: 'sun' }
    ])
  })
  assert.equal(res.statusCode, 200)
  const echo = res.json<Echo>()
  assert.deepEqual(echo.form_data, {
    title: 'holiday',
    photo: { filename: 'beach.jpg', type: 'image/jpeg', size: 300_000 },
    tag: ['sea', 'sun']
  })
  assert.equal(echo.post_data, '')
})

test('an empty GET has empty data and no encoding key', async () => {
  const res = await app.inject({ url: '/echo' })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  const { headers, ...rest } = res.json<Echo>()
  assert.deepEqual(rest, { method: 'GET', path: '/echo', query_data: {}, post_data: '', form_data: {}, cookies: {} })
  assert.equal(typeof headers.host, 'string')
})

test('a body that is not UTF-8 comes back as base64 with post_data_encoding', async () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41])
  const res = await app.inject({ method: 'PUT', url: '/echo/blob', headers: { 'content-type': 'application/octet-stream' }, payload: bytes })
  const echo = res.json<Echo>()
  assert.equal(echo.post_data_encoding, 'base64')
  assert.deepEqual(Buffer.from(echo.post_data, 'base64'), bytes)
  assert.deepEqual(echo.form_data, {})
})

test('a UTF-8 body and a JSON body come back as text, not parsed', async () => {
  const text = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: 'naïve ✓' })
  assert.equal(text.json<Echo>().post_data, 'naïve ✓')
  assert.equal(text.json<Echo>().post_data_encoding, undefined)

  const json = await app.inject({ method: 'PATCH', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a": [1, 2]}' })
  assert.equal(json.statusCode, 200)
  assert.equal(json.json<Echo>().post_data, '{"a": [1, 2]}')
  assert.deepEqual(json.json<Echo>().form_data, {})
})

test('a body over the limit is 413 with a JSON error', async () => {
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: Buffer.alloc(1_048_577, 0x61) })
  assert.equal(res.statusCode, 413)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  assert.equal(res.json<{ statusCode: number }>().statusCode, 413)
})

describe('a multipart body over the limit', () => {
  let server: RunningServer
  before(async () => { server = await serve({ directory: fixture.dir, echo: true }) })
  after(async () => { await server.close() })

  test('is 413 even when sent chunked, without a length to check first', async () => {
    const boundary = 'b0undary'
    const res = await get(server.url, '/echo', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      // Many parts, each under the per-file limit, together over the body limit.
      body: multipartBody(boundary, Array.from({ length: 5 }, (_, i) => ({ name: 'f', value: Buffer.alloc(300_000), filename: `${i}.bin` })))
    })
    assert.equal(res.status, 413)
    assert.equal(JSON.parse(res.text).statusCode, 413)
    assert.equal(res.headers.connection, 'close', 'the rest of the upload is not read')
  })
})

test('a malformed multipart body is 400, not a server error', async () => {
  for (const [type, payload] of [['multipart/form-data', 'no boundary'], ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\ncut off']]) {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type! }, payload: payload! })
    assert.equal(res.statusCode, 400, type)
    assert.match(res.json<{ message: string }>().message, /^Malformed multipart body: /)
  }
})

test('cookies with odd characters keep their values as @fastify/cookie decodes them', async () => {
  const res = await app.inject({
    url: '/echo',
    headers: { cookie: 'eq=a=b=c; quoted="x y"; utf8=%E2%9C%93; bad=%zz; empty=; spaced = v ; __proto__=p; noequals; plus=a+b' }
  })
  // Parsed from JSON: an object literal would take `__proto__` as its prototype.
  assert.deepEqual(res.json<Echo>().cookies, JSON.parse(
    '{"eq": "a=b=c", "quoted": "\\"x y\\"", "utf8": "✓", "bad": "%zz", "empty": "", "spaced": "v", "__proto__": "p", "plus": "a+b"}'
  ))
})

test('every method answers, HEAD without a body', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const) {
    const res = await app.inject({ method, url: '/echo/any/path?x=1' })
    assert.equal(res.statusCode, 200, method)
    assert.equal(res.json<Echo>().method, method)
    assert.equal(res.json<Echo>().path, '/echo/any/path')
  }
  const head = await app.inject({ method: 'HEAD', url: '/echo' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
})

test('/echo, /echo/ and everything below are echoed; /echoes is not', async () => {
  for (const url of ['/echo', '/echo/', '/echo/a/b/c']) {
    assert.equal((await app.inject({ url })).json<Echo>().path, url)
  }
  const other = await app.inject({ url: '/echoes' })
  assert.equal(other.body, 'a static file beside the echo route')
})

test('the path is reported as sent, not decoded', async () => {
  const res = await app.inject({ url: '/echo/a%20b/%41?q=%41' })
  assert.equal(res.json<Echo>().path, '/echo/a%20b/%41')
  assert.deepEqual(res.json<Echo>().query_data, { q: 'A' })
})

test('without --echo, /echo is an ordinary static path', async () => {
  const plain = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  try {
    assert.equal((await plain.inject({ url: '/echo' })).statusCode, 404)
  } finally {
    await plain.close()
  }
})

test('an echo reply runs no onSend hook: the cookie parser is borrowed, its Set-Cookie writer left out', async () => {
  await app.ready()
  const routes = app.printRoutes({ includeHooks: true, commonPrefix: false })
  const echoRoutes = routes.split('\n').filter((line) => line.includes('echo'))
  assert.ok(echoRoutes.length > 0, routes)
  assert.doesNotMatch(routes, /fastifyCookieOnSendHandler/)
  const res = await app.inject({ method: 'POST', url: '/echo/login', headers: { cookie: 'a=%20b; c=d' }, payload: '' })
  assert.equal(res.headers['set-cookie'], undefined)
  assert.deepEqual((res.json() as Echo).cookies, { a: ' b', c: 'd' })
})
