// The small-file and real-path caches must never serve stale bytes nor a path that
// has since been swapped for a way out of the root.
import { strict as assert } from 'node:assert'
import { rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { performance } from 'node:perf_hooks'
import { SmallFiles } from '../plugins/static/small-files.js'
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

const file = (text: string) => ({ headers: { 'Content-Type': 'text/plain' }, body: Buffer.from(text), etag: '"e"', lastModified: undefined })

test('a kept small file turns hot only after a later stat confirms it, and ages out', async () => {
  let now = 0
  const cache = new SmallFiles({ maxBytes: 1024, maxDirs: 8, maxAgeMs: 2_000 }, () => now)
  after(() => cache.close())
  const path = fixture.path('root', 'page.txt')
  const stats = await stat(path)
  const before = performance.now()
  cache.keep('page.txt', path, stats, file('x'))
  assert.equal(cache.hot('page.txt'), undefined, 'not hot on the read that filled it')
  // A stat begun before the watch existed proves nothing.
  assert.ok(cache.same('page.txt', stats, before))
  assert.equal(cache.hot('page.txt'), undefined)
  assert.ok(cache.same('page.txt', stats, performance.now()))
  assert.equal(cache.hot('page.txt')?.body.toString(), 'x')
  now = 2_000
  assert.equal(cache.hot('page.txt'), undefined, 'aged out')
})

test('a stat that shows another file drops the entry', async () => {
  const cache = new SmallFiles({ maxBytes: 1024, maxDirs: 8, maxAgeMs: 60_000 })
  after(() => cache.close())
  const path = fixture.path('root', 'page.txt')
  const stats = await stat(path)
  cache.keep('page.txt', path, stats, file('x'))
  assert.equal(cache.same('page.txt', { ...stats, ctimeMs: stats.ctimeMs + 1 } as typeof stats, performance.now()), undefined)
  assert.equal(cache.same('page.txt', stats, performance.now()), undefined)
})

test('small files stay within maxBytes, evicting the least recently kept', async () => {
  const cache = new SmallFiles({ maxBytes: 10, maxDirs: 8, maxAgeMs: 60_000 })
  after(() => cache.close())
  const path = fixture.path('root', 'page.txt')
  const stats = await stat(path)
  cache.keep('a', path, stats, file('aaaa'))
  cache.keep('b', path, stats, file('bbbb'))
  cache.keep('c', path, stats, file('cccc'))
  assert.equal(cache.same('a', stats, performance.now()), undefined)
  assert.ok(cache.same('b', stats, performance.now()) && cache.same('c', stats, performance.now()))
  cache.keep('huge', path, stats, file('x'.repeat(11)))
  assert.equal(cache.same('huge', stats, performance.now()), undefined)
})

test('a hot file written in place is served new once the watch reports it', async () => {
  await writeFile(fixture.path('root', 'hot.txt'), 'old bytes')
  for (let i = 0; i < 3; i++) assert.equal((await app.inject('/hot.txt')).body, 'old bytes')
  await writeFile(fixture.path('root', 'hot.txt'), 'new bytes')
  for (let i = 0; i < 2000 && (await app.inject('/hot.txt')).body !== 'new bytes'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  assert.equal((await app.inject('/hot.txt')).body, 'new bytes')
})

test('a hot file removed is 404 once the watch reports it', async () => {
  await writeFile(fixture.path('root', 'hot-gone.txt'), 'here')
  for (let i = 0; i < 3; i++) assert.equal((await app.inject('/hot-gone.txt')).statusCode, 200)
  await rm(fixture.path('root', 'hot-gone.txt'))
  for (let i = 0; i < 2000 && (await app.inject('/hot-gone.txt')).statusCode !== 404; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  assert.equal((await app.inject('/hot-gone.txt')).statusCode, 404)
})

test('a conditional request is judged by a fresh stat, never by memory', async () => {
  await writeFile(fixture.path('root', 'cond.txt'), 'cond')
  let etag = ''
  for (let i = 0; i < 3; i++) etag = String((await app.inject('/cond.txt')).headers.etag)
  const res = await app.inject({ url: '/cond.txt', headers: { 'if-none-match': etag } })
  assert.equal(res.statusCode, 304)
})

test('a hot folder swapped for a symlink out of the root is 404 once the watch reports it, and never leaks', async () => {
  await writeFile(fixture.path('root', 'dir2-file.txt'), 'x')
  const { mkdir } = await import('node:fs/promises')
  await mkdir(fixture.path('root', 'dir2'))
  await writeFile(fixture.path('root', 'dir2', 'file.txt'), 'inside')
  for (let i = 0; i < 3; i++) assert.equal((await app.inject('/dir2/file.txt')).body, 'inside')
  await rm(fixture.path('root', 'dir2'), { recursive: true })
  await symlink(fixture.path('outside'), fixture.path('root', 'dir2'))
  let res = await app.inject('/dir2/file.txt')
  for (let i = 0; i < 2000 && res.statusCode !== 404; i++) {
    assert.ok(!res.body.includes('OUTSIDE'))
    await new Promise((resolve) => setTimeout(resolve, 5))
    res = await app.inject('/dir2/file.txt')
  }
  assert.equal(res.statusCode, 404)
  assert.ok(!res.body.includes('OUTSIDE'))
})
