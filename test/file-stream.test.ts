// FileStream reuses its buffers when it writes into an HTTP response: every byte
// must still arrive where it belongs, with many downloads sharing the buffer pool,
// and any other consumer must get ordinary, untouched chunks.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { fstatSync, openSync } from 'node:fs'
import { truncate, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { after, before, test } from 'node:test'
import { FileStream } from '../plugins/static/file-stream.js'
import { Descriptor } from '../src/lookup/descriptor.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

// Several 256 KiB chunks plus an uneven tail.
const SIZE = 3 * 1024 * 1024 + 12_345
let fixture: Fixture
const contents = new Map<string, Buffer>()
let server: Server
let port: number

/** Opens `name` and streams bytes start..end (inclusive); the descriptor closes when the stream is done. */
function fileStream (name: string, start = 0, end = SIZE - 1): FileStream {
  const fd = openSync(fixture.path(name), 'r')
  const descriptor = new Descriptor(fd, fstatSync(fd))
  const stream = new FileStream(descriptor, start, end)
  descriptor.release()
  return stream
}

before(async () => {
  fixture = await makeTree({})
  for (let i = 0; i < 6; i++) {
    const data = randomBytes(SIZE)
    contents.set(`file${i}.bin`, data)
    await writeFile(fixture.path(`file${i}.bin`), data)
  }
  // GET /name?start-end answers those bytes of the file through FileStream.pipe.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const [start, end] = (url.searchParams.get('range') ?? `0-${SIZE - 1}`).split('-').map(Number)
    const stream = fileStream(url.pathname.slice(1), start, end)
    res.setHeader('content-length', end! - start! + 1)
    stream.on('error', () => { res.destroy() })
    stream.pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

after(async () => {
  await new Promise((resolve) => server.close(resolve))
  await fixture.cleanup()
})

interface Download { status: number, body: Buffer, complete: boolean }

async function download (path: string, { slow = false } = {}): Promise<Download> {
  return await new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        // A slow reader: the server's writes back up and its buffers wait for the socket.
        if (slow) {
          res.pause()
          setImmediate(() => res.resume())
        }
      })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: res.complete }) })
      res.on('aborted', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: false }) })
      res.on('error', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), complete: false }) })
    }).on('error', reject).end()
  })
}

test('six concurrent downloads sharing the buffer pool each get their own file, byte for byte', async () => {
  const names = [...contents.keys()]
  const results = await Promise.all(names.map(async (name, i) => await download(`/${name}`, { slow: i % 2 === 0 })))
  for (const [i, result] of results.entries()) {
    assert.equal(result.status, 200)
    assert.equal(result.complete, true)
    assert.equal(result.body.length, SIZE)
    assert.ok(result.body.equals(contents.get(names[i]!)!), `${names[i]} arrived altered`)
  }
})

test('a range that starts and ends inside chunks arrives exactly', async () => {
  const start = 100_000
  const end = 2 * 1024 * 1024 + 77
  const result = await download(`/file1.bin?range=${start}-${end}`)
  assert.equal(result.status, 200)
  assert.ok(result.body.equals(contents.get('file1.bin')!.subarray(start, end + 1)))
})

test('piped into something other than a response, it hands out chunks nobody reuses', async () => {
  const sink = new PassThrough({ highWaterMark: 1 })
  fileStream('file2.bin').pipe(sink)
  // Read late, once chunks wait in the PassThrough's buffer.
  await new Promise((resolve) => sink.once('readable', resolve))
  const chunks: Buffer[] = []
  for await (const chunk of sink) chunks.push(chunk as Buffer)
  assert.ok(Buffer.concat(chunks).equals(contents.get('file2.bin')!))
})

test('read by async iteration, it yields the range and ends', async () => {
  const chunks: Buffer[] = []
  for await (const chunk of fileStream('file3.bin', 5, 300_000)) chunks.push(chunk as Buffer)
  assert.ok(Buffer.concat(chunks).equals(contents.get('file3.bin')!.subarray(5, 300_001)))
})

test('a file that shrinks under a download cuts the response instead of ending it short', async () => {
  await writeFile(fixture.path('shrinking.bin'), randomBytes(SIZE))
  const stream = fileStream('shrinking.bin')
  await truncate(fixture.path('shrinking.bin'), 1024)
  await assert.rejects(async () => { for await (const _ of stream) { /* drain */ } }, /shrank/)

  // Bigger than loopback's socket buffers, so most of it is still on disk when it shrinks.
  const big = 64 * 1024 * 1024
  await writeFile(fixture.path('shrinking.bin'), Buffer.alloc(big, 1))
  const result = await new Promise<{ complete: boolean, bytes: number }>((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: `/shrinking.bin?range=0-${big - 1}` }, (res) => {
      let bytes = 0
      res.once('data', () => {
        res.pause()
        truncate(fixture.path('shrinking.bin'), 1024).then(() => res.resume(), reject)
      })
      res.on('data', (chunk: Buffer) => { bytes += chunk.length })
      const done = (): void => { resolve({ complete: res.complete, bytes }) }
      res.on('end', done).on('aborted', done).on('error', done)
    }).on('error', reject).end()
  })
  assert.equal(result.complete, false)
  assert.ok(result.bytes < big, `all ${result.bytes} bytes arrived`)
})
