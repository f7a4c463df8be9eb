// Accept-Encoding negotiation (RFC 9110 section 12.5.3), compressible types and the
// tags of coded forms: pure functions, table-driven.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { acceptsIdentity, chooseCoding, codedTag, compressible, hiddenSiblings, parseAcceptEncoding, rankCodings, varyWith, type Coding } from '../plugins/static/encoding.js'

const ALL: Coding[] = ['br', 'zstd', 'gzip']
const NO_ZSTD: Coding[] = ['br', 'gzip']

const choices: Array<[string | undefined, readonly Coding[], string]> = [
  [undefined, ALL, 'identity'],
  ['', ALL, 'identity'],
  ['gzip', ALL, 'gzip'],
  ['GZIP', ALL, 'gzip'],
  ['x-gzip', ALL, 'gzip'],
  ['gzip, deflate, br', ALL, 'br'],
  ['gzip, deflate, br, zstd', ALL, 'br'],
  ['gzip, deflate, br, zstd', NO_ZSTD, 'br'],
  ['br;q=0.5, gzip', ALL, 'gzip'],
  ['br;q=0.5, gzip;q=0.8', ALL, 'gzip'],
  ['br;q=1.0, gzip;q=1', ALL, 'br'],
  ['zstd', NO_ZSTD, 'identity'],
  ['zstd', ALL, 'zstd'],
  ['deflate', ALL, 'identity'],
  ['*', ALL, 'br'],
  ['*;q=0.5, gzip', ALL, 'gzip'],
  ['*, br;q=0', ALL, 'zstd'],
  ['*, br;q=0', NO_ZSTD, 'gzip'],
  ['br;q=0, gzip;q=0', ALL, 'identity'],
  ['identity', ALL, 'identity'],
  ['identity;q=0', ALL, 'identity'],
  ['identity;q=0, *;q=0', ALL, 'identity'],
  ['gzip;q=0.5, identity', ALL, 'identity'],
  ['gzip, identity;q=0.5', ALL, 'gzip'],
  ['gzip, identity', ALL, 'gzip'],
  ['gzip;q=0.5', ALL, 'gzip'],
  ['br;q=2, gzip', ALL, 'gzip'],
  ['br;q=abc, gzip;q=0.1', ALL, 'gzip'],
  ['br;q=0.0001, gzip;q=0.1', ALL, 'gzip'],
  [' br ; q=0.9 , gzip ; q=0.8 ', ALL, 'br'],
  ['gzip', [], 'identity']
]

for (const [header, offered, expected] of choices) {
  test(`Accept-Encoding ${JSON.stringify(header)} offered ${offered.join(',') || 'nothing'} answers ${expected}`, () => {
    assert.equal(chooseCoding(header, offered), expected)
  })
}

test('the ranking lists what beats identity, best first, ties in the order offered', () => {
  assert.deepEqual(rankCodings('gzip, br;q=0.9, zstd', ALL), ['zstd', 'gzip', 'br'])
  assert.deepEqual(rankCodings('gzip;q=0.4, identity;q=0.5, br', ALL), ['br'])
  assert.deepEqual(rankCodings(undefined, ALL), [])
})

test('a repeated coding keeps its first weight', () => {
  assert.deepEqual([...parseAcceptEncoding('gzip;q=0.2, gzip')], [['gzip', 0.2]])
})

const identities: Array<[string | undefined, boolean]> = [
  [undefined, true],
  ['', true],
  ['gzip', true],
  ['identity;q=0', false],
  ['*;q=0', false],
  ['*;q=0, identity', true],
  ['identity;q=0.1', true]
]
for (const [header, expected] of identities) {
  test(`Accept-Encoding ${JSON.stringify(header)} ${expected ? 'takes' : 'refuses'} identity`, () => {
    assert.equal(acceptsIdentity(header), expected)
  })
}

const types: Array<[string, boolean]> = [
  ['text/html; charset=utf-8', true],
  ['text/plain', true],
  ['application/javascript; charset=utf-8', true],
  ['application/json', true],
  ['application/manifest+json', true],
  ['application/vnd.api+json', true],
  ['image/svg+xml', true],
  ['application/xml', true],
  ['application/wasm', true],
  ['font/ttf', true],
  ['image/png', false],
  ['image/jpeg', false],
  ['font/woff2', false],
  ['application/zip', false],
  ['application/gzip', false],
  ['application/octet-stream', false],
  ['video/mp4', false],
  ['application/jsonp', false]
]
for (const [type, expected] of types) {
  test(`${type} is ${expected ? '' : 'not '}compressed`, () => {
    assert.equal(compressible(type), expected)
  })
}

test('each coded form has its own tag: weak on the fly, strong for a precompressed file', () => {
  assert.equal(codedTag('"3e8-18f"', 'br', true), 'W/"3e8-18f-br"')
  assert.equal(codedTag('"3e8-18f"', 'gzip', true), 'W/"3e8-18f-gz"')
  assert.equal(codedTag('"3e8-18f"', 'zstd', true), 'W/"3e8-18f-zst"')
  assert.equal(codedTag('"20-18f"', 'br', false), '"20-18f-br"')
})

test('Vary gains Accept-Encoding once', () => {
  assert.equal(varyWith(undefined, 'Accept-Encoding'), 'Accept-Encoding')
  assert.equal(varyWith('Accept', 'Accept-Encoding'), 'Accept, Accept-Encoding')
  assert.equal(varyWith('Accept, accept-encoding', 'Accept-Encoding'), 'Accept, accept-encoding')
  assert.equal(varyWith('*', 'Accept-Encoding'), '*')
})

test('a listing hides the siblings of files beside them, and nothing else', () => {
  const hidden = hiddenSiblings(new Set(['app.js', 'app.js.br', 'app.js.gz', 'app.js.zst', 'lone.css.br', 'backup.tar.gz', 'x.gz']))
  assert.deepEqual([...hidden].sort(), ['app.js.br', 'app.js.gz', 'app.js.zst'])
})
