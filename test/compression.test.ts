// Compression of files and listings by the static plugin in a bare Fastify app:
// which answers are coded, byte-exact bodies for each coding, tags and 304s per
// form, ranges and HEAD; with the cached lookup and the plain one alike.
import { strict as assert } from 'node:assert'
import zlib from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import { HAS_ZSTD } from '../plugins/static/compress.js'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const z = zlib as typeof zlib & { zstdDecompressSync?: (buffer: Buffer) => Buffer }

/** Text that compresses like code: repeated words, varying numbers. */
function text (bytes: number, seed = 0): string {
  let out = ''
  for (let i = 0; out.length < bytes; i++) out += `export const value${i} = compute(${(i * 7919 + seed) % 1000}, 'item-${i % 37}')\n`
  return out.slice(0, bytes)
}

const SMALL = text(4 * 1024)
const MID = text(200 * 1024, 1)
const TINY = text(600, 2)

function decoded (res: LightMyRequestResponse): string {
  const raw = res.rawPayload
  switch (res.headers['content-encoding']) {
    case undefined: return raw.toString()
    case 'br': return zlib.brotliDecompressSync(raw).toString()
    case 'gzip': return zlib.gunzipSync(raw).toString()
    case 'zstd': return z.zstdDecompressSync!(raw).toString()
    default: throw new Error(`unexpected coding ${String(res.headers['content-encoding'])}`)
  }
}

let fixture: Fixture

before(async () => {
  const names: Record<string, string> = {}
  for (let i = 0; i < 60; i++) names[`listed/file-${i}.txt`] = `${i}`
  fixture = await makeTree({
    'small.txt': SMALL,
    'mid.js': MID,
    'tiny.css': TINY,
    'image.png': Buffer.alloc(8 * 1024, 7),
    ...names
  })
})
after(async () => { await fixture.cleanup() })

async function bareApp (options: { cache?: false, compress?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(staticFiles, { root: fixture.dir, ...options })
  await app.ready()
  return app
}

const CODINGS = HAS_ZSTD ? ['br', 'gzip', 'zstd'] as const : ['br', 'gzip'] as const

for (const cache of [undefined, false] as const) {
  describe(cache === false ? 'plain lookup' : 'cached lookup', () => {
    let app: FastifyInstance
    before(async () => { app = await bareApp(cache === false ? { cache } : {}) })
    after(async () => { await app.close() })

    for (const coding of CODINGS) {
      for (const [url, body] of [['/small.txt', SMALL], ['/mid.js', MID]] as const) {
        test(`${url} in ${coding} decodes to the file, twice (made, then kept)`, async () => {
          for (let round = 0; round < 2; round++) {
            const res = await app.inject({ url, headers: { 'accept-encoding': coding } })
            assert.equal(res.statusCode, 200)
            assert.equal(res.headers['content-encoding'], coding)
            assert.equal(res.headers.vary, 'Accept-Encoding')
            assert.equal(Number(res.headers['content-length']), res.rawPayload.length)
            assert.ok(res.rawPayload.length < body.length / 2, `${res.rawPayload.length} bytes`)
            assert.equal(res.headers['accept-ranges'], undefined)
            assert.equal(decoded(res), body)
          }
        })
      }

      test(`the listing in ${coding}, HTML and JSON, decodes to the identity page`, async () => {
        for (const url of ['/listed/', '/listed/?format=json']) {
          const plain = await app.inject({ url })
          assert.equal(plain.headers['content-encoding'], undefined)
          assert.equal(plain.headers.vary, 'Accept, Accept-Encoding')
          const res = await app.inject({ url, headers: { 'accept-encoding': coding } })
          assert.equal(res.statusCode, 200)
          assert.equal(res.headers['content-encoding'], coding)
          assert.equal(res.headers.vary, 'Accept, Accept-Encoding')
          assert.equal(res.headers['content-type'], plain.headers['content-type'])
          assert.equal(decoded(res), plain.body)
        }
      })
    }

    test('no Accept-Encoding: the file itself, with Vary, length and tag unchanged', async () => {
      const res = await app.inject({ url: '/small.txt' })
      assert.equal(res.headers['content-encoding'], undefined)
      assert.equal(res.headers.vary, 'Accept-Encoding')
      assert.equal(res.headers['content-length'], String(SMALL.length))
      assert.match(String(res.headers.etag), /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/)
      assert.equal(res.body, SMALL)
    })

    test('a browser\'s header gets br', async () => {
      const res = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } })
      assert.equal(res.headers['content-encoding'], 'br')
      assert.equal(res.headers['content-type'], 'application/javascript; charset=utf-8')
    })

    test('identity;q=0 with nothing we make: the file itself, not 406', async () => {
      const res = await app.inject({ url: '/small.txt', headers: { 'accept-encoding': 'deflate, identity;q=0' } })
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-encoding'], undefined)
      assert.equal(res.body, SMALL)
    })

    test('a file under 1 KiB and an image are never coded and do not vary', async () => {
      for (const url of ['/tiny.css', '/image.png']) {
        const res = await app.inject({ url, headers: { 'accept-encoding': 'br, gzip' } })
        assert.equal(res.statusCode, 200)
        assert.equal(res.headers['content-encoding'], undefined, url)
        assert.equal(res.headers.vary, undefined, url)
      }
    })

    test('a Range request gets identity bytes (206), with Vary', async () => {
      const res = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br, gzip', range: 'bytes=10-19' } })
      assert.equal(res.statusCode, 206)
      assert.equal(res.headers['content-encoding'], undefined)
      assert.equal(res.headers['content-range'], `bytes 10-19/${MID.length}`)
      assert.equal(res.headers.vary, 'Accept-Encoding')
      assert.equal(res.body, MID.slice(10, 20))
      const multi = await app.inject({ url: '/small.txt', headers: { 'accept-encoding': 'br', range: 'bytes=0-0,2-2' } })
      assert.equal(multi.statusCode, 206)
      assert.equal(multi.headers['content-encoding'], undefined)
    })

    test('HEAD answers the headers GET would, without a body', async () => {
      for (const url of ['/small.txt', '/mid.js', '/listed/']) {
        const get = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
        const head = await app.inject({ method: 'HEAD', url, headers: { 'accept-encoding': 'br' } })
        assert.equal(head.statusCode, 200)
        assert.equal(head.rawPayload.length, 0)
        for (const name of ['content-encoding', 'content-length', 'content-type', 'etag', 'vary']) {
          assert.equal(head.headers[name], get.headers[name], `${url} ${name}`)
        }
      }
    })

    test('each coding has its own weak tag, and a 304 names the form the client holds', async () => {
      const identity = await app.inject({ url: '/mid.js' })
      const br = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br' } })
      const gzip = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'gzip' } })
      const tag = String(identity.headers.etag)
      assert.equal(br.headers.etag, `W/${tag.slice(0, -1)}-br"`)
      assert.equal(gzip.headers.etag, `W/${tag.slice(0, -1)}-gz"`)

      // The br copy, asked for with br: 304, its tag, no coding named (a cache keeps its stored headers).
      const fresh = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } })
      assert.equal(fresh.statusCode, 304)
      assert.equal(fresh.headers.etag, br.headers.etag)
      assert.equal(fresh.headers['content-encoding'], undefined)
      assert.equal(fresh.headers.vary, 'Accept-Encoding')
      // The br copy, but this client only takes gzip now: the gzip bytes, not a 304.
      const other = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) } })
      assert.equal(other.statusCode, 200)
      assert.equal(other.headers['content-encoding'], 'gzip')
      assert.equal(decoded(other), MID)
      // The identity copy on a br request: still good for a client that takes identity, so 304 naming it.
      const held = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br', 'if-none-match': tag } })
      assert.equal(held.statusCode, 304)
      assert.equal(held.headers.etag, tag)
      // ...but not for one that refuses identity: it gets the br bytes.
      const refused = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br, identity;q=0', 'if-none-match': tag } })
      assert.equal(refused.statusCode, 200)
      assert.equal(refused.headers['content-encoding'], 'br')
      // The br tag never passes for the identity bytes.
      const plain = await app.inject({ url: '/mid.js', headers: { 'if-none-match': String(br.headers.etag) } })
      assert.equal(plain.statusCode, 200)
      assert.equal(plain.body, MID)
    })

    test('If-Match with a weak coded tag fails (strong comparison)', async () => {
      const br = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br' } })
      const res = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'br', 'if-match': String(br.headers.etag) } })
      assert.equal(res.statusCode, 412)
    })
  })
}

test('compress: false sends every file and listing as it is, with no Vary', async () => {
  const app = await bareApp({ compress: false })
  try {
    for (const url of ['/mid.js', '/listed/']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br, gzip' } })
      assert.equal(res.headers['content-encoding'], undefined)
      assert.ok(!String(res.headers.vary).includes('Accept-Encoding'))
    }
  } finally {
    await app.close()
  }
})

test('buildApp with the plain lookup compresses too', async () => {
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', lookupCache: false })
  try {
    const res = await app.inject({ url: '/mid.js', headers: { 'accept-encoding': 'gzip' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-encoding'], 'gzip')
    assert.equal(decoded(res), MID)
  } finally {
    await app.close()
  }
})
