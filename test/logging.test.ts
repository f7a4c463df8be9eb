// What reaches the log: request-derived text is escaped, secrets are not written.
import { strict as assert } from 'node:assert'
import { Writable } from 'node:stream'
import { after, test } from 'node:test'
import pino from 'pino'
import { buildApp } from '../src/app.js'
import { escapeControls } from '../src/logger.js'
import { RequestLog } from '../src/request-log.js'
import { makeTree } from './helpers/fixtures.js'

test('escapeControls writes C0, DEL and C1 controls as \\xHH and keeps other text', () => {
  assert.equal(escapeControls('a\u001b[31mb\u007f\u009bc\u00e9\u65e5'), 'a\\x1b[31mb\\x7f\\x9bc\u00e9\u65e5')
})

test('the request line escapes a URL with control characters', () => {
  // Node's parser refuses such bytes on a socket and inject percent-encodes them, so
  // the log controller is called directly: it must not rely on either.
  const lines: Array<Record<string, unknown>> = []
  const log = { info: (obj: Record<string, unknown>, msg: string) => lines.push({ ...obj, msg }), error: () => {} }
  const request = { raw: { url: '/x\u001b[2J\u009b31m' }, method: 'GET', ip: '::ffff:127.0.0.1', log }
  const reply = { statusCode: 404, elapsedTime: 1.23 }
  new RequestLog().requestCompleted(null, request as never, reply as never)
  assert.deepEqual(lines, [{
    method: 'GET',
    url: '/x\\x1b[2J\\x9b31m',
    statusCode: 404,
    responseTime: 1.2,
    remoteAddress: '127.0.0.1',
    msg: 'GET /x\\x1b[2J\\x9b31m 404 1.2 ms'
  }])
})

test('cookies and credentials never reach the log', async () => {
  const fixture = await makeTree({ 'a.txt': 'a' })
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  const app = await buildApp({ directory: fixture.dir, logger: pino({ level: 'trace' }, sink) })
  after(async () => { await app.close(); await fixture.cleanup() })
  await app.inject({ url: '/a.txt', headers: { cookie: 'session=SECRETCOOKIE', authorization: 'Bearer SECRETAUTH' } })
  await app.inject({ url: '/missing', headers: { cookie: 'session=SECRETCOOKIE', authorization: 'Bearer SECRETAUTH' } })
  assert.ok(lines.length >= 2)
  assert.ok(!lines.join('').includes('SECRET'))
})

test('a request whose socket is gone still logs, with an empty client address', () => {
  const lines: Array<Record<string, unknown>> = []
  const log = { info: (obj: Record<string, unknown>) => lines.push(obj), error: () => {} }
  new RequestLog().requestCompleted(null, { raw: { url: '/' }, method: 'GET', ip: undefined, log } as never, { statusCode: 200, elapsedTime: 1 } as never)
  assert.equal(lines[0]?.remoteAddress, '')
})
