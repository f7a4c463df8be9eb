// Compressed forms in the cached lookup: made once while the file's identity (or the
// listing) holds, made again the moment it does not, inside the cache's byte budget.
// Files are older than the clock-tick margin by a clock a minute ahead; listings use a
// long max age, so only the identity check or a watch event can make these pass.
import { strict as assert } from 'node:assert'
import zlib from 'node:zlib'
import { realpath, stat, utimes, writeFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import { cachedLookup, type CacheHooks, type CacheLimits } from '../src/lookup/cached.js'
import type { Lookup } from '../src/lookup/index.js'
import { chooseVerifier } from '../src/lookup/verify.js'
import type { watchFolder } from '../src/watch-folder.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { withOpened } from './helpers/opened.js'

const later = (): number => Date.now() + 60_000
const NO_WATCH = (): ReturnType<typeof watchFolder> => ({ close: () => {} }) as unknown as ReturnType<typeof watchFolder>

let tree: Fixture
let dir: string

before(async () => {
  tree = await makeTree({ 'k.txt': 'a'.repeat(4096), 'list/a.txt': 'a', 'list/b.txt': 'bb' })
  dir = await realpath(tree.dir)
})
after(async () => { await tree.cleanup() })

async function lookupWith (hooks: Partial<CacheHooks> = {}, limits: Partial<CacheLimits> = {}): Promise<Lookup> {
  return cachedLookup({ root: dir, dotfiles: false, followSymlinks: false, exclude: [] }, await chooseVerifier(dir), { maxAgeMs: 3_600_000, ...limits }, { warn: () => {}, now: later, ...hooks })
}

describe('a file\'s compressed form', () => {
  test('is made once while the file\'s fstat is the same, and again when only its ctime moved', async () => {
    const lookup = await lookupWith()
    let made = 0
    const make = async (body: Buffer, kept: boolean): Promise<Buffer> => {
      made++
      assert.equal(kept, true)
      return zlib.gzipSync(body)
    }
    const form = async (): Promise<string> => zlib.gunzipSync(await withOpened(lookup, ['k.txt'], async (f) => await lookup.variant(f, 'gzip', make))).toString()
    assert.equal(await form(), 'a'.repeat(4096))
    assert.equal(await form(), 'a'.repeat(4096))
    assert.equal(made, 1)
    // Same size, same mtime (put back): only the ctime tells the bytes changed.
    const { atime, mtime } = await stat(tree.path('k.txt'))
    await writeFile(tree.path('k.txt'), 'b'.repeat(4096))
    await utimes(tree.path('k.txt'), atime, mtime)
    assert.equal(await form(), 'b'.repeat(4096))
    assert.equal(made, 2)
    lookup.close()
  })

  test('asked for by many clients at once, is made once', async () => {
    const lookup = await lookupWith()
    let made = 0
    const make = async (body: Buffer): Promise<Buffer> => { made++; return zlib.gzipSync(body) }
    const forms = await Promise.all(Array.from({ length: 8 }, async () => await withOpened(lookup, ['k.txt'], async (f) => await lookup.variant(f, 'gzip', make))))
    assert.equal(made, 1)
    assert.ok(forms.every((form) => form.equals(forms[0]!)))
    lookup.close()
  })

  test('is filed apart from the file\'s own bytes and from other codings', async () => {
    const lookup = await lookupWith()
    const body = await withOpened(lookup, ['k.txt'], async (f) => await lookup.readSmall(f))
    const br = await withOpened(lookup, ['k.txt'], async (f) => await lookup.variant(f, 'br', async (b) => zlib.brotliCompressSync(b)))
    const gz = await withOpened(lookup, ['k.txt'], async (f) => await lookup.variant(f, 'gzip', async (b) => zlib.gzipSync(b)))
    assert.equal(zlib.brotliDecompressSync(br).toString(), body.toString())
    assert.equal(zlib.gunzipSync(gz).toString(), body.toString())
    assert.equal((await withOpened(lookup, ['k.txt'], async (f) => await lookup.readSmall(f))).toString(), body.toString())
    lookup.close()
  })

  test('counts in the files\' byte budget: too big for it, it is made each time', async () => {
    const lookup = await lookupWith({}, { maxFileBytes: 100 })
    let made = 0
    const make = async (body: Buffer): Promise<Buffer> => { made++; return Buffer.concat([body, body]) }
    for (let i = 0; i < 3; i++) await withOpened(lookup, ['k.txt'], async (f) => await lookup.variant(f, 'x', make))
    assert.equal(made, 3)
    lookup.close()
  })

  test('of a file changed within the clock tick is made but not kept', async () => {
    const lookup = await lookupWith({ now: Date.now })
    await writeFile(tree.path('fresh.txt'), 'f'.repeat(2048))
    const kept: boolean[] = []
    const make = async (body: Buffer, keep: boolean): Promise<Buffer> => { kept.push(keep); return body }
    for (let i = 0; i < 2; i++) await withOpened(lookup, ['fresh.txt'], async (f) => await lookup.variant(f, 'x', make))
    assert.deepEqual(kept, [false, false])
    lookup.close()
  })
})

describe('a listing\'s compressed form', () => {
  test('is made once while the listing is kept', async () => {
    const lookup = await lookupWith({ watch: NO_WATCH })
    let made = 0
    for (let i = 0; i < 3; i++) {
      await withOpened(lookup, ['list'], async (folder) => {
        const listing = await lookup.listing(folder)
        return await listing.variant('k', 'gzip', () => 'page', async (page) => { made++; return zlib.gzipSync(page) })
      })
    }
    assert.equal(made, 1)
    lookup.close()
  })

  test('asked for by many clients at once, is made once', async () => {
    const lookup = await lookupWith({ watch: NO_WATCH })
    let made = 0
    await Promise.all(Array.from({ length: 8 }, async () => await withOpened(lookup, ['list'], async (folder) => {
      const listing = await lookup.listing(folder)
      return await listing.variant('k', 'gzip', () => 'page', async (page) => { made++; return zlib.gzipSync(page) })
    })))
    assert.equal(made, 1)
    lookup.close()
  })

  test('made while the watch drops its listing is served but not kept', async () => {
    let fire = (): void => {}
    const lookup = await lookupWith({ watch: (_path, onChange) => { fire = onChange; return NO_WATCH() } })
    let made = 0
    const variant = async (during: () => void): Promise<void> => {
      await withOpened(lookup, ['list'], async (folder) => {
        const listing = await lookup.listing(folder)
        await listing.variant('k', 'gzip', () => 'page', async (page) => { made++; during(); return zlib.gzipSync(page) })
      })
    }
    await variant(() => { fire() })
    await variant(() => {})
    await variant(() => {})
    assert.equal(made, 2)
    lookup.close()
  })
})

describe('through the plugin', () => {
  async function appWith (lookup: Lookup): Promise<FastifyInstance> {
    const app = Fastify()
    await app.register(staticFiles, { root: dir, lookup })
    await app.ready()
    return app
  }
  const filler = ' '.repeat(2048)

  async function brListing (app: FastifyInstance): Promise<string> {
    const res = await app.inject({ url: '/list/?format=json', headers: { 'accept-encoding': 'br' } })
    assert.equal(res.headers['content-encoding'], 'br')
    return zlib.brotliDecompressSync(res.rawPayload).toString()
  }

  test('a kept compressed listing shows a file written in the folder once the watch reports it', async () => {
    // Enough entries for a page over the 1 KiB below which nothing is compressed.
    for (let i = 0; i < 40; i++) await writeFile(tree.path(`list/entry-${i}.txt`), `${i}`)
    const lookup = await lookupWith()
    const app = await appWith(lookup)
    try {
      assert.match(await brListing(app), /"name":"a.txt","type":"file","size":1,/)
      // Written in place: the folder's own times stay, only the watch can tell.
      await writeFile(tree.path('list/a.txt'), filler)
      await waitFor(async () => (await brListing(app)).includes('"name":"a.txt","type":"file","size":2048,'), 'the compressed listing to show the new size', 5000)
    } finally {
      await app.close()
      lookup.close()
    }
  })

  test('the test above depends on the watch: with one that never fires, the kept compressed listing stays as it was', async () => {
    await writeFile(tree.path('list/b.txt'), 'bb')
    const lookup = await lookupWith({ watch: NO_WATCH })
    const app = await appWith(lookup)
    try {
      assert.match(await brListing(app), /"name":"b.txt","type":"file","size":2,/)
      await writeFile(tree.path('list/b.txt'), filler)
      // The folder's times did not move: nothing but a watch event could drop the kept listing.
      assert.match(await brListing(app), /"name":"b.txt","type":"file","size":2,/)
    } finally {
      await app.close()
      lookup.close()
    }
  })

  test('a kept compressed file is made again when the file is rewritten', async () => {
    const lookup = await lookupWith()
    const app = await appWith(lookup)
    const br = async (): Promise<string> => {
      const res = await app.inject({ url: '/k.txt', headers: { 'accept-encoding': 'br' } })
      assert.equal(res.headers['content-encoding'], 'br')
      return zlib.brotliDecompressSync(res.rawPayload).toString()
    }
    try {
      await writeFile(tree.path('k.txt'), 'c'.repeat(4096))
      assert.equal(await br(), 'c'.repeat(4096))
      await writeFile(tree.path('k.txt'), 'd'.repeat(4096))
      assert.equal(await br(), 'd'.repeat(4096))
    } finally {
      await app.close()
      lookup.close()
    }
  })
})
