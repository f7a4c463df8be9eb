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
