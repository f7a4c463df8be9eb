// Uploads over real sockets, the upload plugin registered in a bare Fastify app beside
// the static plugin, as buildApp does: what lands on disk, what is answered, what is refused.
import { strict as assert } from 'node:assert'
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { readdirSync, readFileSync, existsSync, lstatSync, realpathSync, statfsSync, utimesSync } from 'node:fs'
import { rename, symlink } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { afterEach, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import upload, { UPLOAD_METHODS, type UploadOptions } from '../plugins/upload/index.js'
import { TEMP_PREFIX } from '../plugins/upload/store.js'
import { useErrorReplies } from '../src/error-reply.js'
import { createLookup } from '../src/lookup/index.js'
import { makeTree, type Fixture, type Tree } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'

interface Server { app: FastifyInstance, port: number, fixture: Fixture, logs: Array<Record<string, unknown>> }
const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.app.close()
    await server.fixture.cleanup()
  }
})

/** Both plugins as buildApp registers them; `shared`: one cached lookup for both, as buildApp makes. */
async function start (tree: Tree, options: Partial<UploadOptions> = {}, shared = false): Promise<Server> {
  const fixture = await makeTree(tree)
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { logs.push(JSON.parse(chunk.toString())); done() } })
  const app = Fastify({ logger: { level: 'info', stream } })
  useErrorReplies(app)
  const root = realpathSync(fixture.dir)
  const lookup = shared ? await createLookup({ root, dotfiles: options.dotfiles ?? false, followSymlinks: false, exclude: [] }) : undefined
  if (lookup !== undefined) app.addHook('onClose', async () => { lookup.close() })
  await app.register(staticFiles, { root: fixture.dir, lookup, writeMethods: UPLOAD_METHODS, listingActions: { upload: true } })
  await app.register(upload, { root: fixture.dir, lookup, ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const server = { app, port: (app.server.address() as { port: number }).port, fixture, logs }
  servers.push(server)
  return server
}

interface Answer { status: number, headers: IncomingHttpHeaders, text: string, json: () => any }

/** One request, the path sent as written; the body given whole, or written by `write` (then ended). */
async function send (port: number, method: string, path: string, body?: Buffer | string, headers: OutgoingHttpHeaders = {}): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface Part { name: string, value: string | Buffer, filename?: string }

/** A multipart body written by hand: the filenames exactly as an attacker would send them. */
function form (parts: Part[]): { body: Buffer, headers: OutgoingHttpHeaders } {
  const boundary = '----servekit' + Math.random().toString(16).slice(2)
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"` + (part.filename === undefined ? '' : `; filename="${part.filename}"`)
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
      (part.filename === undefined ? '' : 'Content-Type: application/octet-stream\r\n') + '\r\n'))
    chunks.push(Buffer.from(part.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  const body = Buffer.concat(chunks)
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } }
}

async function post (port: number, path: string, parts: Part[], headers: OutgoingHttpHeaders = {}): Promise<Answer> {
  const { body, headers: own } = form(parts)
  return await send(port, 'POST', path, body, { ...own, ...headers })
}

/** Every entry below `dir`, temporary files included, as relative paths. */
function tree (dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort()
}
const temps = (dir: string): string[] => tree(dir).filter((name) => name.split('/').some((part) => part.startsWith(TEMP_PREFIX)))

describe('storing', () => {
  test('PUT stores the body under the URL\'s name: 201, Location, a JSON line naming it, one log line', async () => {
    const { port, fixture, logs } = await start({ 'docs/': null })
    const answer = await send(port, 'PUT', '/docs/report%20v1.pdf', 'PDF bytes')
    assert.equal(answer.status, 201)
    assert.equal(answer.headers.location, '/docs/report%20v1.pdf')
    assert.deepEqual(answer.json(), { stored: [{ name: 'report v1.pdf', path: '/docs/report%20v1.pdf', type: 'file', size: 9 }] })
    assert.equal(readFileSync(fixture.path('docs', 'report v1.pdf'), 'utf8'), 'PDF bytes')
    const lines = logs.filter((line) => String(line.msg).startsWith('upload:'))
    assert.equal(lines.length, 1)
    assert.equal(lines[0]!.client, '127.0.0.1')
    assert.equal(lines[0]!.size, 9)
    assert.equal(lines[0]!.name, '/docs/report%20v1.pdf')
    assert.deepEqual(temps(fixture.dir), [])
  })

  test('a chunked PUT (curl -T -) streams in the same way', async () => {
    const { port, fixture } = await start({})
    const answer = await send(port, 'PUT', '/piped.txt', 'x'.repeat(100_000), { 'transfer-encoding': 'chunked' })
    assert.equal(answer.status, 201)
    assert.equal(readFileSync(fixture.path('piped.txt'), 'utf8').length, 100_000)
  })

  test('an empty PUT makes an empty file', async () => {
    const { port, fixture } = await start({})
    assert.equal((await send(port, 'PUT', '/empty.txt')).status, 201)
    assert.equal(readFileSync(fixture.path('empty.txt'), 'utf8'), '')
  })

  test('a multipart POST to a folder stores every file in it (curl -F file=@a -F file=@b)', async () => {
    const { port, fixture } = await start({ 'in/': null })
    const answer = await post(port, '/in/', [
      { name: 'file', filename: 'a.txt', value: 'A' },
      { name: 'note', value: 'ignored field' },
      { name: 'file', filename: 'b.bin', value: Buffer.from([0, 1, 2]) }
    ])
    assert.equal(answer.status, 201)
    assert.equal(answer.headers.location, '/in/')
    assert.deepEqual(answer.json().stored.map((s: { path: string }) => s.path), ['/in/a.txt', '/in/b.bin'])
    assert.equal(readFileSync(fixture.path('in', 'a.txt'), 'utf8'), 'A')
    assert.deepEqual([...readFileSync(fixture.path('in', 'b.bin'))], [0, 1, 2])
  })

  test('the page\'s form (a browser, no JavaScript) is sent back to the listing: 303', async () => {
    const { port, fixture } = await start({ 'in/': null })
    const answer = await post(port, '/in/?sort=size', [{ name: 'file', filename: 'a.txt', value: 'A' }], { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })
    assert.equal(answer.status, 303)
    assert.equal(answer.headers.location, '/in/')
    assert.ok(existsSync(fixture.path('in', 'a.txt')))
  })

  test('a form with no file chosen is 400 and stores nothing', async () => {
    const { port, fixture } = await start({})
    const answer = await post(port, '/', [{ name: 'file', filename: '', value: '' }])
    assert.equal(answer.status, 400)
    assert.match(answer.json().message, /no file/)
    assert.deepEqual(tree(fixture.dir), [])
  })

  test('new folders: PUT to a path ending in /, MKCOL, and the page\'s folder field; a taken name is 409', async () => {
    const { port, fixture } = await start({ 'taken/': null })
    const put = await send(port, 'PUT', '/one/')
    assert.equal(put.status, 201)
    assert.equal(put.headers.location, '/one/')
    assert.equal((await send(port, 'MKCOL', '/one/two')).status, 201)
    assert.equal((await post(port, '/', [{ name: 'folder', value: 'three' }])).status, 201)
    for (const folder of ['one', 'one/two', 'three']) assert.ok(lstatSync(fixture.path(folder)).isDirectory(), folder)
    const again = await send(port, 'MKCOL', '/taken')
    assert.equal(again.status, 409)
    assert.equal((await send(port, 'PUT', '/missing/x/')).status, 404)
  })

  test('a dropped folder: each file\'s path field makes its folders on the way', async () => {
    const { port, fixture } = await start({ 'photos/': null })
    const answer = await post(port, '/', [
      { name: 'path', value: 'photos/2026/beach.jpg' }, { name: 'file', filename: 'beach.jpg', value: 'B' },
      { name: 'path', value: 'photos/2026/sea/wave.jpg' }, { name: 'file', filename: 'wave.jpg', value: 'W' },
      { name: 'file', filename: 'loose/top.txt', value: 'T' }
    ])
    assert.equal(answer.status, 201)
    assert.equal(readFileSync(fixture.path('photos', '2026', 'beach.jpg'), 'utf8'), 'B')
    assert.equal(readFileSync(fixture.path('photos', '2026', 'sea', 'wave.jpg'), 'utf8'), 'W')
    // A bare filename with a slash never makes a folder: its last component is the name.
    assert.equal(readFileSync(fixture.path('top.txt'), 'utf8'), 'T')
    assert.equal(existsSync(fixture.path('loose')), false)
  })
})

describe('names', () => {
  test('attacker-controlled filenames stay in the folder as their last component', async () => {
    const { port, fixture } = await start({ 'in/': null })
    const answer = await post(port, '/in/', [
      { name: 'file', filename: '../../escape.txt', value: '1' },
      { name: 'file', filename: 'C:\\Windows\\win.ini', value: '2' },
      { name: 'file', filename: '/etc/cron.d/job', value: '3' }
    ])
    assert.equal(answer.status, 201)
    assert.deepEqual(tree(fixture.dir), ['in', 'in/escape.txt', 'in/job', 'in/win.ini'])
  })

  test('names refused with 400 and nothing stored: NUL, controls, 10,000 characters, dotfiles, . and ..', async () => {
    const { port, fixture } = await start({ 'in/': null })
    for (const filename of ['a\u0000b', 'bell\u0007.txt', 'x'.repeat(10_000), '.env', 'a/..', '..']) {
      const answer = await post(port, '/in/', [{ name: 'file', filename, value: 'x' }])
      assert.equal(answer.status, 400, JSON.stringify(filename.slice(0, 20)))
      assert.match(answer.json().message, /^[^\n]+$/)
    }
    for (const path of ['../x', '.git/config', 'a//b']) assert.equal((await post(port, '/in/', [{ name: 'path', value: path }, { name: 'file', filename: 'x', value: 'x' }])).status, 400, path)
    assert.deepEqual(tree(fixture.dir), ['in'])
  })

  test('URLs refused: .. above the root, encoded slashes and dotfiles are 404 as for reads; dotfiles with the option', async () => {
    const { port, fixture } = await start({ 'in/': null })
    for (const path of ['/../x', '/in/../../x', '/%2e%2e/x', '/in%2f..%2f..%2fx', '/.env', '/in/.htaccess', '/a%5Cb']) {
      assert.equal((await send(port, 'PUT', path, 'x')).status, 404, path)
    }
    assert.deepEqual(tree(fixture.dir), ['in'])
    const dotty = await start({}, { dotfiles: true })
    assert.equal((await send(dotty.port, 'PUT', '/.env', 'x')).status, 201)
  })

  test('names are stored in NFC; one whose NFC form matches an existing entry is that entry', async () => {
    const { port, fixture } = await start({ 'cafe\u0301.txt': 'old' })
    const answer = await post(port, '/', [{ name: 'file', filename: 'caf\u00e9.txt', value: 'new' }])
    assert.equal(answer.status, 409)
    assert.equal((await send(port, 'PUT', '/re%CC%81sume%CC%81.txt', 'x')).status, 201)
    assert.ok(readdirSync(fixture.dir).includes('r\u00e9sum\u00e9.txt'))
    const overwriting = await start({ 'cafe\u0301.txt': 'old' }, { overwrite: true })
    assert.equal((await send(overwriting.port, 'PUT', '/caf%C3%A9.txt', 'new')).status, 201)
    assert.deepEqual(readdirSync(overwriting.fixture.dir), ['cafe\u0301.txt'])
    assert.equal(readFileSync(overwriting.fixture.path('cafe\u0301.txt'), 'utf8'), 'new')
  })
})

describe('overwriting', () => {
  test('an existing name is 409 with a one-line message, before the body is read, and the file is unchanged', async () => {
    const { port, fixture } = await start({ 'a.txt': 'original' })
    const answer = await send(port, 'PUT', '/a.txt', 'replacement')
    assert.equal(answer.status, 409)
    assert.equal(answer.json().message, 'a.txt already exists; uploads do not replace files here')
    assert.equal(readFileSync(fixture.path('a.txt'), 'utf8'), 'original')
    assert.deepEqual(temps(fixture.dir), [])
  })

  test('with overwrite, the file is replaced whole; a folder is never replaced by a file', async () => {
    const { port, fixture } = await start({ 'a.txt': 'original', 'd/': null }, { overwrite: true })
    assert.equal((await send(port, 'PUT', '/a.txt', 'replacement')).status, 201)
    assert.equal(readFileSync(fixture.path('a.txt'), 'utf8'), 'replacement')
    assert.equal((await send(port, 'PUT', '/d', 'x')).status, 409)
    assert.ok(lstatSync(fixture.path('d')).isDirectory())
    assert.deepEqual(temps(fixture.dir), [])
  })

  test('a link at the name is replaced, never written through', async () => {
    const outside = await makeTree({ 'target.txt': 'outside' })
    try {
      const { port, fixture } = await start({ 'link.txt': { symlink: outside.path('target.txt') } }, { overwrite: true })
      assert.equal((await send(port, 'PUT', '/link.txt', 'inside')).status, 201)
      assert.equal(readFileSync(outside.path('target.txt'), 'utf8'), 'outside')
      assert.equal(lstatSync(fixture.path('link.txt')).isFile(), true)
    } finally {
      await outside.cleanup()
    }
  })

  test('concurrent uploads of one name: exactly one wins, the others 409, no temporary file left', async () => {
    const { port, fixture } = await start({})
    const bodies = Array.from({ length: 8 }, (_, i) => String(i).repeat(200_000))
    const answers = await Promise.all(bodies.map(async (body) => await send(port, 'PUT', '/same.txt', body)))
    const statuses = answers.map((answer) => answer.status).sort()
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409])
    const content = readFileSync(fixture.path('same.txt'), 'utf8')
    assert.ok(bodies.includes(content), 'the file is one whole body')
    assert.deepEqual(tree(fixture.dir), ['same.txt'])
  })
})

describe('limits and failures', () => {
  test('413 from Content-Length before a byte is read', async () => {
    const { port, fixture } = await start({}, { maxBytes: 1000 })
    const answer = await send(port, 'PUT', '/big.bin', Buffer.alloc(1001))
    assert.equal(answer.status, 413)
    assert.match(answer.json().message, /1000 bytes/)
    assert.deepEqual(tree(fixture.dir), [])
    assert.equal((await send(port, 'PUT', '/fits.bin', Buffer.alloc(1000))).status, 201)
  })

  test('413 when a chunked body or a multipart file passes the limit, the partial file removed', async () => {
    const { port, fixture } = await start({}, { maxBytes: 100_000 })
    const chunked = await send(port, 'PUT', '/big.bin', Buffer.alloc(300_000), { 'transfer-encoding': 'chunked' })
    assert.equal(chunked.status, 413)
    const parts = await post(port, '/', [{ name: 'file', filename: 'small.txt', value: 'ok' }, { name: 'file', filename: 'big.bin', value: Buffer.alloc(100_001) }])
    assert.equal(parts.status, 413)
    // Files before the one refused are kept, each whole.
    assert.deepEqual(tree(fixture.dir), ['small.txt'])
  })

  test('a keep-alive connection that sent a refused body carries the next request', async () => {
    const { port } = await start({ 'taken.txt': 'x' })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const ask = async (method: string, path: string, body?: Buffer): Promise<{ status: number, socket: unknown }> => await new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path, agent }, (res) => { res.resume(); res.on('end', () => { resolve({ status: res.statusCode ?? 0, socket: req.socket }) }) })
        req.on('error', reject)
        req.end(body)
      })
      const first = await ask('PUT', '/taken.txt', Buffer.alloc(300_000))
      assert.equal(first.status, 409)
      const second = await ask('GET', '/taken.txt')
      assert.equal(second.status, 200)
      assert.equal(second.socket, first.socket)
    } finally {
      agent.destroy()
    }
  })

  test('507 before reading when the declared size cannot fit on the disk', async (t) => {
    const { port, fixture } = await start({}, { maxBytes: 1024 ** 4 })
    const fs = statfsSync(fixture.dir)
    if (fs.bavail * fs.bsize >= 1024 ** 4 - 1) return t.skip('more than 1 TiB free here')
    const answer = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/huge.bin', headers: { 'content-length': String(1024 ** 4 - 1) }, agent: false }, (res) => {
        resolve(res.statusCode ?? 0)
        req.destroy()
      })
      req.on('error', reject)
      req.write('x')
    })
    assert.equal(answer, 507)
    assert.deepEqual(tree(fixture.dir), [])
  })

  test('a client that hangs up mid-body leaves nothing behind', async () => {
    const { port, fixture, logs } = await start({ 'in/': null })
    const multipart = form([{ name: 'file', filename: 'cut.bin', value: Buffer.alloc(10_000_000) }])
    for (const method of ['PUT', 'POST']) {
      const req = httpRequest({ host: '127.0.0.1', port, method, path: method === 'PUT' ? '/in/cut.bin' : '/in/', agent: false, headers: method === 'PUT' ? { 'content-length': '10000000' } : multipart.headers })
      req.on('error', () => {})
      req.write(method === 'PUT' ? Buffer.alloc(200_000) : multipart.body.subarray(0, 200_000))
      try {
        await waitFor(() => temps(fixture.dir).length === 1, 'the temporary file')
      } finally {
        req.destroy()
      }
      await waitFor(() => temps(fixture.dir).length === 0, 'the temporary file removed')
      assert.deepEqual(tree(fixture.dir), ['in'])
    }
    await waitFor(() => logs.filter((line) => /went away/.test(String(line.msg))).length === 2, 'one line per departure')
    assert.equal(logs.filter((line) => line.level === 50).length, 0, 'no error logged')
  })

  test('a folder swapped for a link out while the body arrives: refused, nothing written outside, nothing left', async () => {
    const outside = await makeTree({})
    try {
      const { port, fixture } = await start({ 'in/': null })
      const answer = new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/in/x.bin', agent: false, headers: { 'content-length': '400000' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
        req.on('error', reject)
        req.write(Buffer.alloc(200_000))
        void waitFor(() => temps(fixture.dir).length === 1, 'the temporary file').then(async () => {
          await rename(fixture.path('in'), fixture.path('moved'))
          await symlink(outside.dir, fixture.path('in'))
          req.end(Buffer.alloc(200_000))
        }, reject)
      })
      assert.equal(await answer, 404)
      assert.deepEqual(tree(outside.dir), [])
      assert.deepEqual(tree(fixture.path('moved')), [])
    } finally {
      await outside.cleanup()
    }
  })
})

describe('where writes may go', () => {
  test('not into a folder outside the served one, even when reads follow links out', async () => {
    const outside = await makeTree({ 'd/': null })
    try {
      const fixture = await makeTree({ out: { symlink: outside.path('d') } })
      const lookup = await createLookup({ root: fixture.dir, dotfiles: false, followSymlinks: true, exclude: [] }, { cache: false })
      const app = Fastify()
      useErrorReplies(app)
      await app.register(upload, { root: fixture.dir, lookup })
      await app.listen({ port: 0, host: '127.0.0.1' })
      servers.push({ app, port: 0, fixture, logs: [] })
      const answer = await send((app.server.address() as { port: number }).port, 'PUT', '/out/x.txt', 'x')
      assert.equal(answer.status, 403)
      assert.deepEqual(tree(outside.dir), ['d'])
    } finally {
      await outside.cleanup()
    }
  })

  test('not through a link out (the plugin\'s own lookup), not into the CGI folder, not under a reserved segment', async () => {
    const outside = await makeTree({})
    try {
      const { port, fixture } = await start({ out: { symlink: outside.dir }, 'cgi-bin/': null }, { reserved: ['cgi-bin'] })
      assert.equal((await send(port, 'PUT', '/out/x.txt', 'x')).status, 404)
      assert.equal((await send(port, 'PUT', '/cgi-bin/x.py', 'x')).status, 404)
      assert.equal((await send(port, 'PUT', '/cgi-bin%2Fx.py', 'x')).status, 404)
      assert.deepEqual(tree(outside.dir), [])
      assert.deepEqual(tree(fixture.path('cgi-bin')), [])
    } finally {
      await outside.cleanup()
    }
  })

  test('never into an excluded folder (the CGI scripts\' folder), whatever URL leads there', async () => {
    const fixture = await makeTree({ 'scripts/': null, alias: { symlink: 'scripts' } })
    const app = Fastify()
    useErrorReplies(app)
    await app.register(upload, { root: fixture.dir, exclude: [fixture.path('scripts')] })
    await app.listen({ port: 0, host: '127.0.0.1' })
    servers.push({ app, port: 0, fixture, logs: [] })
    const port = (app.server.address() as { port: number }).port
    assert.equal((await send(port, 'PUT', '/scripts/x.sh', 'x')).status, 404)
    assert.equal((await send(port, 'PUT', '/alias/x.sh', 'x')).status, 404)
    assert.deepEqual(tree(fixture.path('scripts')), [])
  })

  test('another site\'s page cannot write here (CSRF): 403', async () => {
    const { port, fixture } = await start({})
    assert.equal((await post(port, '/', [{ name: 'file', filename: 'a.txt', value: 'x' }], { 'sec-fetch-site': 'cross-site' })).status, 403)
    assert.equal((await send(port, 'PUT', '/a.txt', 'x', { origin: 'http://evil.example' })).status, 403)
    assert.deepEqual(tree(fixture.dir), [])
  })

  test('other methods still get the static plugin\'s 405; a POST that is not multipart is 415', async () => {
    const { port } = await start({ 'a.txt': 'x' })
    const deleted = await send(port, 'DELETE', '/a.txt')
    assert.equal(deleted.status, 405)
    assert.equal((await send(port, 'POST', '/', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415)
  })
})

describe('the listing page and the options', () => {
  test('with uploads on, the listing has the form and a CSP that lets it post here only', async () => {
    const { app } = await start({})
    const page = await app.inject({ url: '/', headers: { accept: 'text/html' } })
    assert.match(page.body, /<form class="upl" method="post" enctype="multipart\/form-data">/)
    assert.match(page.body, /<form class="mkd" method="post" enctype="multipart\/form-data">/)
    assert.match(String(page.headers['content-security-policy']), /form-action 'self'; connect-src 'self'/)
    const plain = Fastify()
    const fixture = await makeTree({})
    await plain.register(staticFiles, { root: fixture.dir })
    const off = await plain.inject({ url: '/', headers: { accept: 'text/html' } })
    assert.doesNotMatch(off.body, /<form/)
    assert.match(String(off.headers['content-security-policy']), /form-action 'none'$/)
    await plain.close()
    await fixture.cleanup()
  })

  test('a bad option stops the registration with one line naming it', async () => {
    const fixture = await makeTree({})
    try {
      for (const [options, name] of [[{ maxBytes: -1 }, 'maxBytes'], [{ maxBytes: 1.5 }, 'maxBytes'], [{ overwrite: 'yes' }, 'overwrite'], [{ root: fixture.path('nope') }, 'root']] as const) {
        const app = Fastify()
        await assert.rejects(async () => { await app.register(upload, { root: fixture.dir, ...options } as UploadOptions); await app.ready() }, (error: Error & { option?: string }) => error.option === name && !error.message.includes('\n'))
        await app.close()
      }
    } finally {
      await fixture.cleanup()
    }
  })

  test('a file written by an upload is served at once', async () => {
    const { port } = await start({})
    assert.equal((await send(port, 'PUT', '/fresh.txt', 'fresh')).status, 201)
    const read = await send(port, 'GET', '/fresh.txt')
    assert.equal(read.text, 'fresh')
  })
})

describe('with the app\'s cached lookup shared by both plugins', () => {
  test('a listing kept in the cache shows the uploaded file at once, and the file is served', async () => {
    const { port, fixture } = await start({ 'in/old.txt': 'old' }, {}, true)
    // Settled long ago, so the cache keeps its listing.
    const past = new Date(Date.now() - 60_000)
    utimesSync(fixture.path('in', 'old.txt'), past, past)
    utimesSync(fixture.path('in'), past, past)
    const names = async (): Promise<string[]> => (await send(port, 'GET', '/in/?format=json')).json().entries.map((entry: { name: string }) => entry.name)
    assert.deepEqual(await names(), ['old.txt'])
    assert.deepEqual(await names(), ['old.txt'])
    assert.equal((await send(port, 'PUT', '/in/new.txt', 'new')).status, 201)
    assert.deepEqual(await names(), ['new.txt', 'old.txt'])
    assert.equal((await send(port, 'GET', '/in/new.txt')).text, 'new')
    assert.equal((await send(port, 'PUT', '/in/old.txt', 'again')).status, 409)
  })

  test('a folder proven before and then swapped for a link out is not written through', async () => {
    const outside = await makeTree({})
    try {
      const { port, fixture } = await start({ 'in/': null }, {}, true)
      const past = new Date(Date.now() - 60_000)
      utimesSync(fixture.path('in'), past, past)
      assert.equal((await send(port, 'GET', '/in/')).status, 200)
      await rename(fixture.path('in'), fixture.path('moved'))
      await symlink(outside.dir, fixture.path('in'))
      assert.equal((await send(port, 'PUT', '/in/x.txt', 'x')).status, 404)
      assert.deepEqual(tree(outside.dir), [])
    } finally {
      await outside.cleanup()
    }
  })
})
