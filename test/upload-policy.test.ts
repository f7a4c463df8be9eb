// Where uploads may not go, however the URL gets there: /.well-known/ through a link
// (reads serve it, writes may not), and the temporary files of uploads in progress
// (never listed, read or replaced by URL, even with --dotfiles).
import { strict as assert } from 'node:assert'
import { existsSync, readdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
before(async () => {
  fixture = await makeTree({
    '.well-known/security.txt': 'Contact: me',
    wk: { symlink: '.well-known' },
    'w/.servekit-upload-AAAA': 'half an upload',
    'w/done.txt': 'done'
  })
})
after(async () => { await fixture.cleanup() })

test('a link to /.well-known/ is no way to write there; reading it stays as it was', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true })
  try {
    assert.equal((await app.inject({ url: '/.well-known/security.txt' })).body, 'Contact: me')
    for (const [method, url] of [['PUT', '/wk/evil.txt'], ['MKCOL', '/wk/x'], ['PUT', '/wk/y/'], ['PUT', '/.well-known/evil.txt']] as const) {
      const res = await app.inject({ method: method as 'PUT', url, payload: method === 'PUT' ? 'evil' : undefined })
      assert.ok(res.statusCode === 403 || res.statusCode === 404, `${method} ${url}: ${res.statusCode}`)
    }
    const boundary = 'b0undary'
    const form = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="evil.txt"\r\n\r\nevil\r\n--${boundary}--\r\n`
    const post = await app.inject({ method: 'POST', url: '/wk/', payload: form, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    assert.ok(post.statusCode === 403 || post.statusCode === 404, `POST /wk/: ${post.statusCode}`)
    assert.deepEqual(readdirSync(fixture.path('.well-known')), ['security.txt'])
  } finally {
    await app.close()
  }
})

test('with --dotfiles, an upload in progress is not listed, not served and not replaceable', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true, overwrite: true, dotfiles: true })
  try {
    const listing = await app.inject({ url: '/w/?format=json' })
    assert.deepEqual((listing.json() as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name), ['done.txt'])
    assert.equal((await app.inject({ url: '/w/.servekit-upload-AAAA' })).statusCode, 404)
    const put = await app.inject({ method: 'PUT', url: '/w/.servekit-upload-AAAA', payload: 'mine now' })
    assert.equal(put.statusCode, 400)
    assert.ok(existsSync(fixture.path('w/.servekit-upload-AAAA')))
    assert.equal((await app.inject({ url: '/w/done.txt' })).body, 'done')
  } finally {
    await app.close()
  }
})

test('a dropped path longer than a path may be is refused before any folder is made', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true })
  try {
    const deep = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(250, 'x')).join('/')
    const boundary = 'b0undary'
    const form = `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n${deep}/f.txt\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\nf\r\n--${boundary}--\r\n`
    const res = await app.inject({ method: 'POST', url: '/w/', payload: form, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    assert.equal(res.statusCode, 400)
    assert.match(res.body, /longer than the 4096 bytes/)
    assert.deepEqual(readdirSync(fixture.path('w')).sort(), ['.servekit-upload-AAAA', 'done.txt'])
  } finally {
    await app.close()
  }
})
