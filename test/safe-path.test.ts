import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { isInside, parseUrlPath, pathOf, urlPathOf } from '../src/safe-path.js'

test('a plain path becomes its segments', () => {
  assert.deepEqual(parseUrlPath('/a/b.txt', false), { ok: true, segments: ['a', 'b.txt'], trailingSlash: false })
  assert.deepEqual(parseUrlPath('/a/', false), { ok: true, segments: ['a'], trailingSlash: true })
  assert.deepEqual(parseUrlPath('/', false), { ok: true, segments: [], trailingSlash: true })
})

test('percent-encoding is decoded exactly once', () => {
  assert.deepEqual(parseUrlPath('/my%20file.txt', false), { ok: true, segments: ['my file.txt'], trailingSlash: false })
  // %252e stays a literal "%2e" name: double encoding cannot smuggle "..".
  assert.deepEqual(parseUrlPath('/%252e%252e/x', false), { ok: true, segments: ['%2e%2e', 'x'], trailingSlash: false })
})

test('malformed percent-encoding is 400', () => {
  assert.deepEqual(parseUrlPath('/%E0%A4%A', false), { ok: false, status: 400 })
  assert.deepEqual(parseUrlPath('/%zz', false), { ok: false, status: 400 })
})

test('dot-dot that climbs above the root is 404, however it is spelled', () => {
  for (const path of ['/..', '/../etc/passwd', '/a/../../etc/passwd', '/%2e%2e/etc/passwd', '/%2E%2E%2Fetc%2Fpasswd', '/..%2f..%2fetc/passwd']) {
    assert.deepEqual(parseUrlPath(path, false), { ok: false, status: 404 }, path)
  }
})

test('dot-dot that stays inside the root is normalised away', () => {
  assert.deepEqual(parseUrlPath('/a/../b.txt', false), { ok: true, segments: ['b.txt'], trailingSlash: false })
  assert.deepEqual(parseUrlPath('//evil.example/..', false), { ok: true, segments: [], trailingSlash: false })
})

test('NUL bytes and backslashes are 404', () => {
  assert.deepEqual(parseUrlPath('/a.txt%00.png', false), { ok: false, status: 404 })
  assert.deepEqual(parseUrlPath('/..%5c..%5cetc/passwd', false), { ok: false, status: 404 })
  assert.deepEqual(parseUrlPath('/\\evil.example/..', false), { ok: false, status: 404 })
})

test('dot segments are hidden unless dotfiles is on, except a leading .well-known', () => {
  assert.deepEqual(parseUrlPath('/.env', false), { ok: false, status: 404 })
  assert.deepEqual(parseUrlPath('/a/.git/config', false), { ok: false, status: 404 })
  assert.deepEqual(parseUrlPath('/%2eenv', false), { ok: false, status: 404 })
  assert.equal(parseUrlPath('/.env', true).ok, true)
  assert.equal(parseUrlPath('/.well-known/security.txt', false).ok, true)
  assert.deepEqual(parseUrlPath('/a/.well-known/x', false), { ok: false, status: 404 })
})

test('isInside compares whole path components', () => {
  assert.equal(isInside('/srv/root', '/srv/root'), true)
  assert.equal(isInside('/srv/root', '/srv/root/a'), true)
  assert.equal(isInside('/srv/root', '/srv/root2/a'), false)
  assert.equal(isInside('/srv/root', '/srv'), false)
  assert.equal(isInside('/', '/anything'), true)
})

test('urlPathOf percent-encodes each segment', () => {
  assert.equal(urlPathOf([], true), '/')
  assert.equal(urlPathOf(['a b', 'c?d#'], true), '/a%20b/c%3Fd%23/')
  assert.equal(urlPathOf(['x'], false), '/x')
})

test('pathOf: the target without its query or fragment, still encoded', () => {
  assert.equal(pathOf('/a%20b/c?x=1#f'), '/a%20b/c')
  assert.equal(pathOf('/health#/../x'), '/health')
  assert.equal(pathOf('/plain'), '/plain')
  assert.equal(pathOf('?only'), '')
})
