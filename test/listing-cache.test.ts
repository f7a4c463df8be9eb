// Cached listings follow the folder: a change inside is seen on the next request
// once the watch reports it, and never later than the maximum age.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { buildApp } from '../src/app.js'
import { ListingCache } from '../plugins/static/listing-cache.js'
import type { ListingEntry } from '../plugins/static/listing.js'
import { makeTree } from './helpers/fixtures.js'

const entry = (name: string): ListingEntry => ({ name, type: 'file', size: 1, mtimeMs: 0 })

async function eventually (check: () => Promise<boolean>): Promise<void> {
  // Watch events arrive asynchronously; bounded, it fails rather than hangs.
  for (let i = 0; i < 2000; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  assert.fail('the listing never caught up')
}

test('a served listing shows files added, written and removed after it was cached', async () => {
  const fixture = await makeTree({ 'dir/a.txt': 'a' })
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  after(async () => { await app.close(); await fixture.cleanup() })
  const listing = async () => (await app.inject('/dir/?format=json')).json().entries as Array<{ name: string, size: number }>

  assert.deepEqual((await listing()).map((e) => e.name), ['a.txt'])
  await writeFile(fixture.path('dir', 'b.txt'), 'bb')
  await eventually(async () => (await listing()).some((e) => e.name === 'b.txt'))
  await writeFile(fixture.path('dir', 'a.txt'), 'grown')
  await eventually(async () => (await listing()).find((e) => e.name === 'a.txt')?.size === 5)
  await rm(fixture.path('dir', 'b.txt'))
  await eventually(async () => !(await listing()).some((e) => e.name === 'b.txt'))
})

test('concurrent requests for an uncached folder share one read', async () => {
  const cache = new ListingCache(1024 * 1024, 60_000)
  after(() => cache.close())
  const dir = await mkdtemp(join(tmpdir(), 'servekit-lc-'))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  let loads = 0
  const load = async (): Promise<ListingEntry[]> => { loads++; return [entry('x')] }
  const results = await Promise.all([cache.entries(dir, load), cache.entries(dir, load), cache.entries(dir, load)])
  assert.equal(loads, 1)
  assert.deepEqual(results.map((r) => r.length), [1, 1, 1])
})

test('a listing older than the maximum age is read again', async () => {
  let now = 0
  const cache = new ListingCache(1024 * 1024, 5_000, () => now)
  after(() => cache.close())
  const dir = await mkdtemp(join(tmpdir(), 'servekit-lc-'))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  let loads = 0
  const load = async (): Promise<ListingEntry[]> => { loads++; return [] }
  await cache.entries(dir, load)
  now = 4_999
  await cache.entries(dir, load)
  assert.equal(loads, 1)
  now = 5_000
  await cache.entries(dir, load)
  assert.equal(loads, 2)
})

test('rendered views are reused while cached, and the total stays within maxBytes', async () => {
  const cache = new ListingCache(100, 60_000)
  after(() => cache.close())
  const dirs = await Promise.all([1, 2].map(async () => await mkdtemp(join(tmpdir(), 'servekit-lc-'))))
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })
  await cache.entries(dirs[0]!, async () => [])
  let renders = 0
  const render = (): string => { renders++; return 'x'.repeat(60) }
  cache.view(dirs[0]!, 'k', render)
  cache.view(dirs[0]!, 'k', render)
  assert.equal(renders, 1)
  // A second folder's page pushes the first out.
  await cache.entries(dirs[1]!, async () => [])
  cache.view(dirs[1]!, 'k', render)
  cache.view(dirs[0]!, 'k', render)
  assert.equal(renders, 3)
})

test('a failed read is not cached', async () => {
  const cache = new ListingCache(1024, 60_000)
  after(() => cache.close())
  const dir = await mkdtemp(join(tmpdir(), 'servekit-lc-'))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  await assert.rejects(cache.entries(dir, async () => { throw new Error('EACCES') }))
  assert.deepEqual(await cache.entries(dir, async () => [entry('ok')]), [entry('ok')])
})

test('hasFile answers from a fresh, read listing only, and only for files', async () => {
  let now = 0
  const cache = new ListingCache(1024 * 1024, 5_000, () => now)
  after(() => cache.close())
  const dir = await mkdtemp(join(tmpdir(), 'servekit-lc-'))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  assert.equal(cache.hasFile(dir, 'index.html'), undefined, 'nothing cached yet')
  let finish: (entries: ListingEntry[]) => void = () => {}
  const pending = cache.entries(dir, async () => await new Promise<ListingEntry[]>((resolve) => { finish = resolve }))
  assert.equal(cache.hasFile(dir, 'index.html'), undefined, 'still being read')
  finish([entry('a.txt'), { name: 'index.htm', type: 'directory', size: 0, mtimeMs: 0 }])
  await pending
  assert.equal(cache.hasFile(dir, 'a.txt'), true)
  assert.equal(cache.hasFile(dir, 'index.html'), false)
  assert.equal(cache.hasFile(dir, 'index.htm'), false, 'a folder named like an index is no index file')
  now = 5_000
  assert.equal(cache.hasFile(dir, 'a.txt'), undefined, 'aged out')
})

test('a listed folder that gets an index.html serves it once the watch reports it', async () => {
  const fixture = await makeTree({ 'dir/a.txt': 'a' })
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  after(async () => { await app.close(); await fixture.cleanup() })
  const first = await app.inject('/dir/')
  assert.equal(first.statusCode, 200)
  assert.match(first.body, /a\.txt/)
  await writeFile(fixture.path('dir', 'index.html'), '<p>the index</p>')
  await eventually(async () => (await app.inject('/dir/')).body === '<p>the index</p>')
  const res = await app.inject('/dir/')
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^text\/html/)
})
