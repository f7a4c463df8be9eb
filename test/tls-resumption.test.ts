// TLS session resumption: a client's next connection resumes its session (a ticket)
// instead of a full handshake, and servers that share ticket keys, as the workers of
// one servekit do, resume each other's sessions.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { connect, type TLSSocket } from 'node:tls'
import { after, before, test } from 'node:test'
import { httpsOf, pemText, TICKET_KEYS_BYTES } from '../src/cluster/messages.js'
import type { RunningServer } from '../src/server.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import { testCertificate, type TestCertificate } from './helpers/tls.js'

let fixture: Fixture
let certificate: TestCertificate
before(async () => {
  fixture = await makeTree({ 'a.txt': 'a' })
  certificate = await testCertificate()
})
after(async () => { await fixture.cleanup() })

interface Connection { reused: boolean, session: Buffer | undefined, status: string }

/** One connection, one request; what the handshake was and the session to resume next. */
async function connection (port: number, version: 'TLSv1.2' | 'TLSv1.3', session?: Buffer): Promise<Connection> {
  return await new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ port, host: '127.0.0.1', ca: certificate.cert, servername: 'localhost', minVersion: version, maxVersion: version, ...(session === undefined ? {} : { session }) })
    let next: Buffer | undefined
    let reused = false
    let answer = ''
    socket.on('session', (ticket: Buffer) => { next = ticket })
    socket.on('secureConnect', () => {
      reused = socket.isSessionReused()
      socket.write('GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    })
    socket.setEncoding('latin1').on('data', (chunk: string) => { answer += chunk })
    socket.on('close', () => { resolve({ reused, session: next, status: answer.split('\r\n')[0] ?? '' }) })
    socket.on('error', reject)
  })
}

async function started (ticketKeys?: Buffer): Promise<RunningServer> {
  return await serve({ directory: fixture.dir, https: { ...certificate, ...(ticketKeys === undefined ? {} : { ticketKeys }) } })
}

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  test(`${version}: the second connection resumes the first one's session`, async () => {
    const server = await started()
    try {
      const first = await connection(server.port, version)
      assert.equal(first.status, 'HTTP/1.1 200 OK')
      assert.equal(first.reused, false)
      assert.ok(first.session !== undefined, 'the server issued a ticket')
      const second = await connection(server.port, version, first.session)
      assert.equal(second.status, 'HTTP/1.1 200 OK')
      assert.equal(second.reused, true)
    } finally {
      await server.close()
    }
  })

  test(`${version}: servers sharing ticket keys resume each other's sessions; others make a full handshake`, async () => {
    const keys = randomBytes(TICKET_KEYS_BYTES)
    const [a, b, stranger] = await Promise.all([started(keys), started(keys), started()])
    try {
      const first = await connection(a.port, version)
      assert.equal((await connection(b.port, version, first.session)).reused, true, 'same keys, another server')
      const elsewhere = await connection(stranger.port, version, first.session)
      assert.equal(elsewhere.reused, false, 'other keys: a full handshake')
      assert.equal(elsewhere.status, 'HTTP/1.1 200 OK')
    } finally {
      await Promise.all([a.close(), b.close(), stranger.close()])
    }
  })
}

test('the primary hands every worker the same ticket keys over the JSON channel', () => {
  const keys = randomBytes(TICKET_KEYS_BYTES)
  const sent = JSON.parse(JSON.stringify(pemText(certificate, keys))) as ReturnType<typeof pemText>
  const got = httpsOf(sent)
  assert.deepEqual(got?.ticketKeys, keys)
  assert.equal(got?.cert, certificate.cert)
  assert.equal(httpsOf(undefined), undefined)
})
