// Precompressed siblings (`precompressed: true`): app.js.br / app.js.gz served for
// app.js to clients that take them, with app.js's type and their own validators,
// found through the lookup (a link out is never served), never listed beside app.js.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { stat, utimes, writeFile } from 'node:fs/promises'
import zlib from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'

const APP = 'console.log("app")\n'.repeat(200)
const STYLE = 'body { color: red }\n'.repeat(100)
const LEAK = 'export const inside = true\n'.repeat(100)
const BR = zlib.brotliCompressSync(APP)
const GZ = zlib.gzipSync(APP)
const BIG_GZ = randomBytes(400 * 1024)
// Served as they are on disk: any bytes stand for a zstd file, on a Node that cannot make zstd too.
const ZST = randomBytes(2048)

let fixture: Fixture
let outside: Fixture

before(async () => {
  outside = await makeTree({ 'secret.br': 'OUTSIDE SECRET BYTES' })
  fixture = await makeTree({
    'app.js': APP,
    'style.css': STYLE,
    'lone.js.br': zlib.brotliCompressSync('lone'),
    'leak.js': LEAK,
    'leak.js.br': { symlink: outside.path('secret.br') },
    'stale.js': APP,
    'stale.js.gz': GZ,
    'big.js': APP,
    'backup.tar.gz': 'not a sibling'
  })
  // Written after their files (a sibling older than its file is stale and passed over).
  const later = new Date(Date.now() + 5_000)
  await writeFile(fixture.path('app.js.br'), BR)
  await writeFile(fixture.path('app.js.gz'), GZ)
  await writeFile(fixture.path('style.css.gz'), zlib.gzipSync(STYLE))
  await writeFile(fixture.path('big.js.gz'), BIG_GZ)
  await writeFile(fixture.path('style.css.zst'), ZST)
  for (const name of ['app.js.br', 'app.js.gz', 'style.css.gz', 'big.js.gz', 'style.css.zst']) await utimes(fixture.path(name), later, later)
  const past = new Date(Date.now() - 60_000)
  await utimes(fixture.path('stale.js.gz'), past, past)
})
after(async () => { await fixture.cleanup(); await outside.cleanup() })

async function appWith (options: { compress?: boolean, cache?: false } = {}): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(staticFiles, { root: fixture.dir, precompressed: true, ...options })
  await app.ready()
  return app
}

for (const cache of [undefined, false] as const) {
  describe(cache === false ? 'plain lookup' : 'cached lookup', () => {
    let app: FastifyInstance
    before(async () => { app = await appWith(cache === false ? { cache } : {}) })
    after(async () => { await app.close() })

    test('a client taking br gets app.js.br as it is on disk, typed as app.js, with the sibling\'s own validators', async () => {
      const identity = await app.inject({ url: '/app.js' })
      const res = await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'gzip, br' } })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-encoding'], 'br')
      assert.equal(res.headers['content-type'], 'application/javascript; charset=utf-8')
      assert.equal(res.headers['content-length'], String(BR.length))
      assert.equal(res.headers.vary, 'Accept-Encoding')
      assert.deepEqual(res.rawPayload, BR)
      const sibling = await stat(fixture.path('app.js.br'))
      assert.equal(res.headers.etag, `"${sibling.size.toString(16)}-${Math.floor(sibling.mtimeMs).toString(16)}-${Math.floor(sibling.ctimeMs).toString(16)}-br"`)
      assert.notEqual(res.headers.etag, identity.headers.etag)
      assert.equal(res.headers['last-modified'], sibling.mtime.toUTCString())
      assert.equal(identity.headers['content-encoding'], undefined)
      assert.equal(identity.body, APP)
    })

    test('a client taking only gzip gets app.js.gz; a 304 for the tag it holds', async () => {
      const res = await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'gzip' } })
      assert.equal(res.headers['content-encoding'], 'gzip')
      assert.deepEqual(res.rawPayload, GZ)
      const again = await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers.etag) } })
      assert.equal(again.statusCode, 304)
      assert.equal(again.headers.etag, res.headers.etag)
      assert.equal(again.headers['content-encoding'], undefined)
    })

    test('a .zst sibling goes to a client that takes zstd, whatever this Node can make', async () => {
      const res = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'zstd, gzip;q=0.5' } })
      assert.equal(res.headers['content-encoding'], 'zstd')
      assert.equal(res.headers['content-type'], 'text/css; charset=utf-8')
      assert.deepEqual(res.rawPayload, ZST)
      assert.match(String(res.headers.etag), /-zst"$/)
    })

    test('HEAD gives the sibling\'s length and coding, no body', async () => {
      const res = await app.inject({ method: 'HEAD', url: '/app.js', headers: { 'accept-encoding': 'br' } })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-encoding'], 'br')
      assert.equal(res.headers['content-length'], String(BR.length))
      assert.equal(res.rawPayload.length, 0)
    })

    test('a sibling over 256 KiB streams from its descriptor', async () => {
      const res = await app.inject({ url: '/big.js', headers: { 'accept-encoding': 'gzip' } })
      assert.equal(res.headers['content-encoding'], 'gzip')
      assert.equal(res.headers['content-length'], String(BIG_GZ.length))
      assert.deepEqual(res.rawPayload, BIG_GZ)
    })

    test('a Range request on app.js gets app.js\'s own bytes', async () => {
      const res = await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'br', range: 'bytes=0-6' } })
      assert.equal(res.statusCode, 206)
      assert.equal(res.headers['content-encoding'], undefined)
      assert.equal(res.body, 'console')
    })

    test('a sibling that is a link out of the folder is never served', async () => {
      const res = await app.inject({ url: '/leak.js', headers: { 'accept-encoding': 'br' } })
      assert.equal(res.statusCode, 200)
      assert.ok(!res.rawPayload.toString('latin1').includes('OUTSIDE'))
      // Compressed on the fly from leak.js instead.
      assert.equal(res.headers['content-encoding'], 'br')
      assert.equal(zlib.brotliDecompressSync(res.rawPayload).toString(), LEAK)
      assert.match(String(res.headers.etag), /^W\//)
    })

    test('a sibling older than its file is stale and passed over', async () => {
      const res = await app.inject({ url: '/stale.js', headers: { 'accept-encoding': 'gzip' } })
      assert.equal(res.headers['content-encoding'], 'gzip')
      assert.match(String(res.headers.etag), /^W\//)
      assert.equal(zlib.gunzipSync(res.rawPayload).toString(), APP)
    })

    test('a sibling without its file serves nothing new', async () => {
      const res = await app.inject({ url: '/lone.js', headers: { 'accept-encoding': 'br' } })
      assert.equal(res.statusCode, 404)
    })

    test('the listing leaves out siblings of files beside them, and is itself compressed', async () => {
      const json = await app.inject({ url: '/?format=json' })
      const names = (json.json() as { entries: Array<{ name: string }> }).entries.map((entry) => entry.name).sort()
      assert.deepEqual(names, ['app.js', 'backup.tar.gz', 'big.js', 'leak.js', 'lone.js.br', 'stale.js', 'style.css'])
      const res = await app.inject({ url: '/', headers: { 'accept-encoding': 'br' } })
      assert.equal(res.headers['content-encoding'], 'br')
      const html = { body: zlib.brotliDecompressSync(res.rawPayload).toString() }
      assert.ok(html.body.includes('leak.js'))
      assert.ok(!html.body.includes('app.js.br'))
      assert.ok(html.body.includes('lone.js.br'))
    })
  })
}

test('with compress off, siblings are still served and other files go out as they are', async () => {
  const app = await appWith({ compress: false })
  try {
    const css = await app.inject({ url: '/style.css', headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(css.headers['content-encoding'], 'gzip')
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8')
    assert.equal(zlib.gunzipSync(css.rawPayload).toString(), STYLE)
    const leak = await app.inject({ url: '/leak.js', headers: { 'accept-encoding': 'br' } })
    assert.equal(leak.headers['content-encoding'], undefined)
    assert.equal(leak.headers.vary, 'Accept-Encoding')
    assert.equal(leak.body, LEAK)
  } finally {
    await app.close()
  }
})

test('without precompressed, siblings are plain files: listed, and never served for their file', async () => {
  const app = Fastify()
  await app.register(staticFiles, { root: fixture.dir, compress: false })
  try {
    const res = await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'br' } })
    assert.equal(res.headers['content-encoding'], undefined)
    assert.equal(res.headers.vary, undefined)
    assert.ok((await app.inject({ url: '/' })).body.includes('app.js.br'))
  } finally {
    await app.close()
  }
})

test('every sibling opened is let go: served, passed over, refused, HEAD or 304', async () => {
  const openFds = openDescriptors
  const app = await appWith({ cache: false })
  try {
    const baseline = openFds()
    const tag = String((await app.inject({ url: '/app.js', headers: { 'accept-encoding': 'br' } })).headers.etag)
    for (const [method, url, headers] of [
      ['GET', '/big.js', { 'accept-encoding': 'gzip' }],
      ['HEAD', '/app.js', { 'accept-encoding': 'br' }],
      ['GET', '/app.js', { 'accept-encoding': 'br', 'if-none-match': tag }],
      ['GET', '/stale.js', { 'accept-encoding': 'gzip' }],
      ['GET', '/leak.js', { 'accept-encoding': 'br' }]
    ] as const) {
      await app.inject({ method, url, headers })
    }
    await waitFor(() => openFds() <= baseline, 'the descriptors to return to their baseline')
  } finally {
    await app.close()
  }
})
