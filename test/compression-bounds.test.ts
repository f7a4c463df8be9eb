// Compressing as it streams (files over 1 MiB) costs memory for as long as a client
// takes to read: gzip is preferred there, and at most 16 such streams run at once;
// past that a big file goes out as it is, and the bound frees as streams end.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { request, type IncomingMessage } from 'node:http'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { MAX_COMPRESSING_STREAMS } from '../plugins/static/compressed-response.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'

// Text that compresses only so far (base64 of random bytes), and far more of it than
// loopback's socket buffers hold: a client that does not read holds its stream open.
const BIG = randomBytes(12 * 1024 * 1024).toString('base64')
let fixture: Fixture
let app: FastifyInstance
let port: number
before(async () => {
  fixture = await makeTree({ 'big.js': BIG, 'small.js': 'let x = 1\n'.repeat(500) })
  app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
})
after(async () => {
  await app.close()
  await fixture.cleanup()
})

/** The answer's head; its body is left unread (the stream waits on this client). */
async function head (path: string, accept: string): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false, headers: { 'accept-encoding': accept } }, (res) => { res.pause(); resolve(res) }).on('error', reject).end()
  })
}

test('a big file is streamed in gzip even to a client that prefers nothing over it; a small one in br', async () => {
  const big = await head('/big.js', 'br, gzip')
  big.destroy()
  assert.equal(big.headers['content-encoding'], 'gzip')
  const small = await head('/small.js', 'br, gzip')
  small.destroy()
  assert.equal(small.headers['content-encoding'], 'br')
  const brOnly = await head('/big.js', 'br')
  brOnly.destroy()
  assert.equal(brOnly.headers['content-encoding'], 'br', 'a client that takes only br still gets it')
})

test(`${MAX_COMPRESSING_STREAMS} slow readers hold every compressing stream: the next gets the file as it is, and the bound frees when they go`, async () => {
  const slow = await Promise.all(Array.from({ length: MAX_COMPRESSING_STREAMS }, async () => await head('/big.js', 'gzip')))
  try {
    assert.ok(slow.every((res) => res.headers['content-encoding'] === 'gzip'))
    const next = await head('/big.js', 'gzip')
    next.destroy()
    assert.equal(next.statusCode, 200)
    assert.equal(next.headers['content-encoding'], undefined)
    assert.equal(next.headers['content-length'], String(Buffer.byteLength(BIG)))
    assert.match(String(next.headers.vary), /Accept-Encoding/)
  } finally {
    for (const res of slow) res.destroy()
  }
  await waitFor(async () => {
    const again = await head('/big.js', 'gzip')
    again.destroy()
    return again.headers['content-encoding'] === 'gzip'
  }, 'a compressing stream free again')
})
