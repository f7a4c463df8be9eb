// The file lookup on real folders: what it opens, what it refuses, and what the
// cached one keeps and when it lets go. Race and HTTP-level tests are in
// lookup-races.test.ts and descriptors.test.ts.
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { realpath, rename, symlink, unlink, writeFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { cachedLookup, type CacheHooks } from '../src/lookup/cached.js'
import { createLookup, type Lookup, type LookupPolicy } from '../src/lookup/index.js'
import { chooseVerifier } from '../src/lookup/verify.js'
import { watchFolder } from '../src/watch-folder.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'
import { withOpened } from './helpers/opened.js'

let fixture: Fixture
let outside: Fixture
let root: string

before(async () => {
  outside = await makeTree({ 'secret.txt': 'OUTSIDE', 'dir/f.txt': 'OUTSIDE' })
  fixture = await makeTree({
    'a.txt': 'hello',
    'sub/b.txt': 'bee',
    '.env': 'SECRET=1',
    'cgi-bin/x.sh': '#!/bin/sh',
    'inside-link.txt': { symlink: 'a.txt' },
    'dot-link.txt': { symlink: '.env' },
    'out-link.txt': { symlink: outside.path('secret.txt') },
    'out-dir': { symlink: outside.path('dir') }
  })
  execFileSync('mkfifo', [fixture.path('fifo')])
  root = await realpath(fixture.dir)
})
after(async () => { await fixture.cleanup(); await outside.cleanup() })

const policy = (overrides: Partial<LookupPolicy> = {}): LookupPolicy =>
  ({ root, dotfiles: false, followSymlinks: false, exclude: [], ...overrides })

async function status (lookup: Lookup, segments: string[]): Promise<number> {
  try {
    (await lookup.open(segments)).descriptor.release()
    return 200
  } catch (error) {
    return (error as { statusCode: number }).statusCode
  }
}

const openFds = openDescriptors

for (const cache of [false, undefined] as const) {
  describe(cache === false ? 'plain lookup' : 'cached lookup', () => {
    test('a file opens with its fstat and real path; a folder opens as a folder', async () => {
      const lookup = await createLookup(policy(), { cache })
      const file = await lookup.open(['a.txt'])
      assert.equal(file.kind, 'file')
      assert.equal(file.real, `${root}/a.txt`)
      assert.equal(file.stats.size, 5)
      assert.equal((await lookup.readSmall(file)).toString(), 'hello')
      file.descriptor.release()
      const folder = await lookup.open(['sub'])
      assert.equal(folder.kind, 'folder')
      assert.deepEqual((await lookup.listing(folder)).entries.map((e) => e.name), ['b.txt'])
      folder.descriptor.release()
      lookup.close()
    })

    test('a link inside is served as its target; links out, to dotfiles or into excluded folders are 404', async () => {
      const lookup = await createLookup(policy({ exclude: [`${root}/cgi-bin`] }), { cache })
      const link = await lookup.open(['inside-link.txt'])
      assert.equal(link.real, `${root}/a.txt`)
      link.descriptor.release()
      assert.equal(await status(lookup, ['out-link.txt']), 404)
      assert.equal(await status(lookup, ['out-dir', 'f.txt']), 404)
      assert.equal(await status(lookup, ['dot-link.txt']), 404)
      assert.equal(await status(lookup, ['cgi-bin', 'x.sh']), 404)
      assert.equal(await status(lookup, ['cgi-bin']), 404)
      assert.equal(await status(lookup, ['nope.txt']), 404)
      assert.equal(await status(lookup, ['a.txt', 'x']), 404)
      lookup.close()
    })

    test('with followSymlinks a link out is served; with dotfiles a dot link is', async () => {
      const lookup = await createLookup(policy({ followSymlinks: true, dotfiles: true }), { cache })
      assert.equal(await status(lookup, ['out-link.txt']), 200)
      assert.equal(await status(lookup, ['dot-link.txt']), 200)
      lookup.close()
    })

    test('a FIFO is 404 at once, never a hang', async () => {
      const lookup = await createLookup(policy(), { cache })
      assert.equal(await status(lookup, ['fifo']), 404)
      lookup.close()
    })

    test('every descriptor is closed once released, found or refused', async () => {
      const lookup = await createLookup(policy(), { cache })
      const baseline = openFds()
      for (let i = 0; i < 50; i++) {
        await status(lookup, ['a.txt'])
        await status(lookup, ['out-link.txt'])
        await status(lookup, ['fifo'])
        const folder = await lookup.open(['sub'])
        await lookup.listing(folder)
        folder.descriptor.release()
      }
      await waitFor(() => openFds() <= baseline, 'descriptors to be closed')
      lookup.close()
    })
  })
}

describe('cached lookup, with files older than the clock-tick margin', () => {
  let tree: Fixture
  let dir: string
  const later = (): number => Date.now() + 60_000

  before(async () => {
    tree = await makeTree({ 'k.txt': 'one', 'list/a.txt': 'a', 'list/b.txt': 'bb' })
    dir = await realpath(tree.dir)
  })
  after(async () => { await tree.cleanup() })

  async function lookupWith (hooks: Partial<CacheHooks> = {}, maxAgeMs = 3_600_000): Promise<Lookup> {
    const p: LookupPolicy = { root: dir, dotfiles: false, followSymlinks: false, exclude: [] }
    return cachedLookup(p, await chooseVerifier(dir), { maxAgeMs }, { warn: () => {}, now: later, ...hooks })
  }

  test('a kept small file is served from memory while its fstat is the same, and read again once it is not', async () => {
    const lookup = await lookupWith()
    assert.equal((await withOpened(lookup, ['k.txt'], async (f) => await lookup.readSmall(f))).toString(), 'one')
    // Same size, new bytes: the ctime moves, so the identity does.
    await writeFile(tree.path('k.txt'), 'two')
    assert.equal((await withOpened(lookup, ['k.txt'], async (f) => await lookup.readSmall(f))).toString(), 'two')
    // Replaced by rename: another inode.
    await writeFile(tree.path('k.new'), 'six')
    await rename(tree.path('k.new'), tree.path('k.txt'))
    assert.equal((await withOpened(lookup, ['k.txt'], async (f) => await lookup.readSmall(f))).toString(), 'six')
    lookup.close()
  })

  test('a kept file swapped for a link out is refused at once', async () => {
    const lookup = await lookupWith()
    await writeFile(tree.path('s.txt'), 'inside')
    await withOpened(lookup, ['s.txt'], async (f) => await lookup.readSmall(f))
    await unlink(tree.path('s.txt'))
    await symlink(outside.path('secret.txt'), tree.path('s.txt'))
    await assert.rejects(lookup.open(['s.txt']), { statusCode: 404 })
    lookup.close()
  })

  test('a listing is rendered once while kept, and dropped when its watch reports a file in it written', async () => {
    const lookup = await lookupWith()
    let renders = 0
    const page = async (): Promise<string> => await withOpened(lookup, ['list'], async (folder) => {
      const listing = await lookup.listing(folder)
      return listing.view('k', () => { renders++; return listing.entries.map((e) => `${e.name}:${e.size}`).sort().join(' ') }).toString()
    })
    assert.equal(await page(), 'a.txt:1 b.txt:2')
    assert.equal(await page(), 'a.txt:1 b.txt:2')
    assert.equal(renders, 1)
    // The folder's own times do not move when a file in it is written: only the watch can tell.
    await writeFile(tree.path('list/a.txt'), 'aaaa')
    await waitFor(async () => await page() === 'a.txt:4 b.txt:2', 'the listing to show the new size', 3000)
    lookup.close()
  })

  test('a file added to a kept listing shows on the next request', async () => {
    const lookup = await lookupWith({ watch: () => ({ close: () => {} }) as unknown as ReturnType<typeof watchFolder> })
    const names = async (): Promise<string[]> => await withOpened(lookup, ['list'], async (folder) => (await lookup.listing(folder)).entries.map((e) => e.name).sort())
    const before = await names()
    await writeFile(tree.path('list/new.txt'), 'n')
    assert.deepEqual(await names(), [...before, 'new.txt'].sort())
    await unlink(tree.path('list/new.txt'))
    assert.deepEqual(await names(), before)
    lookup.close()
  })

  test('without a watch a listing is not kept, and one warning says so', async () => {
    const warnings: string[] = []
    const lookup = await lookupWith({ watch: () => undefined, warn: (m) => { warnings.push(m) } })
    let renders = 0
    for (let i = 0; i < 3; i++) {
      await withOpened(lookup, ['list'], async (folder) => (await lookup.listing(folder)).view('k', () => { renders++; return '' }))
    }
    assert.equal(renders, 3)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /listings are read on every request/)
    lookup.close()
  })

  test('a kept listing lives no longer than its max age', async () => {
    let clock = Date.now() + 60_000
    const lookup = await lookupWith({ now: () => clock, watch: () => ({ close: () => {} }) as unknown as ReturnType<typeof watchFolder> }, 1_000)
    let renders = 0
    const view = async (): Promise<void> => { await withOpened(lookup, ['list'], async (folder) => (await lookup.listing(folder)).view('k', () => { renders++; return '' })) }
    await view()
    await view()
    assert.equal(renders, 1)
    clock += 1_001
    await view()
    assert.equal(renders, 2)
    lookup.close()
  })

  test('listings past the cap leave, closing their watches', async () => {
    const closed: string[] = []
    const lookup = cachedLookup({ root: dir, dotfiles: false, followSymlinks: false, exclude: [] }, await chooseVerifier(dir), { maxListings: 1, maxAgeMs: 3_600_000 }, {
      warn: () => {},
      now: later,
      watch: (path) => ({ close: () => { closed.push(path) } }) as unknown as ReturnType<typeof watchFolder>
    })
    await withOpened(lookup, [], async (folder) => await lookup.listing(folder))
    assert.equal(closed.length, 0)
    await withOpened(lookup, ['list'], async (folder) => await lookup.listing(folder))
    assert.equal(closed.length, 1)
    lookup.close()
    assert.equal(closed.length, 2)
  })
})
