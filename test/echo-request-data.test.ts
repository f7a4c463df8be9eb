// The echo route's pure rules: grouping repeated keys, cookies, headers, bodies.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cookiePairs, group, headerPairs, mediaType, postData } from '../routes/echo/request-data.js'

// Behaves like @fastify/cookie's parser: decodes values, keeps the first of a repeated name.
const firstWins = (text: string): Record<string, string> => {
  const cookies: Record<string, string> = {}
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq).trim()
    if (eq !== -1 && !(name in cookies)) cookies[name] = decodeURIComponent(pair.slice(eq + 1).trim())
  }
  return cookies
}

test('a key given once is a string, a repeated key an array in order', () => {
  assert.deepEqual(group([['a', '1'], ['b', '2'], ['a', '3'], ['a', '4']]), { a: ['1', '3', '4'], b: '2' })
})

test('a key named __proto__ stays a plain key', () => {
  const grouped = group([['__proto__', 'x']])
  assert.equal(Object.getPrototypeOf(grouped), Object.prototype)
  assert.deepEqual(Object.keys(grouped), ['__proto__'])
})

test('cookies are split on ";" before decoding, so repeats survive', () => {
  assert.deepEqual(cookiePairs('a=1;a=2; b=3', firstWins), { a: ['1', '2'], b: '3' })
  assert.deepEqual(cookiePairs('a=1; b=%20x; c', firstWins), { a: '1', b: ' x' })
  assert.deepEqual(cookiePairs(undefined, firstWins), {})
  assert.deepEqual(cookiePairs('', firstWins), {})
})

test('header names are lower-cased and repeated headers kept apart', () => {
  assert.deepEqual(headerPairs(['Host', 'x', 'X-A', '1', 'x-a', '2']), { host: 'x', 'x-a': ['1', '2'] })
})

test("Node's parsed headers are the answer only when they name every raw header once", () => {
  const parsed = { host: 'x', 'x-a': '1' }
  assert.equal(headerPairs(['Host', 'x', 'X-A', '1'], parsed), parsed, 'used as is')
  // Node joined the repeat: its object has fewer names than there are raw headers.
  assert.deepEqual(headerPairs(['Host', 'x', 'X-A', '1', 'x-a', '2'], { host: 'x', 'x-a': '1, 2' }), { host: 'x', 'x-a': ['1', '2'] })
  // Node makes even a single Set-Cookie an array.
  assert.deepEqual(headerPairs(['Set-Cookie', 'a=1'], { 'set-cookie': ['a=1'] }), { 'set-cookie': 'a=1' })
})

test('a Cookie header without repeats is answered by one parse', () => {
  const parses: string[] = []
  const counting = (text: string): Record<string, string> => { parses.push(text); return firstWins(text) }
  assert.deepEqual(cookiePairs('a=1; b=2; flag', counting), { a: '1', b: '2' })
  assert.deepEqual(parses, ['a=1; b=2; flag'])
  parses.length = 0
  assert.deepEqual(cookiePairs('a=1; a=2', counting), { a: ['1', '2'] })
  assert.ok(parses.length > 1, 'a repeat is parsed pair by pair')
  parses.length = 0
  // Parts without a `=` (empty, or a bare name) are no pairs, wherever they stand.
  assert.deepEqual(cookiePairs(';; flag;a=1;;b=2; ;', counting), { a: '1', b: '2' })
  assert.deepEqual(parses, [';; flag;a=1;;b=2; ;'])
})

test('post_data is text for UTF-8 and base64 otherwise', () => {
  assert.deepEqual(postData(Buffer.from('ok ✓')), { post_data: 'ok ✓' })
  assert.deepEqual(postData(Buffer.from([0xc3])), { post_data: 'ww==', post_data_encoding: 'base64' })
  assert.deepEqual(postData(Buffer.alloc(0)), { post_data: '' })
})

test('the media type ignores parameters and case', () => {
  assert.equal(mediaType('Application/X-WWW-Form-Urlencoded; charset=UTF-8'), 'application/x-www-form-urlencoded')
  assert.equal(mediaType(undefined), '')
})
