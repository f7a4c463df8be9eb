// Folder downloads (`?download=zip`): the archive holds exactly what the listings
// show, read back with Python's zipfile, name for name and byte for byte; the
// answer's headers; the query's rules; and a client gone mid-archive leaves no
// descriptor open. The server runs in this process, so /proc/self/fd counts its own.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles, { type StaticFilesOptions } from '../plugins/static/index.js'
import { folderArchive } from '../plugins/archive/index.js'
import { attachment } from '../plugins/archive/disposition.js'
import { useErrorReplies } from '../src/error-reply.js'
import { createLookup, type Lookup } from '../src/lookup/index.js'
import { makeTree, type Fixture, type Tree } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'

const DEEP = randomBytes(600 * 1024)

/** Every entry of the zip at `path`: name → content (base64), folders → null; Python's reader, not ours. */
function unzip (path: string): Record<string, string | null> {
  const script = 'import base64,json,sys,zipfile\n' +
    'z=zipfile.ZipFile(sys.argv[1])\n' +
    'assert z.testzip() is None\n' +
    'print(json.dumps({i.filename: None if i.is_dir() else base64.b64encode(z.read(i)).decode() for i in z.infolist()}))'
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as Record<string, string | null>
}

/** Only the names in the zip at `path`, in the archive's order. */
function namesIn (path: string): string[] {
  return JSON.parse(execFileSync('python3', ['-c', 'import json,sys,zipfile;print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', path], { encoding: 'utf8' })) as string[]
}

async function makeTreeAt (dir: string, tree: Tree): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [name, content] of Object.entries(tree)) await writeFile(join(dir, name), content as string)
}

function b64 (text: string | Buffer): string {
  return Buffer.from(text).toString('base64')
}

async function server (root: string, options: Partial<StaticFilesOptions> = {}): Promise<{ app: FastifyInstance, base: string }> {
  const app = Fastify()
  useErrorReplies(app)
  await app.register(staticFiles, { root, archive: folderArchive({ reserved: ['cgi-bin'] }), reserved: ['cgi-bin'], ...options })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: address }
}

let fixture: Fixture
let zipCount = 0

async function download (base: string, path: string): Promise<Record<string, string | null>> {
  const res = await get(base, path)
  assert.equal(res.status, 200, res.text)
  const file = fixture.path(`download-${zipCount++}.zip`)
  writeFileSync(file, res.body)
  return unzip(file)
}

before(async () => {
  fixture = await makeTree({
    'root/share/a.txt': 'alpha',
    'root/share/.secret': 'dot',
    'root/share/.git/config': 'hidden folder',
    'root/share/sub/b.txt': 'beta',
    'root/share/sub/deeper/c.bin': DEEP,
    'root/share/sub/loop': { symlink: '..' },
    'root/share/sub/self': { symlink: '.' },
    'root/share/empty': null,
    'root/share/ünï code.txt': 'unicode',
    'root/share/inside-link.txt': { symlink: 'a.txt' },
    'root/share/out.txt': { symlink: '../../outside/secret.txt' },
    'root/share/outdir': { symlink: '../../outside' },
    'root/share/scripts': { symlink: '../cgi-bin' },
    'root/share/notes': { symlink: '.git/config' },
    'root/cgi-bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    'root/top.txt': 'top',
    'root/big/video.mp4': '',
    'outside/secret.txt': 'OUTSIDE'
  })
  // Sparse: 16 MiB to read, none on disk.
  await truncate(fixture.path('root/big/video.mp4'), 16 * 1024 * 1024)
})

after(async () => { await fixture.cleanup() })

const SHARE = {
  'share/': null,
  'share/a.txt': b64('alpha'),
  'share/empty/': null,
  'share/inside-link.txt': b64('alpha'),
  'share/sub/': null,
  'share/sub/b.txt': b64('beta'),
  'share/sub/deeper/': null,
  'share/sub/deeper/c.bin': b64(DEEP),
  'share/ünï code.txt': b64('unicode')
}

describe('an archive of a folder', () => {
  let app: FastifyInstance
  let base: string
  before(async () => { ({ app, base } = await server(fixture.path('root'), { exclude: [fixture.path('root/cgi-bin')] })) })
  after(async () => { await app.close() })

  test('holds what the listings show, recursively: no dotfiles, no links out, no CGI folder, each folder once', async () => {
    assert.deepEqual(await download(base, '/share/?download=zip'), SHARE)
  })

  test('is streamed as an attachment named after the folder, chunked, never cached', async () => {
    const res = await get(base, '/share/sub/?download=zip')
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/zip')
    assert.equal(res.headers['content-disposition'], 'attachment; filename="sub.zip"')
    assert.equal(res.headers['cache-control'], 'no-store')
    assert.equal(res.headers['content-length'], undefined)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    assert.equal(res.body.readUInt32LE(0), 0x04034b50, 'starts with a local file header')
  })

  test('of the served folder is named after it and leaves out the CGI folder and the reserved names', async () => {
    const res = await get(base, '/?download=zip')
    assert.equal(res.headers['content-disposition'], 'attachment; filename="root.zip"')
    const file = fixture.path('root.zip')
    writeFileSync(file, res.body)
    assert.deepEqual(namesIn(file).filter((name) => !name.startsWith('root/share/') && !name.startsWith('root/big/')), ['root/', 'root/top.txt'])
  })

  test('a file of its own compression is stored, and comes back whole', async () => {
    const res = await get(base, '/big/?download=zip')
    // Stored: the archive is the file's size and a little; deflated zeros would be a few KiB.
    assert.ok(res.body.length > 16 * 1024 * 1024, `archive of ${res.body.length} bytes`)
    const file = fixture.path('big.zip')
    writeFileSync(file, res.body)
    const sizes = execFileSync('python3', ['-c', 'import sys,zipfile;print([(i.filename,i.file_size,i.compress_type) for i in zipfile.ZipFile(sys.argv[1]).infolist()])', file], { encoding: 'utf8' })
    assert.equal(sizes.trim(), `[('big/', 0, 0), ('big/video.mp4', ${16 * 1024 * 1024}, 0)]`)
  })

  test('a HEAD gets the headers and no archive', async () => {
    const res = await get(base, '/share/?download=zip', { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/zip')
    assert.equal(res.body.length, 0)
  })

  test('a folder without its slash is redirected with the query kept', async () => {
    const res = await get(base, '/share?download=zip')
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, '/share/?download=zip')
  })

  test('an unknown format is 400, in the error reply', async () => {
    for (const query of ['download=rar', 'download=', 'download=zip&download=zip']) {
      const res = await get(base, `/share/?${query}`)
      assert.equal(res.status, 400, query)
      assert.deepEqual(JSON.parse(res.text), { statusCode: 400, error: 'Bad Request', message: 'download must be one of zip' })
    }
  })

  test('a folder that is not there is 404, a hidden one too', async () => {
    assert.equal((await get(base, '/nothing/?download=zip')).status, 404)
    assert.equal((await get(base, '/share/.git/?download=zip')).status, 404)
    assert.equal((await get(base, '/cgi-bin/?download=zip')).status, 404)
  })

  test('a client gone mid-archive stops the walk and leaves no descriptor open', async () => {
    const port = new URL(base).port
    const before = openDescriptors()
    for (let round = 0; round < 10; round++) {
      await new Promise<void>((resolve) => {
        const socket = connect({ port: Number(port), host: '127.0.0.1' })
        let received = 0
        const done = (): void => { socket.destroy(); resolve() }
        socket.on('error', done)
        socket.on('close', done)
        socket.write('GET /big/?download=zip HTTP/1.1\r\nHost: x\r\n\r\n')
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length
          if (received > (round % 2 === 0 ? 1 : 1024 * 1024)) done()
        })
      })
    }
    await waitFor(() => openDescriptors() <= before, `descriptors back to ${before} (now ${openDescriptors()})`)
  })
})

describe('an archive with the policy relaxed', () => {
  let app: FastifyInstance
  let base: string
  before(async () => { ({ app, base } = await server(fixture.path('root'), { dotfiles: true, followSymlinks: true })) })
  after(async () => { await app.close() })

  test('with dotfiles and links out allowed, holds them too, as the listings do', async () => {
    const entries = await download(base, '/share/?download=zip')
    assert.deepEqual(entries, {
      ...SHARE,
      'share/.git/': null,
      'share/.git/config': b64('hidden folder'),
      'share/.secret': b64('dot'),
      'share/notes': b64('hidden folder'),
      'share/out.txt': b64('OUTSIDE'),
      'share/outdir/': null,
      'share/outdir/secret.txt': b64('OUTSIDE'),
      // No CGI here: the folder is an ordinary one.
      'share/scripts/': null,
      'share/scripts/run.sh': b64('#!/bin/sh\necho hi\n')
    })
  })
})

describe('files that fail while the folder is archived', () => {
  let app: FastifyInstance
  let base: string
  const logged: Array<{ msg: string, entry?: string }> = []
  before(async () => {
    const root = fixture.path('failing')
    await makeTreeAt(root, { 'gone.txt': 'listed, then gone', 'kept.txt': 'kept', 'shrinks.txt': 'x'.repeat(300_000) })
    const real = await createLookup({ root, dotfiles: false, followSymlinks: false, exclude: [] }, { cache: false })
    // The lookup as a race would leave it: one file removed after the listing was read,
    // one cut short after it was opened (its fstat said 300,000 bytes).
    const lookup: Lookup = {
      ...real,
      open: async (segments) => {
        const name = segments.at(-1)
        if (name === 'gone.txt') await rm(join(root, 'gone.txt'), { force: true })
        const opened = await real.open(segments)
        if (name === 'shrinks.txt') await truncate(join(root, 'shrinks.txt'), 1000)
        return opened
      }
    }
    app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => { logged.push(JSON.parse(line) as { msg: string }) } } } })
    useErrorReplies(app)
    await app.register(staticFiles, { root, lookup, archive: folderArchive() })
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  after(async () => { await app.close() })

  test('a file gone is left out, one cut short ends where it stopped, the zip stays whole, each logged once', async () => {
    const entries = await download(base, '/?download=zip')
    assert.deepEqual(entries, {
      'failing/': null,
      'failing/kept.txt': b64('kept'),
      'failing/shrinks.txt': b64('x'.repeat(1000))
    })
    assert.deepEqual(logged.map((line) => [line.msg, line.entry]), [
      ['archive: left out an entry that could not be opened', '/gone.txt'],
      ['archive: a file failed while it was read; its entry ends there', 'failing/shrinks.txt']
    ])
  })
})

describe('without the archive option', () => {
  let app: FastifyInstance
  let base: string
  before(async () => { ({ app, base } = await server(fixture.path('root'), { archive: undefined })) })
  after(async () => { await app.close() })

  test('?download=zip is the listing, as before', async () => {
    const res = await get(base, '/share/?download=zip', { headers: { accept: 'application/json' } })
    assert.equal(res.status, 200)
    assert.equal((JSON.parse(res.text) as { path: string }).path, '/share/')
  })
})

test('a non-ASCII name is sent exactly in filename*, with an ASCII fallback', () => {
  assert.equal(attachment('photos.zip'), 'attachment; filename="photos.zip"')
  assert.equal(attachment('été 2026.zip'), `attachment; filename="_t_ 2026.zip"; filename*=UTF-8''%C3%A9t%C3%A9%202026.zip`)
  assert.equal(attachment('a"b\\c%d\'e.zip'), `attachment; filename="a_b_c_d'e.zip"; filename*=UTF-8''a%22b%5Cc%25d%27e.zip`)
})

test('bad options are refused at once, naming the option', () => {
  assert.throws(() => folderArchive({ compressionLevel: 12 }), /compressionLevel must be a whole number from 0 to 9/)
  assert.throws(() => folderArchive({ reserved: 'cgi-bin' as unknown as string[] }), /reserved must be a list of names/)
})
