import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { decideError, errorHandler, prefersHtml, useErrorReplies } from '../src/error-reply.js'
import { nearestFolder, renderErrorPage } from '../src/error-page.js'
import { httpError } from '../src/errors.js'
import { FAVICON } from '../src/favicon.js'
import { sh } from './helpers/cgi.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { memoryLog } from './helpers/log.js'

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
const XSS = '<img src=x onerror=alert(1)>'

function emfile (): Error {
  return Object.assign(new Error("EMFILE: too many open files, open '/tmp/secret/root/small.txt'"), { code: 'EMFILE', errno: -24, syscall: 'open', path: '/tmp/secret/root/small.txt' })
}

describe('which clients get HTML', () => {
  test('a browser\'s Accept prefers HTML', () => assert.equal(prefersHtml(BROWSER), true))
  test('curl and fetch (*/*), JSON clients and no Accept at all get JSON', () => {
    for (const accept of ['*/*', 'application/json', 'application/json, text/html;q=0.5', undefined, '']) assert.equal(prefersHtml(accept), false, String(accept))
  })
})

describe('what an error says', () => {
  test('an unexpected fs error is a 500 that names no path, errno or stack, and quotes the request id', () => {
    const decision = decideError(emfile(), 200, 'req-7')
    assert.equal(decision.statusCode, 500)
    assert.equal(decision.unexpected, true)
    assert.doesNotMatch(decision.message, /EMFILE|\/tmp|open|at /)
    assert.match(decision.message, /req-7/)
  })
  test('a 4xx keeps its message', () => {
    assert.deepEqual(decideError(httpError(400, 'sort must be one of name, size, mtime'), 200, 'r'), { statusCode: 400, message: 'sort must be one of name, size, mtime', unexpected: false })
  })
  test('a 5xx written for clients (httpError) keeps its message', () => {
    assert.equal(decideError(httpError(503, 'the file changed while it was read; try again'), 200, 'r').message, 'the file changed while it was read; try again')
  })
  test('a library\'s own 5xx does not', () => {
    const error = Object.assign(new Error('pool exhausted at /srv/x'), { statusCode: 502 })
    assert.deepEqual({ ...decideError(error, 200, 'r'), message: '' }, { statusCode: 502, message: '', unexpected: true })
    assert.doesNotMatch(decideError(error, 200, 'r').message, /srv/)
  })
  test('an error without a status after reply.code(404) is that status with its plain name', () => {
    assert.deepEqual(decideError(new Error('ENOENT /etc/x'), 404, 'r'), { statusCode: 404, message: 'Not Found', unexpected: false })
  })
})

describe('the way back from an error page', () => {
  test('is the parent folder of the URL path', () => {
    assert.equal(nearestFolder('/a/b/c.txt?x=1'), '/a/b/')
    assert.equal(nearestFolder('/a/b/'), '/a/')
    assert.equal(nearestFolder('/cgi-bin/'), '/')
    assert.equal(nearestFolder('/'), '/')
    assert.equal(nearestFolder('/a%20b/c'), '/a%20b/')
  })
  test('never leaves the site or climbs out', () => {
    assert.equal(nearestFolder('//evil.example/x'), '/evil.example/')
    assert.equal(nearestFolder('/\\evil.example/x'), '/')
    assert.equal(nearestFolder('/%5Cevil.example/x'), '/')
    assert.equal(nearestFolder('/a/%2e%2e/b/c'), '/a/')
    assert.equal(nearestFolder('/a/%zz/c'), '/a/')
    assert.equal(nearestFolder('/%22%3E%3Cscript%3E/x'), '/%22%3E%3Cscript%3E/')
  })
  test('the page escapes the message and the path', () => {
    const html = renderErrorPage({ statusCode: 404, message: XSS, url: '/%3Cimg%20src%3Dx%3E/"q\'/x' })
    assert.ok(!html.includes('<img'))
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'))
    assert.match(html, /<a class="btn" href="\/%3Cimg%20src%3Dx%3E\/%22q&#39;\/">Back to \/&lt;img src=x&gt;\/&quot;q&#39;\/<\/a>/)
  })
})

describe('error replies over the app', () => {
  let fixture: Fixture
  let app: FastifyInstance
  before(async () => {
    fixture = await makeTree({ 'a.txt': 'hello', 'docs/b.txt': 'in a folder', 'cgi-bin/broken.sh': sh('echo no header block'), 'cgi-bin/busy.sh': sh('printf "Content-Type: text/plain\\n\\nok"') })
    app = await buildApp({ directory: fixture.dir, logLevel: 'silent', cgi: true })
  })
  after(async () => { await app.close(); await fixture.cleanup() })

  test('a browser gets an HTML 404 page with a link to the nearest folder', async () => {
    const res = await app.inject({ url: '/docs/nope.txt', headers: { accept: BROWSER } })
    assert.equal(res.statusCode, 404)
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/)
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/)
    assert.equal(res.headers.vary, 'Accept')
    assert.match(res.body, /<title>404 Not Found<\/title>/)
    assert.match(res.body, /<a class="btn" href="\/docs\/">Back to \/docs\/<\/a>/)
    assert.match(res.body, /prefers-color-scheme:dark/)
  })

  test('the way back is a folder that is there: not one never made, a file, or /cgi-bin/', async () => {
    const back = async (url: string): Promise<string | undefined> =>
      /<a class="btn" href="([^"]*)"/.exec((await app.inject({ url, headers: { accept: BROWSER } })).body)?.[1]
    assert.equal(await back('/docs/gone/deeper/x.txt'), '/docs/')
    assert.equal(await back('/gone/again/'), '/')
    assert.equal(await back('/a.txt/x'), '/')
    assert.equal(await back('/cgi-bin/broken.sh'), '/')
  })

  test('a page\'s CSP allows its one style sheet by hash, the favicon it names, and framing by this site only', async () => {
    const res = await app.inject({ url: '/nope', headers: { accept: BROWSER } })
    const csp = String(res.headers['content-security-policy'])
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1]!
    assert.ok(csp.includes(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}';`), csp)
    assert.doesNotMatch(csp, /unsafe-inline|script-src/)
    assert.match(csp, /img-src 'self';/)
    assert.match(csp, /frame-ancestors 'self'/)
    assert.match(res.body, /<head>[\s\S]*<link rel="icon" href="\/favicon\.ico">[\s\S]*<\/head>/)
  })

  test('a URL Fastify cannot decode (/%) is a page in a browser and the JSON shape for curl', async () => {
    const page = await app.inject({ url: '/docs/%', headers: { accept: BROWSER } })
    assert.equal(page.statusCode, 400)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.match(page.body, /<h1>Bad Request<\/h1>/)
    assert.match(page.body, /<a class="btn" href="\/docs\/">/)
    const json = await app.inject({ url: '/%', headers: { accept: '*/*' } })
    assert.equal(json.statusCode, 400)
    assert.deepEqual(Object.keys(json.json() as object), ['statusCode', 'error', 'message'])
    assert.equal((json.json() as { error: string }).error, 'Bad Request')
  })

  test('curl gets the JSON shape, exactly', async () => {
    const res = await app.inject({ url: '/nope', headers: { accept: '*/*' } })
    assert.equal(res.statusCode, 404)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    assert.deepEqual(res.json(), { statusCode: 404, error: 'Not Found', message: 'Not Found' })
  })

  test('a 400 keeps its message in both forms', async () => {
    assert.deepEqual((await app.inject('/?sort=nope')).json(), { statusCode: 400, error: 'Bad Request', message: 'sort must be one of name, size, mtime' })
    assert.match((await app.inject({ url: '/?sort=nope', headers: { accept: BROWSER } })).body, /sort must be one of name, size, mtime/)
  })

  test('the CGI folder\'s 403 is a page in a browser', async () => {
    const res = await app.inject({ url: '/cgi-bin/', headers: { accept: BROWSER } })
    assert.equal(res.statusCode, 403)
    assert.match(res.body, /<h1>Forbidden<\/h1>/)
    assert.match(res.body, /href="\/">Go to the top folder/)
  })

  test('a CGI script\'s 502 is a page in a browser and JSON for curl', async () => {
    const page = await app.inject({ url: '/cgi-bin/broken.sh', headers: { accept: BROWSER } })
    assert.equal(page.statusCode, 502)
    assert.match(page.body, /<h1>Bad Gateway<\/h1>/)
    assert.match(page.body, /The CGI script did not send a valid response\./)
    const json = await app.inject('/cgi-bin/broken.sh')
    assert.deepEqual(json.json(), { statusCode: 502, error: 'Bad Gateway', message: 'The CGI script did not send a valid response.' })
  })

  test('HEAD on a missing file is a bodiless 404', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/nope', headers: { accept: BROWSER } })
    assert.equal(res.statusCode, 404)
    assert.equal(res.body, '')
  })
})

describe('the way back behind a password', () => {
  let fixture: Fixture
  let app: FastifyInstance
  before(async () => {
    fixture = await makeTree({ 'secret/a.txt': 'x' })
    app = await buildApp({ directory: fixture.dir, logLevel: 'silent', auth: ['me:s3cret'] })
  })
  after(async () => { await app.close(); await fixture.cleanup() })
  const back = async (url: string, headers: Record<string, string> = {}): Promise<string | undefined> =>
    /<a class="btn" href="([^"]*)"/.exec((await app.inject({ url, headers: { accept: BROWSER, ...headers } })).body)?.[1]

  test('does not tell a client without it which folders are there', async () => {
    assert.equal(await back('/secret/x.txt'), '/')
    assert.equal(await back('/secret/%'), '/')
  })
  test('is the nearest folder once the password is given', async () => {
    assert.equal(await back('/secret/gone/x.txt', { authorization: `Basic ${Buffer.from('me:s3cret').toString('base64')}` }), '/secret/')
  })
})

describe('the echo route and the login demo', () => {
  let fixture: Fixture
  let app: FastifyInstance
  before(async () => {
    fixture = await makeTree({ 'a.txt': 'x' })
    app = await buildApp({ directory: fixture.dir, logLevel: 'silent', echo: true, login: true, secret: 'a'.repeat(32) })
  })
  after(async () => { await app.close(); await fixture.cleanup() })

  test('an echo body over the limit is a 413 page in a browser, JSON for curl', async () => {
    const post = { method: 'POST' as const, url: '/echo', payload: Buffer.alloc(1_100_000, 'a'), headers: { 'content-type': 'text/plain' } }
    const page = await app.inject({ ...post, headers: { ...post.headers, accept: BROWSER } })
    assert.equal(page.statusCode, 413)
    assert.match(page.body, /<h1>Payload Too Large<\/h1>/)
    const json = await app.inject(post)
    assert.equal(json.statusCode, 413)
    assert.equal((json.json() as { error: string }).error, 'Payload Too Large')
  })

  test('a cross-site login post is a 403 page in a browser', async () => {
    const res = await app.inject({ method: 'POST', url: '/login', payload: 'username=jdoe&password=s3cret', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', accept: BROWSER } })
    assert.equal(res.statusCode, 403)
    assert.match(res.body, /<h1>Forbidden<\/h1>[\s\S]*cross-site form posts are not accepted/)
  })

  test('the login page follows dark mode too', async () => {
    assert.match((await app.inject('/login')).body, /prefers-color-scheme:dark/)
  })

  test('the login page\'s CSP allows its one style sheet by hash, nothing inline besides', async () => {
    const res = await app.inject('/login')
    const csp = String(res.headers['content-security-policy'])
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1]!
    assert.ok(csp.includes(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}';`), csp)
    assert.doesNotMatch(csp, /unsafe-inline/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(res.body, /<link rel="icon" href="\/favicon\.ico">/)
  })
})

describe('an unexpected error', () => {
  const log = memoryLog()
  const app = Fastify({ loggerInstance: log.logger as FastifyBaseLogger })
  useErrorReplies(app)
  app.get('/small.txt', async () => { throw emfile() })
  app.get('/busy', async () => { throw httpError(503, 'the file changed while it was read; try again') })
  // A file whose validators were set before its read failed.
  app.get('/failed.bin', async (_request, reply) => {
    reply.header('etag', '"5-abc"').header('last-modified', 'Tue, 01 Dec 2026 00:00:00 GMT').header('accept-ranges', 'bytes').header('content-length', '99999')
    throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
  })
  after(async () => { await app.close() })

  test('keeps none of the failed file\'s validators or length', async () => {
    for (const accept of [undefined, BROWSER]) {
      const res = await app.inject({ url: '/failed.bin', headers: accept === undefined ? {} : { accept } })
      assert.equal(res.statusCode, 500)
      for (const name of ['etag', 'last-modified', 'accept-ranges']) assert.equal(res.headers[name], undefined, name)
      assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body))
    }
  })

  test('reaches the client as a generic 500 and the log once, with the request id and the detail', async () => {
    const res = await app.inject('/small.txt')
    assert.equal(res.statusCode, 500)
    const body = res.json() as { statusCode: number, error: string, message: string }
    assert.deepEqual(Object.keys(body), ['statusCode', 'error', 'message'])
    assert.equal(body.error, 'Internal Server Error')
    assert.doesNotMatch(res.body, /EMFILE|tmp|secret|errno|stack/)
    const page = await app.inject({ url: '/small.txt', headers: { accept: BROWSER } })
    assert.doesNotMatch(page.body, /EMFILE|tmp|secret/)
    const logged = log.entries.filter((entry) => String(entry.msg).includes('EMFILE'))
    assert.equal(logged.length, 2, 'one entry per failed request')
    const first = logged[0]!
    assert.equal(typeof first.reqId, 'string')
    assert.match(body.message, new RegExp(`request ${String(first.reqId)}\\b`))
    assert.match(String((first.err as { stack?: string }).stack), /EMFILE/)
  })

  test('a 5xx written for clients keeps its message and is logged once too', async () => {
    const res = await app.inject('/busy')
    assert.deepEqual(res.json(), { statusCode: 503, error: 'Service Unavailable', message: 'the file changed while it was read; try again' })
    assert.equal(log.entries.filter((entry) => entry.msg === 'the file changed while it was read; try again' && entry.level === 50).length, 1)
  })

  test('the handler is usable by a plugin on its own', async () => {
    const bare = Fastify()
    bare.setErrorHandler(errorHandler)
    bare.get('/x', async () => { throw httpError(413, 'too big') })
    const res = await bare.inject({ url: '/x', headers: { accept: BROWSER } })
    assert.equal(res.statusCode, 413)
    assert.match(res.body, /<h1>Payload Too Large<\/h1>[\s\S]*too big/)
    await bare.close()
  })
})

describe('the favicon', () => {
  let plain: Fixture
  let own: Fixture
  let apps: FastifyInstance[] = []
  before(async () => {
    plain = await makeTree({ 'a.txt': 'x' })
    own = await makeTree({ 'favicon.ico': 'MY ICON' })
    apps = [await buildApp({ directory: plain.dir, logLevel: 'silent' }), await buildApp({ directory: own.dir, logLevel: 'silent' })]
  })
  after(async () => { for (const app of apps) await app.close(); await plain.cleanup(); await own.cleanup() })

  test('a folder without one gets servekit\'s, with a long cache', async () => {
    const res = await apps[0]!.inject('/favicon.ico')
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'image/svg+xml')
    assert.match(String(res.headers['cache-control']), /max-age=\d{6,}/)
    assert.deepEqual(res.rawPayload, FAVICON)
    const head = await apps[0]!.inject({ method: 'HEAD', url: '/favicon.ico' })
    assert.equal(head.statusCode, 200)
    assert.equal(head.body, '')
  })

  test('a folder\'s own favicon.ico wins', async () => {
    const res = await apps[1]!.inject('/favicon.ico')
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, 'MY ICON')
  })

  test('only at the top: /sub/favicon.ico is still a 404', async () => {
    assert.equal((await apps[0]!.inject('/sub/favicon.ico')).statusCode, 404)
  })
})

test('a 405 on a file is an HTML page for a browser and the JSON shape for others, with Allow either way', async () => {
  const { buildApp } = await import('../src/app.js')
  const { makeTree } = await import('./helpers/fixtures.js')
  const tree = await makeTree({ 'f.txt': 'f' })
  const app = await buildApp({ directory: tree.dir, logLevel: 'silent' })
  try {
    const page = await app.inject({ method: 'DELETE', url: '/f.txt', headers: { accept: 'text/html' } })
    assert.equal(page.statusCode, 405)
    assert.equal(page.headers.allow, 'GET, HEAD')
    assert.match(String(page.headers['content-type']), /^text\/html/)
    const json = await app.inject({ method: 'DELETE', url: '/f.txt', headers: { accept: 'application/json' } })
    assert.equal(json.headers.allow, 'GET, HEAD')
    assert.equal(JSON.parse(json.body).statusCode, 405)
  } finally {
    await app.close()
    await tree.cleanup()
  }
})
