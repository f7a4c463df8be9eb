// A form of many files in deep folders (a dropped folder tree) holds a few descriptors
// at a time, however many parts it has, even while its body is still arriving.
import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'

let fixture: Fixture
let app: FastifyInstance
let port: number
before(async () => {
  fixture = await makeTree({ 'w/keep.txt': 'k' })
  app = await buildApp({ directory: fixture.dir, logLevel: 'silent', upload: true })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
})
after(async () => {
  await app.close()
  await fixture.cleanup()
})

test('60 files, each 12 folders deep: the descriptors held stay a few while the body is still coming', { skip: process.platform !== 'linux' }, async () => {
  const boundary = 'xBOUNDARYx'
  const depth = Array.from({ length: 12 }, (_, i) => `d${i}`).join('/')
  const parts = Array.from({ length: 60 }, (_, i) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\ntree/${depth}/f${i}.txt\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f${i}.txt"\r\nContent-Type: text/plain\r\n\r\n${i}\r\n`).join('') +
    // The start of one more part, so the last file is known to be whole.
    `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\n`
  const baseline = openDescriptors()
  const socket = connect({ port, host: '127.0.0.1' })
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve))
    // Chunked and never ended: every part is stored, the request is still open.
    socket.write(`POST /w/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`)
    socket.write(`${Buffer.byteLength(parts).toString(16)}\r\n${parts}\r\n`)
    await waitFor(() => existsSync(fixture.path(`w/tree/${depth}/f59.txt`)), 'the last file stored', 15_000)
    const held = openDescriptors() - baseline
    // One socket, the folder and one part's chain at most; it was 60 × 13 before.
    assert.ok(held <= 20, `${held} descriptors held by one open upload`)
  } finally {
    socket.destroy()
  }
})
