// Attacks on the root over a real socket: the request target arrives byte for byte
// as an attacker would send it (fetch and inject would normalise it first).
import { strict as assert } from 'node:assert'
import { after, before, describe, test } from 'node:test'
import type { RunningServer } from '../src/server.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get, raw } from './helpers/http.js'
import { serve } from './helpers/server.js'

const SECRET = 'TOP-SECRET-CONTENT'

let fixture: Fixture
let server: RunningServer

before(async () => {
  // `root` is served; `root-secret` shares its name as a prefix; `private` is the
  // tutorial's folder that `public` links into.
  fixture = await makeTree({
    'secret.txt': SECRET,
    'root-secret/s.txt': SECRET,
    'private/password1.txt': SECRET,
    'private/password2.txt': SECRET,
    'root/a.txt': 'public a',
    'root/sub/b.txt': 'public b',
    'root/evil.example': null,
    'root/home.html': '<h1>Hello!</h1>',
    'root/inside-link.txt': { symlink: 'a.txt' },
    'root/inside-dir': { symlink: 'sub' }
  })
  const { symlink } = await import('node:fs/promises')
  // The tutorial's layout: absolute links from public into private.
  await symlink(fixture.path('private', 'password1.txt'), fixture.path('root', 'linked_file.txt'))
  await symlink(fixture.path('private'), fixture.path('root', 'linked_dir'))
  await symlink('../root-secret', fixture.path('root', 'sibling'))
  server = await serve({ directory: fixture.path('root') })
})

after(async () => {
  await server.close()
  await fixture.cleanup()
})

describe('traversal', () => {
  const attempts = [
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/.%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/sub%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%252e%252e/secret.txt',
    '/%252e%252e%252fsecret.txt',
    '/a.txt%00',
    '/a.txt%00.png',
    '/../root-secret/s.txt',
    '/..%2froot-secret%2fs.txt',
    '/sibling/s.txt',
    '/linked_file.txt',
    '/linked_dir/password2.txt',
    '/linked_dir/',
    '/linked_dir',
    '//etc/passwd',
    '/etc/passwd'
  ]
  for (const path of attempts) {
    test(`${path} is 404 and leaks nothing`, async () => {
      const res = await get(server.url, path)
      assert.equal(res.status, 404)
      assert.ok(!res.text.includes(SECRET))
    })
  }

  test('malformed percent-encoding is 400', async () => {
    const res = await get(server.url, '/%E0%A4%A')
    assert.equal(res.status, 400)
  })

  test('a raw NUL byte in the request line never reaches a file', async () => {
    const answer = await raw(server.port, 'GET /a.txt\0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.match(answer, /^HTTP\/1\.1 400/)
  })
})

describe('redirects cannot leave the site', () => {
  test('GET //evil.example/.. redirects to /, not to another host', async () => {
    const res = await get(server.url, '//evil.example/..')
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, '/')
  })

  test('GET //evil.example/%2e%2e redirects to /', async () => {
    const res = await get(server.url, '//evil.example/%2e%2e')
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, '/')
  })

  test('GET //evil.example (a real folder) redirects to /evil.example/ with one slash', async () => {
    const res = await get(server.url, '//evil.example')
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, '/evil.example/')
  })

  test('GET /\\evil.example/.. is 404, never a redirect', async () => {
    const res = await get(server.url, '/\\evil.example/..')
    assert.equal(res.status, 404)
    assert.equal(res.headers.location, undefined)
  })

  test('GET /%5cevil.example/.. is 404', async () => {
    assert.equal((await get(server.url, '/%5cevil.example/..')).status, 404)
  })
})

describe('symlinks', () => {
  test('links inside the root are served, file and folder', async () => {
    assert.equal((await get(server.url, '/inside-link.txt')).text, 'public a')
    assert.equal((await get(server.url, '/inside-dir/b.txt')).text, 'public b')
  })

  test('the listing shows inside links and hides escaping ones (the tutorial layout)', async () => {
    const res = await get(server.url, '/?format=json')
    const names = (JSON.parse(res.text) as { entries: Array<{ name: string }> }).entries.map((e) => e.name).sort()
    assert.deepEqual(names, ['a.txt', 'evil.example', 'home.html', 'inside-dir', 'inside-link.txt', 'sub'])
    const html = await get(server.url, '/')
    assert.ok(!html.text.includes('linked_file') && !html.text.includes('linked_dir') && !html.text.includes('sibling'))
  })

  test('the JSON listing never shows server paths', async () => {
    const res = await get(server.url, '/sub/?format=json')
    assert.ok(!res.text.includes(fixture.dir))
    assert.deepEqual(JSON.parse(res.text).path, '/sub/')
  })

  test('--follow-symlinks serves and lists links that leave the root', async () => {
    const open = await serve({ directory: fixture.path('root'), followSymlinks: true })
    after(async () => { await open.close() })
    assert.equal((await get(open.url, '/linked_file.txt')).text, SECRET)
    assert.equal((await get(open.url, '/linked_dir/password2.txt')).text, SECRET)
    const names = (JSON.parse((await get(open.url, '/?format=json')).text) as { entries: Array<{ name: string }> }).entries.map((e) => e.name)
    assert.ok(names.includes('linked_file.txt') && names.includes('linked_dir'))
    // Following links never lifts the `..` rule.
    assert.equal((await get(open.url, '/../secret.txt')).status, 404)
  })
})
