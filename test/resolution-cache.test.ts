// The real-path cache: an entry is trusted without a stat ("hot") only after a stat
// made once its folders were watched confirmed it, and only until a watch reports a
// change or it ages out.
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { after, test } from 'node:test'
import { ResolutionCache } from '../src/resolution-cache.js'
import { waitFor } from './helpers/wait.js'

async function folderWithFile (): Promise<{ dir: string, file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'servekit-rc-'))
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'script.sh')
  await writeFile(file, 'x')
  return { dir, file }
}

test('an entry turns hot only after a stat begun once its folders were watched, and ages out', async () => {
  let now = 1_000
  const cache = new ResolutionCache(10, { maxAgeMs: 2_000, maxFolders: 8 }, () => now)
  after(() => { cache.close() })
  const { dir, file } = await folderWithFile()
  const before = performance.now()
  cache.remember('script.sh', file, await stat(file), [dir])
  assert.equal(cache.hotEntry('script.sh'), undefined, 'not hot when first remembered')
  cache.confirm('script.sh', before)
  assert.equal(cache.hotEntry('script.sh'), undefined, 'a stat begun before the watch proves nothing')
  cache.confirm('script.sh', performance.now())
  assert.equal(cache.hotEntry('script.sh')?.real, file)
  now += 1_999
  assert.equal(cache.hotEntry('script.sh')?.real, file)
  now += 1
  assert.equal(cache.hotEntry('script.sh'), undefined, 'aged out')
  assert.equal(cache.get('script.sh')?.real, file, 'still remembered for a stat to check')
})

test('a change in a watched folder forgets the entries that depend on it', async () => {
  const cache = new ResolutionCache(10, { maxAgeMs: 60_000, maxFolders: 8 })
  after(() => { cache.close() })
  const { dir, file } = await folderWithFile()
  cache.remember('script.sh', file, await stat(file), [dir])
  cache.confirm('script.sh', performance.now())
  assert.ok(cache.hotEntry('script.sh'))
  await writeFile(join(dir, 'other'), 'y')
  await waitFor(() => cache.get('script.sh') === undefined, 'the watch to report the new file')
  assert.equal(cache.hotEntry('script.sh'), undefined)
})

test('without hot options, without folders or past the watch limit, an entry is never hot', async () => {
  const { dir, file } = await folderWithFile()
  const stats = await stat(file)
  const plain = new ResolutionCache(10)
  const unwatched = new ResolutionCache(10, { maxAgeMs: 60_000, maxFolders: 8 })
  const full = new ResolutionCache(10, { maxAgeMs: 60_000, maxFolders: 0 })
  after(() => { plain.close(); unwatched.close(); full.close() })
  plain.remember('a', file, stats, [dir])
  unwatched.remember('a', file, stats)
  full.remember('a', file, stats, [dir])
  for (const cache of [plain, unwatched, full]) {
    cache.confirm('a', performance.now())
    assert.equal(cache.hotEntry('a'), undefined)
    assert.equal(cache.get('a')?.real, file)
  }
})

test('the oldest entry gives way past maxEntries, and its watches with it', async () => {
  const cache = new ResolutionCache(1, { maxAgeMs: 60_000, maxFolders: 1 })
  after(() => { cache.close() })
  const first = await folderWithFile()
  const second = await folderWithFile()
  cache.remember('first', first.file, await stat(first.file), [first.dir])
  cache.remember('second', second.file, await stat(second.file), [second.dir])
  assert.equal(cache.get('first'), undefined)
  // The one watch allowed went back with `first`, so `second` could have its own.
  cache.confirm('second', performance.now())
  assert.equal(cache.hotEntry('second')?.real, second.file)
})
