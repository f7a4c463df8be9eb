// The body a script is given: limited whatever its framing (413 beyond), and a spool
// that cannot be written is a 507 whose reason is logged, not a client's 400.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { DEFAULT_MAX_BODY, requestBody, type SpoolOptions } from '../plugins/cgi/request-body.js'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import cgi from '../plugins/cgi/index.js'
import { useErrorReplies } from '../src/error-reply.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { exchange } from './helpers/http.js'
import { memoryLog } from './helpers/log.js'
import { sh } from './helpers/cgi.js'

let fixture: Fixture
before(async () => { fixture = await makeTree({ spool: null, gone: null, served: null, 'cgi-bin/wc.sh': sh("printf 'Content-Type: text/plain\\n\\n'; wc -c") }) })
after(async () => { await fixture.cleanup() })

function spool (dir = fixture.path('spool')): SpoolOptions {
  return { memory: 16, limit: 1024 * 1024, dir }
}

function source (...chunks: string[]): PassThrough {
  const stream = new PassThrough()
  for (const chunk of chunks) stream.write(chunk)
  stream.end()
  return stream
}

describe('the body limit', () => {
  test('is a generous 1 GiB by default', () => {
    assert.equal(DEFAULT_MAX_BODY, 1024 ** 3)
  })

  test('a Content-Length above it is refused with 413 before a byte is read', async () => {
    const body = source('x'.repeat(20))
    await assert.rejects(requestBody({ 'content-length': '11' }, body, spool(), 10), { statusCode: 413, message: 'request bodies are limited to 10 bytes' })
  })

  test('a Content-Length at it streams through', async () => {
    const result = await requestBody({ 'content-length': '10' }, source('0123456789'), spool(), 10)
    assert.equal(result.kind, 'stream')
    assert.equal((result as { length: number }).length, 10)
  })

  test('a chunked body is cut at it, below the spool limit, with 413', async () => {
    const chunked = { 'transfer-encoding': 'chunked' }
    await assert.rejects(requestBody(chunked, source('12345', '678901'), spool(), 10), { statusCode: 413, message: 'request bodies are limited to 10 bytes' })
    const fits = await requestBody(chunked, source('12345', '67890'), spool(), 10)
    assert.equal((fits as { length: number }).length, 10)
  })

  test('the spool limit still applies when it is the smaller', async () => {
    await assert.rejects(requestBody({ 'transfer-encoding': 'chunked' }, source('x'.repeat(40)), { ...spool(), limit: 30 }, 100), { statusCode: 413, message: 'request bodies are limited to 30 bytes' })
  })
})

describe('a spool that cannot be written', () => {
  test('answers 507, says nothing of paths to the client, and keeps the reason for the log', async () => {
    const dir = fixture.path('gone')
    await rm(dir, { recursive: true })
    // Past the 16 bytes kept in memory, the body goes to a file in a folder no longer there.
    const error = await requestBody({ 'transfer-encoding': 'chunked' }, source('x'.repeat(20), 'y'.repeat(20)), spool(dir)).then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof Error)
    assert.equal((error as { statusCode?: number }).statusCode, 507)
    assert.equal((error as { expose?: boolean }).expose, undefined, 'not a message for clients')
    assert.equal(error.message, 'cgi: the request body could not be spooled to a file: ENOENT')
  })

  test('over HTTP: 507 to the client, the reason in the error log, the connection closed', async () => {
    const log = memoryLog()
    const app = Fastify({ loggerInstance: log.logger as FastifyBaseLogger })
    useErrorReplies(app)
    await app.register(cgi, { dir: fixture.path('cgi-bin'), spoolMemory: 16, spoolDir: fixture.path('served') })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      await rm(fixture.path('served'), { recursive: true })
      const answer = await exchange((app.server.address() as { port: number }).port,
        'POST /cgi-bin/wc.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n' + 'z'.repeat(32) + '\r\n')
      assert.match(answer, /^HTTP\/1\.1 507 Insufficient Storage\r\n/)
      assert.match(answer, /\r\nconnection: close\r\n/i)
      assert.doesNotMatch(answer, /served|ENOENT/)
      const entry = await log.waitFor((e) => e.level === 50)
      assert.equal(entry.msg, 'cgi: the request body could not be spooled to a file: ENOENT')
    } finally {
      await app.close()
    }
  })

  test('a write that takes only part of a chunk, as on a filling disk, is carried on: the file holds the whole body', async (t) => {
    const probe = await open(fixture.path('probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const write = proto.write as unknown as (this: FileHandle, buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>
    // At most 8 bytes per write(2), as a disk with little room left may take.
    t.mock.method(proto, 'write', async function (this: FileHandle, buffer: Buffer, offset = 0, length = buffer.length - offset) {
      return await write.call(this, buffer, offset, Math.min(length, 8))
    })
    const result = await requestBody({ 'transfer-encoding': 'chunked' }, source('x'.repeat(20), 'y'.repeat(20)), spool())
    assert.equal(result.kind, 'spooled')
    const spooled = result as { length: number, open: () => NodeJS.ReadableStream, dispose: () => Promise<void> }
    let stored = ''
    for await (const chunk of spooled.open()) stored += String(chunk)
    await spooled.dispose()
    assert.equal(spooled.length, 40)
    assert.equal(stored, 'x'.repeat(20) + 'y'.repeat(20))
  })

  test('a disk that fills up after a partial write is a 507, not a body cut short', async (t) => {
    const probe = await open(fixture.path('probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const write = proto.write as unknown as (this: FileHandle, buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>
    let room = 30
    t.mock.method(proto, 'write', async function (this: FileHandle, buffer: Buffer, offset = 0, length = buffer.length - offset) {
      if (room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      const taken = await write.call(this, buffer, offset, Math.min(length, room))
      room -= taken.bytesWritten
      return taken
    })
    await assert.rejects(requestBody({ 'transfer-encoding': 'chunked' }, source('x'.repeat(20), 'y'.repeat(20)), spool()),
      { statusCode: 507, message: 'cgi: the request body could not be spooled to a file: ENOSPC' })
  })

  test('a body that fits in memory needs no spool file', async () => {
    const result = await requestBody({ 'transfer-encoding': 'chunked' }, source('small'), spool(fixture.path('nowhere')))
    assert.equal((result as { length: number }).length, 5)
  })
})
