// A script's header block and what it asks for (RFC 3875 section 6).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decideResponse, scanHeaderBlock, type HeaderField } from '../plugins/cgi/response.js'

function scan (text: string, limit?: number): ReturnType<typeof scanHeaderBlock> {
  return scanHeaderBlock(Buffer.from(text, 'latin1'), limit)
}

function fields (text: string): HeaderField[] {
  const result = scan(text)
  assert.equal(result.kind, 'complete')
  return result.kind === 'complete' ? result.fields : []
}

function bodyAfter (text: string): string {
  const result = scan(text)
  return result.kind === 'complete' ? text.slice(result.bodyStart) : ''
}

test('an LF header block ends at the first blank line; the body starts after it', () => {
  const text = 'Content-Type: text/plain\nX-A: 1\n\nbody\n\nmore'
  assert.deepEqual(fields(text), [['Content-Type', 'text/plain'], ['X-A', '1']])
  assert.equal(bodyAfter(text), 'body\n\nmore')
})

test('a CRLF header block parses the same', () => {
  const text = 'Content-Type: text/plain\r\nX-A: 1\r\n\r\nbody'
  assert.deepEqual(fields(text), [['Content-Type', 'text/plain'], ['X-A', '1']])
  assert.equal(bodyAfter(text), 'body')
})

test('mixed line ends are accepted', () => {
  assert.deepEqual(fields('Content-Type: text/plain\r\nX-A: 1\n\r\nbody'), [['Content-Type', 'text/plain'], ['X-A', '1']])
})

test('values are trimmed of spaces and tabs, and may contain colons', () => {
  assert.deepEqual(fields('Location:\t http://example.test:8080/x \n\n'), [['Location', 'http://example.test:8080/x']])
})

test('a block without its blank line yet is incomplete', () => {
  assert.deepEqual(scan('Content-Type: text/plain\n'), { kind: 'incomplete' })
  assert.deepEqual(scan(''), { kind: 'incomplete' })
})

test('resuming the search finds a blank line split across chunks', () => {
  const received = Buffer.from('Content-Type: text/plain\r\n\r\nbody')
  assert.equal(scanHeaderBlock(received, undefined, 24).kind, 'complete')
})

test('garbage is not a header block', () => {
  assert.deepEqual(scan('Hello, world!\n\n'), { kind: 'invalid', reason: 'not a header line: "Hello, world!"' })
  assert.equal(scan('<html>\n\n').kind, 'invalid')
  assert.equal(scan(': no name\n\n').kind, 'invalid')
  assert.equal(scan(' folded: line\n\n').kind, 'invalid')
  assert.equal(scan('Bad Name: x\n\n').kind, 'invalid')
})

test('a control character in a value is refused', () => {
  assert.deepEqual(scan('X-A: a\rb\n\n'), { kind: 'invalid', reason: 'control character in header X-A' })
})

test('an empty header block is refused', () => {
  assert.deepEqual(scan('\nbody'), { kind: 'invalid', reason: 'empty header block' })
  assert.deepEqual(scan('\r\nbody'), { kind: 'invalid', reason: 'empty header block' })
})

test('a header block over the limit is refused, complete or not', () => {
  const big = 'X-Big: ' + 'a'.repeat(100) + '\n'
  assert.deepEqual(scan(big.repeat(20), 1024), { kind: 'invalid', reason: 'header block longer than 1024 bytes' })
  assert.deepEqual(scan(big.repeat(20) + '\n', 1024), { kind: 'invalid', reason: 'header block longer than 1024 bytes' })
  assert.equal(scan(big.repeat(5) + '\n', 1024).kind, 'complete')
})

test('a document defaults to 200 and keeps its headers', () => {
  assert.deepEqual(decideResponse([['Content-Type', 'text/html'], ['X-Powered-By', 'sh']]), {
    kind: 'document',
    status: 200,
    reason: undefined,
    headers: { 'content-type': 'text/html', 'x-powered-by': 'sh' },
    contentLength: undefined
  })
})

test('Status sets the status and its reason phrase', () => {
  const response = decideResponse([['Status', '404 No Such Page'], ['Content-Type', 'text/plain']])
  assert.equal(response.kind, 'document')
  if (response.kind !== 'document') return
  assert.equal(response.status, 404)
  assert.equal(response.reason, 'No Such Page')
  assert.equal('status' in response.headers, false)
})

test('Status alone needs no Content-Type', () => {
  const response = decideResponse([['Status', '204']])
  assert.equal(response.kind, 'document')
  assert.equal(response.kind === 'document' && response.status, 204)
})

test('a bad Status is refused', () => {
  for (const value of ['abc', '99', '1000', '600 Nope', '100 Continue', '']) {
    assert.equal(decideResponse([['Status', value], ['Content-Type', 'text/plain']]).kind, 'invalid', value)
  }
})

test('a response without Content-Type, Location or Status is refused', () => {
  assert.deepEqual(decideResponse([['X-A', '1']]), { kind: 'invalid', reason: 'no Content-Type, Location or Status header' })
})

test('Location with a path and no Status is a local redirect', () => {
  assert.deepEqual(decideResponse([['Location', '/other/page?x=1']]), { kind: 'local-redirect', location: '/other/page?x=1' })
})

test('Location with a URL is a client redirect, 302 by default', () => {
  assert.deepEqual(decideResponse([['Location', 'https://example.test/'], ['Set-Cookie', 'a=1']]), {
    kind: 'client-redirect',
    status: 302,
    reason: undefined,
    headers: { location: 'https://example.test/', 'set-cookie': 'a=1' },
    contentLength: undefined
  })
})

test('a network-path Location (//host) is a client redirect, never served locally', () => {
  assert.equal(decideResponse([['Location', '//evil.example/x']]).kind, 'client-redirect')
})

test('Status picks the redirect status, also for a path', () => {
  const response = decideResponse([['Status', '303 See Other'], ['Location', '/done']])
  assert.equal(response.kind, 'client-redirect')
  assert.equal(response.kind === 'client-redirect' && response.status, 303)
})

test('a client redirect with a document keeps its type and body', () => {
  const response = decideResponse([['Status', '301'], ['Location', 'http://example.test/new'], ['Content-Type', 'text/html']])
  assert.equal(response.kind, 'client-redirect-with-document')
  assert.equal(response.kind === 'client-redirect-with-document' && response.status, 301)
})

test('repeated fields are kept in order: Set-Cookie twice is two cookies', () => {
  const response = decideResponse([['Content-Type', 'text/plain'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['Set-Cookie', 'c=3']])
  assert.equal(response.kind, 'document')
  assert.deepEqual(response.kind === 'document' && response.headers['set-cookie'], ['a=1', 'b=2', 'c=3'])
})

test('fields that must be single are refused when repeated', () => {
  assert.equal(decideResponse([['Content-Type', 'text/plain'], ['Content-Type', 'text/html']]).kind, 'invalid')
  assert.equal(decideResponse([['Location', '/a'], ['Location', '/b']]).kind, 'invalid')
  assert.equal(decideResponse([['Status', '200'], ['Status', '404']]).kind, 'invalid')
})

test('connection fields are the server\'s and are dropped', () => {
  const response = decideResponse([['Content-Type', 'text/plain'], ['Connection', 'close'], ['Transfer-Encoding', 'chunked'], ['Keep-Alive', 'timeout=1'], ['Upgrade', 'h2c']])
  assert.deepEqual(response.kind === 'document' && response.headers, { 'content-type': 'text/plain' })
})

test('Content-Length is kept and must be a number', () => {
  const response = decideResponse([['Content-Type', 'text/plain'], ['Content-Length', '5']])
  assert.equal(response.kind === 'document' && response.contentLength, 5)
  assert.equal(decideResponse([['Content-Type', 'text/plain'], ['Content-Length', '-1']]).kind, 'invalid')
  assert.equal(decideResponse([['Content-Type', 'text/plain'], ['Content-Length', '5, 5']]).kind, 'invalid')
})
