// A big text file compressed as it is sent, over a real socket: the decoded body is
// the file, the compressor waits for a slow client (memory stays flat), and the
// descriptor goes back however the download ends.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Transform } from 'node:stream'
import { after, before, test } from 'node:test'
import v8 from 'node:v8'
import vm from 'node:vm'
import zlib from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'

type Compressor = Transform & { bytesWritten: number }

const MiB = 1024 * 1024
const SIZE = 32 * MiB

// Live memory is what counts, not garbage not yet collected: collect before each reading.
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
/** Buffer memory still reachable: a body kept whole would hold the file's size here. */
function liveBuffers (): number {
  gc()
  return process.memoryUsage().arrayBuffers
}

let fixture: Fixture
let app: FastifyInstance
let port: number
let digest: string
/** The body stream of the last coded answer, as the plugin handed it to Fastify. */
let lastBody: Compressor | undefined

function get (coding: string, headers: Record<string, string> = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/big.txt', headers: { 'accept-encoding': coding, ...headers }, agent: false }, resolve).on('error', reject)
  })
}

before(async () => {
  fixture = await makeTree({})
  // Lines that vary enough that the compressor has real work, written in chunks.
  const hash = createHash('sha256')
  const out = createWriteStream(fixture.path('big.txt'))
  let written = 0
  for (let i = 0; written < SIZE; i++) {
    let chunk = ''
    for (let j = 0; j < 1000; j++) chunk += `line ${i * 1000 + j}: ${((i * 1000 + j) * 2654435761 % 4294967296).toString(36)} lorem ipsum\n`
    const bytes = Buffer.from(chunk).subarray(0, SIZE - written)
    hash.update(bytes)
    written += bytes.length
    if (!out.write(bytes)) await new Promise<void>((resolve) => { out.once('drain', () => { resolve() }) })
  }
  await new Promise<void>((resolve) => { out.end(() => { resolve() }) })
  digest = hash.digest('hex')
  app = Fastify()
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (payload !== null && typeof payload === 'object' && 'bytesWritten' in payload) lastBody = payload as unknown as Compressor
    return payload
  })
  await app.register(staticFiles, { root: fixture.dir })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as AddressInfo).port
})
after(async () => { await app.close(); await fixture.cleanup() })

const openFds = openDescriptors

for (const coding of ['br', 'gzip'] as const) {
  test(`a 32 MiB text file streams in ${coding}: decoded it is the file; a paused client stops the compressor; memory stays flat`, async () => {
    const baseline = liveBuffers()
    const res = await get(coding)
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-encoding'], coding)
    assert.equal(res.headers['content-length'], undefined)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    // Not read yet: the socket fills, then the compressor's output, then it stops taking input.
    res.pause()
    await waitFor(() => lastBody !== undefined && lastBody.writableNeedDrain, 'the compressor to be held back by the client', 15_000)
    const readWhilePaused = lastBody!.bytesWritten
    assert.ok(readWhilePaused < SIZE / 4, `${readWhilePaused} bytes read from the file while the client read nothing`)
    let held = liveBuffers() - baseline

    const hash = createHash('sha256')
    let wire = 0
    let decoded = 0
    const decoder = coding === 'br' ? zlib.createBrotliDecompress() : zlib.createGunzip()
    res.on('data', (chunk: Buffer) => { wire += chunk.length })
    await new Promise<void>((resolve, reject) => {
      res.pipe(decoder).on('data', (chunk: Buffer) => {
        hash.update(chunk)
        // Every 4 MiB decoded, what server and client hold together.
        if (Math.floor((decoded + chunk.length) / (4 * MiB)) > Math.floor(decoded / (4 * MiB))) held = Math.max(held, liveBuffers() - baseline)
        decoded += chunk.length
      }).on('end', resolve).on('error', reject)
      res.resume()
    })
    assert.equal(hash.digest('hex'), digest)
    assert.ok(wire < SIZE / 3, `${wire} bytes on the wire`)
    // Client and server share this process. Streaming, they hold a few chunks (under 1 MiB
    // measured), with bursts of up to 11 MiB just after the client resumes and takes in what
    // the sockets held; a body kept whole would hold the whole file and more.
    assert.ok(held < SIZE / 2, `${coding}: ${(held / MiB).toFixed(1)} MiB of buffers held at most`)
  })
}

test('a compressed download cut off mid-body gives its descriptor back', async () => {
  const baseline = openFds()
  const res = await get('br')
  await new Promise((resolve) => res.once('data', resolve))
  res.destroy()
  await waitFor(() => openFds() <= baseline, 'the descriptors to return to their baseline', 15_000)
})

test('a Range request on the big file is identity bytes', async () => {
  const res = await get('br', { range: 'bytes=0-9' })
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  assert.equal(res.statusCode, 206)
  assert.equal(res.headers['content-encoding'], undefined)
  assert.equal(Buffer.concat(chunks).toString(), 'line 0: 0 ')
})
