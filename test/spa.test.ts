// --spa: a path that names nothing gets the app's page when the client takes HTML;
// missing assets stay 404, real files and folders are served as always.
import { strict as assert } from 'node:assert'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { spaFallback } from '../plugins/static/spa.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'

const PAGE = '<!doctype html><title>app</title><div id=app></div>'
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
let fixture: Fixture
let app: FastifyInstance

before(async () => {
  fixture = await makeTree({ 'index.html': PAGE, 'app.js': 'console.log(1)', 'docs/guide.txt': 'guide', 'shop/index.html': '<h1>shop</h1>', 'shell/app.html': '<p>shell</p>' })
  app = await buildApp({ directory: fixture.dir, logLevel: 'silent', spa: 'index.html' })
})
after(async () => { await app.close(); await fixture.cleanup() })

test('a client-side route gets the app page with 200, GET and HEAD', async () => {
  for (const url of ['/app/settings', '/users/jane.doe', '/deep/a/b/c', '/page.html']) {
    const res = await app.inject({ url, headers: HTML })
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.body, PAGE)
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.match(String(res.headers.vary), /Accept/)
    assert.equal(res.headers['cache-control'], 'public, no-cache')
  }
  const head = await app.inject({ method: 'HEAD', url: '/app/settings', headers: HTML })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(PAGE)))
})

test('missing assets stay 404, whatever the Accept header', async () => {
  for (const url of ['/missing.js', '/logo.png', '/style.css', '/data.json']) {
    assert.equal((await app.inject({ url, headers: HTML })).statusCode, 404, url)
    assert.equal((await app.inject({ url })).statusCode, 404, url)
  }
})

test('a client that does not take HTML gets the 404', async () => {
  const res = await app.inject({ url: '/app/settings', headers: { accept: 'application/json' } })
  assert.equal(res.statusCode, 404)
  assert.match(String(res.headers['content-type']), /json/)
  assert.equal((await app.inject({ method: 'POST', url: '/app/settings', headers: HTML })).statusCode, 404)
})

test('real files, index files and folders are served as without --spa', async () => {
  assert.equal((await app.inject({ url: '/app.js' })).body, 'console.log(1)')
  assert.equal((await app.inject({ url: '/shop/', headers: HTML })).body, '<h1>shop</h1>')
  const listing = await app.inject({ url: '/docs/', headers: HTML })
  assert.equal(listing.statusCode, 200)
  assert.match(listing.body, /Directory listing for \/docs\//)
  assert.equal((await app.inject({ url: '/', headers: HTML })).body, PAGE)
})

test('dotfiles and traversal are not routes: still 404, sent as written over a socket', async () => {
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const url of ['/.env', '/%2e%2e/etc/passwd', '/a/../../etc/passwd', '/%252e%252e/etc/passwd', '/..%5cetc', '/a/./b', '/../x']) {
    const res = await get(base, url, { headers: HTML })
    assert.equal(res.status, 404, url)
    assert.notEqual(res.text, PAGE, url)
  }
})

test('another file can be the app page; one that is missing is a 404, not a crash', async () => {
  const other = await buildApp({ directory: fixture.dir, logLevel: 'silent', spa: 'shell/app.html' })
  const missing = await buildApp({ directory: fixture.dir, logLevel: 'silent', spa: 'nope.html' })
  try {
    assert.equal((await other.inject({ url: '/x/y', headers: HTML })).body, '<p>shell</p>')
    assert.equal((await missing.inject({ url: '/x/y', headers: HTML })).statusCode, 404)
  } finally {
    await other.close()
    await missing.close()
  }
})

test('without --spa a route is a 404', async () => {
  const plain = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  try {
    assert.equal((await plain.inject({ url: '/app/settings', headers: HTML })).statusCode, 404)
  } finally {
    await plain.close()
  }
})

test('spaFallback: reads that take HTML, for names that are not another kind of file', () => {
  assert.equal(spaFallback('GET', HTML, ['app', 'settings']), true)
  assert.equal(spaFallback('GET', {}, ['settings']), true)
  assert.equal(spaFallback('GET', { accept: '*/*' }, []), true)
  assert.equal(spaFallback('HEAD', HTML, ['a.htm']), true)
  assert.equal(spaFallback('GET', HTML, ['v1.2']), true)
  assert.equal(spaFallback('POST', HTML, ['settings']), false)
  assert.equal(spaFallback('GET', HTML, ['app.js']), false)
  assert.equal(spaFallback('GET', HTML, ['img', 'a.PNG']), false)
  assert.equal(spaFallback('GET', { accept: 'application/json' }, ['settings']), false)
  assert.equal(spaFallback('GET', { accept: 'text/html;q=0' }, ['settings']), false)
})
