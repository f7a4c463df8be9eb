// The small-file and real-path caches must never serve stale bytes nor a path that
// has since been swapped for a way out of the root.
import { strict as assert } from 'node:assert'
import { rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { FileCache } from '../plugins/static/file-body.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
let app: FastifyInstance

before(async () => {
  fixture = await makeTree({ 'root/page.txt': 'version one', 'root/dir/file.txt': 'inside', 'outside/file.txt': 'OUTSIDE SECRET' })
  app = await buildApp({ directory: fixture.path('root'), logLevel: 'silent' })
})
after(async () => { await app.close(); await fixture.cleanup() })

test('a file rewritten between requests is served new, even with the same size and mtime', async () => {
  assert.equal((await app.inject('/page.txt')).body, 'version one')
  const before = await stat(fixture.path('root', 'page.txt'))
  await writeFile(fixture.path('root', 'page.txt'), 'version two')
  await utimes(fixture.path('root', 'page.txt'), before.atime, before.mtime)
  assert.equal((await app.inject('/page.txt')).body, 'version two')
})

test('a file replaced by another (new inode) is served new', async () => {
  await writeFile(fixture.path('root', 'page.new'), 'version three')
  await rename(fixture.path('root', 'page.new'), fixture.path('root', 'page.txt'))
  assert.equal((await app.inject('/page.txt')).body, 'version three')
})

test('a folder swapped for a symlink out of the root after being served is 404', async () => {
  assert.equal((await app.inject('/dir/file.txt')).body, 'inside')
  await rm(fixture.path('root', 'dir'), { recursive: true })
  await symlink(fixture.path('outside'), fixture.path('root', 'dir'))
  const res = await app.inject('/dir/file.txt')
  assert.equal(res.statusCode, 404)
  assert.ok(!res.body.includes('OUTSIDE'))
})

test('a deleted file is 404 at once', async () => {
  await writeFile(fixture.path('root', 'gone.txt'), 'here')
  assert.equal((await app.inject('/gone.txt')).statusCode, 200)
  await rm(fixture.path('root', 'gone.txt'))
  assert.equal((await app.inject('/gone.txt')).statusCode, 404)
})

test('FileCache keeps at most maxBytes, evicting the least recently used', async () => {
  const stats = await stat(fixture.path('root', 'page.txt'))
  const cache = new FileCache(10)
  cache.set('a', stats, Buffer.alloc(4))
  cache.set('b', stats, Buffer.alloc(4))
  assert.ok(cache.get('a', stats))
  cache.set('c', stats, Buffer.alloc(4))
  assert.equal(cache.get('b', stats), undefined)
  assert.ok(cache.get('a', stats) && cache.get('c', stats))
  cache.set('huge', stats, Buffer.alloc(11))
  assert.equal(cache.get('huge', stats), undefined)
})

test('FileCache drops an entry whose file changed', async () => {
  const stats = await stat(fixture.path('root', 'page.txt'))
  const cache = new FileCache(100)
  cache.set('a', stats, Buffer.from('x'))
  assert.equal(cache.get('a', { ...stats, ctimeMs: stats.ctimeMs + 1 } as typeof stats), undefined)
  assert.equal(cache.get('a', stats), undefined)
})
