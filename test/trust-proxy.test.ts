// --trust-proxy: X-Forwarded-For/-Proto change the client's address and scheme only
// when the connection comes from a trusted proxy.
import { strict as assert } from 'node:assert'
import { after, test } from 'node:test'
import { OptionError } from '../src/errors.js'
import { trustedProxies } from '../src/trust-proxy.js'
import { makeTree } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { captureLog } from './helpers/tls.js'

const SECRET = 'a-test-secret-that-is-long-enough-0123456789'
const FORWARDED = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded' }

test('addresses, CIDR ranges and the range names are accepted, comma-separated or as a list', () => {
  assert.deepEqual(trustedProxies(undefined), [])
  assert.deepEqual(trustedProxies(''), [])
  assert.deepEqual(trustedProxies(' 172.30.80.2 , 10.0.0.0/8,fd00::/8 '), ['172.30.80.2', '10.0.0.0/8', 'fd00::/8'])
  assert.deepEqual(trustedProxies(['loopback', 'uniquelocal', '::1']), ['loopback', 'uniquelocal', '::1'])
})

test('trusting everybody, a hop count or a name that is not an address is refused', () => {
  for (const value of [true, 1, 'true', '*', 'proxy.example', '10.0.0.1/33', '10.0.0.0/x', ['10.0.0.1', 2]]) {
    assert.throws(() => trustedProxies(value), OptionError, JSON.stringify(value))
  }
  for (const everyone of ['0.0.0.0/0', '::/0']) {
    assert.throws(() => trustedProxies(everyone), (e: Error) => e instanceof OptionError && e.message.includes('would trust every address'))
  }
})

async function logIn (trustProxy: string | undefined): Promise<{ setCookie: string, remoteAddress: unknown }> {
  const fixture = await makeTree({})
  const { logger, entries } = captureLog()
  const server = await serve({ directory: fixture.dir, login: true, secret: SECRET, logger, ...(trustProxy === undefined ? {} : { trustProxy }) })
  after(async () => { await server.close(); await fixture.cleanup() })
  const res = await get(server.url, '/login', { method: 'POST', headers: FORWARDED, body: 'username=jdoe&password=s3cret' })
  assert.equal(res.status, 303)
  const line = entries.find((e) => e.url === '/login' && e.method === 'POST')
  return { setCookie: String(res.headers['set-cookie']), remoteAddress: line?.remoteAddress }
}

test('from a trusted proxy, the forwarded client address is logged and https makes the cookie Secure', async () => {
  const { setCookie, remoteAddress } = await logIn('127.0.0.1')
  assert.equal(remoteAddress, '203.0.113.7')
  assert.match(setCookie, /; Secure/)
})

test('from anyone else, the headers are ignored: the socket address is logged and the cookie is not Secure', async () => {
  for (const trustProxy of [undefined, '10.0.0.1']) {
    const { setCookie, remoteAddress } = await logIn(trustProxy)
    assert.equal(remoteAddress, '127.0.0.1', String(trustProxy))
    assert.doesNotMatch(setCookie, /Secure/, String(trustProxy))
  }
})
