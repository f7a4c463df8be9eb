// -H "Name: value": what is accepted, and the framing and hop-by-hop headers refused
// in one line naming the flag and the value as typed.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseHeader, parseHeaders } from '../src/response-headers.js'

test('Name: value is split at the first colon, spaces around both trimmed', () => {
  assert.deepEqual(parseHeader('X-Frame-Options: DENY'), ['X-Frame-Options', 'DENY'])
  assert.deepEqual(parseHeader('Link:</a.css>; rel=preload; as=style'), ['Link', '</a.css>; rel=preload; as=style'])
  assert.deepEqual(parseHeader('X-Empty:'), ['X-Empty', ''])
})

test('a name given twice keeps its last value, names compared without case', () => {
  assert.deepEqual(parseHeaders(['X-A: 1', 'x-a: 2', 'X-B: 3']), { 'x-a': '2', 'x-b': '3' })
})

for (const refused of ['Connection: close', 'Keep-Alive: timeout=5', 'Transfer-Encoding: chunked', 'content-length: 1', 'Upgrade: h2c', 'TE: trailers', 'Trailer: X', 'Proxy-Authenticate: Basic', 'Host: evil.example']) {
  test(`${refused} is refused, naming the flag and the value as typed`, () => {
    assert.throws(() => parseHeader(refused, '-H'), (error: Error) => error.name === 'OptionError' && error.message.startsWith(`-H ${JSON.stringify(refused)} sets `) && !error.message.includes('\n'))
  })
}

test('a name that is not a token, no colon, or a line break in the value are refused', () => {
  assert.throws(() => parseHeader('X Bad: 1'), /^OptionError: --header "X Bad: 1" must start with a header name/)
  assert.throws(() => parseHeader('NoColon'), /--header "NoColon" must be "Name: value"/)
  assert.throws(() => parseHeader(': x'), /must start with a header name/)
  assert.throws(() => parseHeader('X-A: 1\r\nSet-Cookie: a=b'), /must not hold a line break/)
  assert.throws(() => parseHeader('X-A: 1\nx'), /must not hold a line break/)
})

test('buildApp headers reach every response: a file, a listing, a 404 and a 304', async () => {
  const { buildApp } = await import('../src/app.js')
  const { makeTree } = await import('./helpers/fixtures.js')
  const fixture = await makeTree({ 'a.txt': 'a', 'docs/b.txt': 'b' })
  const app = await buildApp({ directory: fixture.dir, logLevel: 'silent', headers: ['X-Frame-Options: DENY', 'Cache-Control: private'] })
  try {
    const file = await app.inject({ url: '/a.txt' })
    assert.equal(file.headers['x-frame-options'], 'DENY')
    assert.equal(file.headers['cache-control'], 'private')
    for (const res of [await app.inject({ url: '/docs/' }), await app.inject({ url: '/missing' }), await app.inject({ url: '/a.txt', headers: { 'if-none-match': String(file.headers.etag) } })]) {
      assert.equal(res.headers['x-frame-options'], 'DENY')
    }
    await assert.rejects(buildApp({ directory: fixture.dir, logLevel: 'silent', headers: { Connection: 'close' } }), /^OptionError: headers "Connection: close" sets Connection/)
  } finally {
    await app.close()
    await fixture.cleanup()
  }
})
