// The sharing features as buildApp wires them from the options: each on only when
// asked for, each reaching the static plugin's pages and answers.
import { strict as assert } from 'node:assert'
import { after, before, test } from 'node:test'
import { readFile } from 'node:fs/promises'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'a.txt': 'a', 'docs/b.txt': 'b' }) })
after(async () => { await fixture.cleanup() })

test('without --upload: no write methods, no upload form, and PUT is a 405 offering reads only', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  try {
    const put = await app.inject({ method: 'PUT', url: '/a.txt', payload: 'x' })
    assert.equal(put.statusCode, 405)
    assert.equal(put.headers.allow, 'GET, HEAD')
    assert.equal(await readFile(fixture.path('a.txt'), 'utf8'), 'a')
    const page = await app.inject({ url: '/docs/', headers: { accept: 'text/html' } })
    assert.doesNotMatch(page.body, /enctype="multipart\/form-data"/)
    assert.match(String(page.headers['content-security-policy']), /form-action 'none'/)
  } finally {
    await app.close()
  }
})

test('with --upload: PUT stores a file, the page has the form, and a 405 offers the writes too', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true })
  try {
    const put = await app.inject({ method: 'PUT', url: '/docs/new.txt', payload: 'fresh' })
    assert.equal(put.statusCode, 201)
    assert.equal(await readFile(fixture.path('docs/new.txt'), 'utf8'), 'fresh')
    assert.equal((await app.inject({ method: 'PUT', url: '/docs/new.txt', payload: 'again' })).statusCode, 409)
    assert.equal((await app.inject({ url: '/docs/new.txt' })).body, 'fresh')
    const page = await app.inject({ url: '/docs/', headers: { accept: 'text/html' } })
    assert.match(page.body, /<form class="upl" method="post" enctype="multipart\/form-data">/)
    assert.match(page.body, /new\.txt/)
    const del = await app.inject({ method: 'DELETE', url: '/a.txt' })
    assert.equal(del.statusCode, 405)
    assert.equal(del.headers.allow, 'GET, HEAD, PUT, POST, MKCOL')
  } finally {
    await app.close()
  }
})

test('with --upload and --overwrite, and the size limit', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true, overwrite: true, uploadMax: 4 })
  try {
    assert.equal((await app.inject({ method: 'PUT', url: '/a.txt', payload: 'abcd' })).statusCode, 201)
    assert.equal(await readFile(fixture.path('a.txt'), 'utf8'), 'abcd')
    assert.equal((await app.inject({ method: 'PUT', url: '/a.txt', payload: 'abcde' })).statusCode, 413)
    assert.equal(await readFile(fixture.path('a.txt'), 'utf8'), 'abcd')
  } finally {
    await app.close()
  }
})

const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')

test('--archive: ?download=zip is a zip of the folder, linked from its listing; without it, the listing', async () => {
  const on = await buildApp({ directory: fixture.dir, logLevel: 'silent', archive: true })
  const off = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  try {
    const zip = await on.inject({ url: '/docs/?download=zip' })
    assert.equal(zip.statusCode, 200)
    assert.equal(zip.headers['content-type'], 'application/zip')
    assert.equal(zip.headers['content-disposition'], 'attachment; filename="docs.zip"')
    assert.equal(zip.rawPayload.subarray(0, 4).toString('latin1'), 'PK\x03\x04')
    assert.match((await on.inject({ url: '/docs/', headers: { accept: 'text/html' } })).body, /href="\?download=zip"/)
    const listing = await off.inject({ url: '/docs/?download=zip', headers: { accept: 'text/html' } })
    assert.match(String(listing.headers['content-type']), /^text\/html/)
    assert.doesNotMatch(listing.body, /download=zip/)
  } finally {
    await on.close()
    await off.close()
  }
})

test('--auth: everything asks for the password, the health check excepted; --auth-writes-only asks only for writes', async () => {
  const all = await buildApp({ directory: fixture.dir, logLevel: 'silent', auth: ['ann:s3cret'], upload: true })
  const writes = await buildApp({ directory: fixture.dir, logLevel: 'silent', auth: ['ann:s3cret'], authWritesOnly: true, upload: true })
  try {
    const refused = await all.inject({ url: '/a.txt' })
    assert.equal(refused.statusCode, 401)
    assert.equal(refused.headers['www-authenticate'], 'Basic realm="servekit", charset="UTF-8"')
    assert.equal((await all.inject({ url: '/a.txt', headers: { authorization: basic('ann', 'wrong') } })).statusCode, 401)
    assert.equal((await all.inject({ url: '/docs/b.txt', headers: { authorization: basic('ann', 's3cret') } })).body, 'b')
    assert.equal((await all.inject({ url: '/.well-known/servekit/health' })).statusCode, 200)
    assert.equal((await writes.inject({ url: '/docs/b.txt' })).body, 'b')
    assert.equal((await writes.inject({ method: 'PUT', url: '/docs/w.txt', payload: 'w' })).statusCode, 401)
    assert.equal((await writes.inject({ method: 'PUT', url: '/docs/w.txt', payload: 'w', headers: { authorization: basic('ann', 's3cret') } })).statusCode, 201)
  } finally {
    await all.close()
    await writes.close()
  }
})

test('--cors: files, 404s and 401s carry the origin; a preflight is 204, not a 405 or a 401', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', cors: 'https://app.example', auth: ['ann:s3cret'] })
  try {
    const origin = { origin: 'https://app.example' }
    const preflight = await app.inject({ method: 'OPTIONS', url: '/a.txt', headers: { ...origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } })
    assert.equal(preflight.statusCode, 204)
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example')
    assert.equal((await app.inject({ url: '/a.txt', headers: origin })).headers['access-control-allow-origin'], 'https://app.example')
    const missing = await app.inject({ url: '/missing', headers: { ...origin, authorization: basic('ann', 's3cret') } })
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.headers['access-control-allow-origin'], 'https://app.example')
    assert.equal((await app.inject({ url: '/a.txt', headers: { origin: 'https://evil.example' } })).headers['access-control-allow-origin'], undefined)
  } finally {
    await app.close()
  }
})

test('--auth with --cgi: the script learns who logged in (AUTH_TYPE, REMOTE_USER), never the password', async () => {
  const { sh } = await import('./helpers/cgi.js')
  const site = await makeTree({ 'cgi-bin/who.sh': sh('printf "Content-Type: text/plain\\n\\n%s|%s|%s" "$AUTH_TYPE" "$REMOTE_USER" "$HTTP_AUTHORIZATION"') })
  const app = await buildApp({ directory: site.dir, logLevel: 'silent', cgi: true, auth: ['ann:s3cret'] })
  try {
    assert.equal((await app.inject({ url: '/cgi-bin/who.sh' })).statusCode, 401)
    // Shaped like a CORS preflight, with a body: without --cors nothing answers it before the script would.
    const preflight = { origin: 'http://x.example', 'access-control-request-method': 'GET', 'content-type': 'text/plain' }
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/cgi-bin/who.sh', headers: preflight, payload: 'body' })).statusCode, 401)
    const res = await app.inject({ url: '/cgi-bin/who.sh', headers: { authorization: basic('ann', 's3cret') } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, 'Basic|ann|')
  } finally {
    await app.close()
    await site.cleanup()
  }
})

test('--auth-writes-only with --cgi: OPTIONS is not a read, so it never runs a script without the password', async () => {
  const { sh } = await import('./helpers/cgi.js')
  const site = await makeTree({ 'cgi-bin/ran.sh': sh('printf "Content-Type: text/plain\\n\\nran"') })
  const app = await buildApp({ directory: site.dir, logLevel: 'silent', cgi: true, auth: ['ann:s3cret'], authWritesOnly: true })
  // With --cors, @fastify/cors answers every OPTIONS itself, before any route.
  const withCors = await buildApp({ directory: site.dir, logLevel: 'silent', cgi: true, auth: ['ann:s3cret'], authWritesOnly: true, cors: '*' })
  try {
    assert.equal((await app.inject({ url: '/cgi-bin/ran.sh' })).body, 'ran')
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/cgi-bin/ran.sh', payload: 'x', headers: { 'content-type': 'text/plain' } })).statusCode, 401)
    for (const headers of [{ origin: 'http://x.example', 'access-control-request-method': 'POST' }, { 'content-type': 'text/plain' }]) {
      const res = await withCors.inject({ method: 'OPTIONS', url: '/cgi-bin/ran.sh', headers, payload: 'x' })
      assert.equal(res.statusCode, 204)
      assert.equal(res.body, '')
    }
  } finally {
    await app.close()
    await withCors.close()
    await site.cleanup()
  }
})
