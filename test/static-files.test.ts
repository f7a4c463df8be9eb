// The static plugin through fastify.inject: what a client sees for files, folders,
// listings, methods, validators and ranges. Traversal lives in traversal.test.ts,
// because inject normalises the paths an attacker would send.
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
let app: FastifyInstance

before(async () => {
  fixture = await makeTree({
    'a.txt': 'hello world\n',
    'page.html': '<h1>hi</h1>',
    'data.json': '{"a":1}',
    'app.js': 'console.log(1)',
    'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'blob.unknownext': 'x',
    'digits.bin': '0123456789',
    'empty.txt': '',
    'sub/inner.txt': 'inner',
    'site/index.html': 'site index',
    'site/index.htm': 'legacy index',
    'legacy/index.htm': 'legacy only',
    'listed/file10.txt': '10',
    'listed/file2.txt': '2',
    'listed/file1.txt': '1',
    'listed/big.txt': 'x'.repeat(3000),
    'listed/zdir': null,
    'listed/adir': null,
    'names/with space.txt': 'space',
    'names/é ü.txt': 'accents',
    'names/日本.txt': 'kanji',
    'names/<img src=x onerror=alert(1)>': 'xss',
    'names/100%.txt': 'percent',
    'names/q?#.txt': 'query-like',
    '.env': 'SECRET=1',
    '.hidden/inside.txt': 'hidden',
    '.well-known/security.txt': 'Contact: mailto:security@example.com'
  })
  app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
})

after(async () => {
  await app.close()
  await fixture.cleanup()
})

describe('files', () => {
  test('a file answers 200 with its bytes, length, type, validators and Accept-Ranges', async () => {
    const res = await app.inject('/a.txt')
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, 'hello world\n')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.headers['content-length'], '12')
    assert.equal(res.headers['accept-ranges'], 'bytes')
    assert.match(String(res.headers.etag), /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/)
    assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))))
  })

  test('Content-Type follows the extension, with charset on text types', async () => {
    const types: Record<string, string> = {
      '/page.html': 'text/html; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/app.js': 'application/javascript; charset=utf-8',
      '/image.png': 'image/png',
      '/blob.unknownext': 'application/octet-stream'
    }
    for (const [url, type] of Object.entries(types)) {
      assert.equal((await app.inject(url)).headers['content-type'], type, url)
    }
  })

  test('HEAD answers the headers of GET without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/a.txt' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-length'], '12')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.body, '')
  })

  test('an empty file answers 200 with length 0', async () => {
    const res = await app.inject('/empty.txt')
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-length'], '0')
    assert.equal(res.body, '')
  })

  test('a missing file is 404', async () => {
    const res = await app.inject('/nope.txt')
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().statusCode, 404)
  })

  test('a file with a trailing slash is 404, not the file', async () => {
    assert.equal((await app.inject('/a.txt/')).statusCode, 404)
  })

  test('a special file (FIFO) is neither listed nor opened', async () => {
    execFileSync('mkfifo', [fixture.path('sub', 'pipe')])
    assert.equal((await app.inject('/sub/pipe')).statusCode, 404)
    const names = (await app.inject('/sub/?format=json')).json().entries.map((e: { name: string }) => e.name)
    assert.deepEqual(names, ['inner.txt'])
  })
})

describe('folders', () => {
  test('a folder without a trailing slash redirects 301 to it, keeping the query', async () => {
    const res = await app.inject('/sub?sort=size&order=desc')
    assert.equal(res.statusCode, 301)
    assert.equal(res.headers.location, '/sub/?sort=size&order=desc')
    assert.equal((await app.inject('/names')).headers.location, '/names/')
  })

  test('index.html stands for its folder, before index.htm', async () => {
    const res = await app.inject('/site/')
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, 'site index')
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  })

  test('index.htm is used when there is no index.html', async () => {
    assert.equal((await app.inject('/legacy/')).body, 'legacy only')
  })

  test('a folder without an index lists its entries as HTML', async () => {
    const res = await app.inject('/listed/')
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/)
    assert.match(res.body, /<title>Directory listing for \/listed\/<\/title>/)
    const hrefs = [...res.body.matchAll(/<td><a href="([^"]+)">/g)].map((m) => m[1])
    assert.deepEqual(hrefs, ['../', 'adir/', 'zdir/', 'big.txt', 'file1.txt', 'file2.txt', 'file10.txt'])
  })

  test('the root listing has no link to ../', async () => {
    const res = await app.inject('/')
    assert.equal(res.statusCode, 200)
    assert.ok(!res.body.includes('href="../"'))
  })

  test('names are HTML-escaped and hrefs percent-encoded, and those hrefs resolve', async () => {
    const res = await app.inject('/names/')
    assert.ok(!res.body.includes('<img src=x'))
    assert.ok(res.body.includes('&lt;img src=x onerror=alert(1)&gt;'))
    for (const [href, body] of [
      ['with%20space.txt', 'space'],
      ['%C3%A9%20%C3%BC.txt', 'accents'],
      ['%E6%97%A5%E6%9C%AC.txt', 'kanji'],
      ['%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', 'xss'],
      ['100%25.txt', 'percent'],
      ['q%3F%23.txt', 'query-like']
    ]) {
      assert.ok(res.body.includes(`href="${href}"`), href)
      const file = await app.inject(`/names/${href}`)
      assert.equal(file.statusCode, 200, href)
      assert.equal(file.body, body)
    }
  })

  test('Accept: application/json gives the JSON listing', async () => {
    const res = await app.inject({ url: '/listed/', headers: { accept: 'application/json' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(res.headers.vary, 'Accept, Accept-Encoding')
    const body = res.json()
    assert.equal(body.path, '/listed/')
    assert.deepEqual(body.entries.map((e: { name: string }) => e.name), ['adir', 'zdir', 'big.txt', 'file1.txt', 'file2.txt', 'file10.txt'])
    const big = body.entries.find((e: { name: string }) => e.name === 'big.txt')
    assert.deepEqual(Object.keys(big), ['name', 'type', 'size', 'mtime'])
    assert.equal(big.type, 'file')
    assert.equal(big.size, 3000)
    assert.match(big.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    assert.equal(body.entries[0].type, 'directory')
  })

  test('a browser Accept header gets HTML; JSON only when preferred', async () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
    assert.match(String((await app.inject({ url: '/listed/', headers: { accept: browser } })).headers['content-type']), /^text\/html/)
    assert.match(String((await app.inject({ url: '/listed/', headers: { accept: '*/*' } })).headers['content-type']), /^text\/html/)
    assert.match(String((await app.inject({ url: '/listed/', headers: { accept: 'text/html;q=0.5, application/json' } })).headers['content-type']), /^application\/json/)
  })

  test('?format=json and ?format=html override Accept', async () => {
    assert.equal((await app.inject('/listed/?format=json')).json().path, '/listed/')
    const html = await app.inject({ url: '/listed/?format=html', headers: { accept: 'application/json' } })
    assert.match(String(html.headers['content-type']), /^text\/html/)
  })

  test('?sort and ?order re-sort both formats, folders first', async () => {
    const json = (await app.inject('/listed/?format=json&sort=size&order=desc')).json()
    assert.deepEqual(json.entries.filter((e: { type: string }) => e.type === 'file').map((e: { name: string }) => e.name),
      ['big.txt', 'file10.txt', 'file2.txt', 'file1.txt'])
    assert.equal(json.entries[0].type, 'directory')
    const html = (await app.inject('/listed/?sort=name&order=desc')).body
    const hrefs = [...html.matchAll(/<td><a href="([^"]+)">/g)].map((m) => m[1])
    assert.deepEqual(hrefs, ['../', 'zdir/', 'adir/', 'file10.txt', 'file2.txt', 'file1.txt', 'big.txt'])
  })

  test('an unknown sort key, order or format is 400 with a message', async () => {
    for (const query of ['sort=colour', 'order=up', 'format=xml']) {
      const res = await app.inject(`/listed/?${query}`)
      assert.equal(res.statusCode, 400, query)
      assert.match(res.json().message, /must be one of/)
    }
  })

  test('HEAD on a folder answers the listing headers without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/listed/' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(res.body, '')
  })
})

describe('methods', () => {
  test('other methods on a file or folder are 405 with Allow: GET, HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      for (const url of ['/a.txt', '/listed/']) {
        const res = await app.inject({ method, url })
        assert.equal(res.statusCode, 405, `${method} ${url}`)
        assert.equal(res.headers.allow, 'GET, HEAD')
      }
    }
  })

  test('a body of any type does not change the 405', async () => {
    const res = await app.inject({ method: 'POST', url: '/a.txt', headers: { 'content-type': 'application/json' }, payload: '{not json' })
    assert.equal(res.statusCode, 405)
    const form = await app.inject({ method: 'PUT', url: '/a.txt', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' })
    assert.equal(form.statusCode, 405)
  })

  test('other methods on a path that does not exist are 404', async () => {
    assert.equal((await app.inject({ method: 'POST', url: '/nope.txt' })).statusCode, 404)
  })
})

describe('conditional requests', () => {
  test('If-None-Match with the current ETag is 304 without a body', async () => {
    const { etag } = (await app.inject('/a.txt')).headers
    const res = await app.inject({ url: '/a.txt', headers: { 'if-none-match': String(etag) } })
    assert.equal(res.statusCode, 304)
    assert.equal(res.body, '')
    assert.equal(res.headers.etag, etag)
  })

  test('If-None-Match with another ETag is 200', async () => {
    assert.equal((await app.inject({ url: '/a.txt', headers: { 'if-none-match': '"nope"' } })).statusCode, 200)
  })

  test('If-Modified-Since at or after Last-Modified is 304, before it 200', async () => {
    const lastModified = String((await app.inject('/a.txt')).headers['last-modified'])
    assert.equal((await app.inject({ url: '/a.txt', headers: { 'if-modified-since': lastModified } })).statusCode, 304)
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString()
    assert.equal((await app.inject({ url: '/a.txt', headers: { 'if-modified-since': earlier } })).statusCode, 200)
  })

  test('If-None-Match takes precedence over If-Modified-Since', async () => {
    const lastModified = String((await app.inject('/a.txt')).headers['last-modified'])
    const res = await app.inject({ url: '/a.txt', headers: { 'if-none-match': '"nope"', 'if-modified-since': lastModified } })
    assert.equal(res.statusCode, 200)
  })

  test('If-Match with another ETag is 412', async () => {
    assert.equal((await app.inject({ url: '/a.txt', headers: { 'if-match': '"nope"' } })).statusCode, 412)
  })
})

describe('ranges', () => {
  const range = async (header: string, extra: Record<string, string> = {}) =>
    await app.inject({ url: '/digits.bin', headers: { range: header, ...extra } })

  test('a single range is 206 with Content-Range and only those bytes', async () => {
    const res = await range('bytes=2-4')
    assert.equal(res.statusCode, 206)
    assert.equal(res.headers['content-range'], 'bytes 2-4/10')
    assert.equal(res.headers['content-length'], '3')
    assert.equal(res.body, '234')
  })

  test('a suffix range gives the last N bytes', async () => {
    const res = await range('bytes=-3')
    assert.equal(res.statusCode, 206)
    assert.equal(res.headers['content-range'], 'bytes 7-9/10')
    assert.equal(res.body, '789')
  })

  test('an open range runs to the end', async () => {
    const res = await range('bytes=8-')
    assert.equal(res.statusCode, 206)
    assert.equal(res.headers['content-range'], 'bytes 8-9/10')
    assert.equal(res.body, '89')
  })

  test('several ranges are one multipart/byteranges body', async () => {
    const res = await range('bytes=0-1,5-6')
    assert.equal(res.statusCode, 206)
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(String(res.headers['content-type']))?.[1]
    assert.ok(boundary !== undefined)
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body))
    assert.equal(res.body,
      `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/10\r\n\r\n01` +
      `\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 5-6/10\r\n\r\n56` +
      `\r\n--${boundary}--\r\n`)
  })

  test('an unsatisfiable range is 416 with Content-Range: bytes */size and no body', async () => {
    const res = await range('bytes=10-20')
    assert.equal(res.statusCode, 416)
    assert.equal(res.headers['content-range'], 'bytes */10')
    assert.equal(res.body, '')
  })

  test('a browser\'s unsatisfiable range is the 416 page, with Content-Range still', async () => {
    const res = await range('bytes=10-20', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })
    assert.equal(res.statusCode, 416)
    assert.equal(res.headers['content-range'], 'bytes */10')
    assert.match(String(res.headers['content-type']), /^text\/html/)
    assert.match(res.body, /<h1>Range Not Satisfiable<\/h1>/)
  })

  test('an invalid Range header is ignored', async () => {
    const res = await range('bytes=5-2')
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, '0123456789')
  })

  test('If-Range with the current ETag or date honours the range; a stale one sends everything', async () => {
    const { etag, 'last-modified': lastModified } = (await app.inject('/digits.bin')).headers
    assert.equal((await range('bytes=0-0', { 'if-range': String(etag) })).statusCode, 206)
    assert.equal((await range('bytes=0-0', { 'if-range': String(lastModified) })).statusCode, 206)
    const stale = await range('bytes=0-0', { 'if-range': '"stale"' })
    assert.equal(stale.statusCode, 200)
    assert.equal(stale.body, '0123456789')
  })

  test('HEAD with a range answers 206 headers without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/digits.bin', headers: { range: 'bytes=0-3' } })
    assert.equal(res.statusCode, 206)
    assert.equal(res.headers['content-length'], '4')
    assert.equal(res.body, '')
  })
})

describe('dotfiles', () => {
  test('dotfiles are 404 and not listed', async () => {
    assert.equal((await app.inject('/.env')).statusCode, 404)
    assert.equal((await app.inject('/.hidden/inside.txt')).statusCode, 404)
    const names = (await app.inject('/?format=json')).json().entries.map((e: { name: string }) => e.name)
    assert.ok(!names.includes('.env'))
    assert.ok(!names.includes('.hidden'))
  })

  test('/.well-known/ is always served', async () => {
    const res = await app.inject('/.well-known/security.txt')
    assert.equal(res.statusCode, 200)
    assert.match(res.body, /^Contact:/)
  })

  test('with dotfiles on they are listed and served', async () => {
    const open = await buildApp({ directory: fixture.dir, logLevel: 'silent', dotfiles: true })
    after(async () => { await open.close() })
    assert.equal((await open.inject('/.env')).body, 'SECRET=1')
    assert.equal((await open.inject('/.hidden/inside.txt')).body, 'hidden')
    const names = (await open.inject('/?format=json')).json().entries.map((e: { name: string }) => e.name)
    assert.ok(names.includes('.env') && names.includes('.hidden'))
  })
})
