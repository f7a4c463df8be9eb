// Validators and conditional requests (RFC 9110 sections 8.8 and 13), decided from
// a descriptor's fstat alone.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { conditionalStatus, fileHeaders } from '../plugins/static/file-headers.js'

const stats = { size: 6, mtime: new Date('2026-11-25T16:53:45.123Z'), mtimeMs: Date.parse('2026-11-25T16:53:45.123Z'), ctimeMs: Date.parse('2026-11-25T16:54:00.456Z') }
const { ETag: etag, 'Last-Modified': lastModified } = fileHeaders('/srv/a.txt', stats)

test('a file gets a strong size-mtime-ctime ETag, its Last-Modified and a type from its real name', () => {
  assert.equal(etag, `"6-${stats.mtimeMs.toString(16)}-${stats.ctimeMs.toString(16)}"`)
  assert.equal(lastModified, 'Wed, 25 Nov 2026 16:53:45 GMT')
  // Rewritten to the same size with its mtime set back (cp -p, rsync -t): the ctime still moved.
  assert.notEqual(fileHeaders('/srv/a.txt', { ...stats, ctimeMs: stats.ctimeMs + 1 }).ETag, etag)
  assert.equal(fileHeaders('/srv/a.txt', stats)['Content-Type'], 'text/plain; charset=utf-8')
  assert.equal(fileHeaders('/srv/a.png', stats)['Content-Type'], 'image/png')
  assert.equal(fileHeaders('/srv/app.js', stats)['Content-Type'], 'application/javascript; charset=utf-8')
  assert.equal(fileHeaders('/srv/noext', stats)['Content-Type'], 'application/octet-stream')
})

test('no validator: 200', () => {
  assert.equal(conditionalStatus({}, etag, lastModified), 200)
})

test('If-None-Match with the tag (or *, or among others, or weak) is 304; another tag is 200', () => {
  assert.equal(conditionalStatus({ 'if-none-match': etag }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-none-match': '*' }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-none-match': `"x", ${etag}` }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-none-match': `W/${etag}` }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-none-match': '"other"' }, etag, lastModified), 200)
})

test('If-None-Match wins over If-Modified-Since', () => {
  assert.equal(conditionalStatus({ 'if-none-match': '"other"', 'if-modified-since': lastModified }, etag, lastModified), 200)
})

test('If-Modified-Since at or after Last-Modified is 304, before it 200', () => {
  assert.equal(conditionalStatus({ 'if-modified-since': lastModified }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-modified-since': 'Thu, 26 Nov 2026 00:00:00 GMT' }, etag, lastModified), 304)
  assert.equal(conditionalStatus({ 'if-modified-since': 'Tue, 24 Nov 2026 00:00:00 GMT' }, etag, lastModified), 200)
})

test('Cache-Control: no-cache asks for the file again', () => {
  assert.equal(conditionalStatus({ 'if-none-match': etag, 'cache-control': 'no-cache' }, etag, lastModified), 200)
})

test('If-Match needs the strong tag or *: anything else is 412', () => {
  assert.equal(conditionalStatus({ 'if-match': etag }, etag, lastModified), 200)
  assert.equal(conditionalStatus({ 'if-match': '*' }, etag, lastModified), 200)
  assert.equal(conditionalStatus({ 'if-match': `"x", ${etag}` }, etag, lastModified), 200)
  assert.equal(conditionalStatus({ 'if-match': '"other"' }, etag, lastModified), 412)
  assert.equal(conditionalStatus({ 'if-match': `W/${etag}` }, etag, lastModified), 412)
})

test('If-Unmodified-Since before Last-Modified is 412; ignored when If-Match is there or the date is bad', () => {
  assert.equal(conditionalStatus({ 'if-unmodified-since': 'Tue, 24 Nov 2026 00:00:00 GMT' }, etag, lastModified), 412)
  assert.equal(conditionalStatus({ 'if-unmodified-since': lastModified }, etag, lastModified), 200)
  assert.equal(conditionalStatus({ 'if-unmodified-since': 'not a date' }, etag, lastModified), 200)
  assert.equal(conditionalStatus({ 'if-match': etag, 'if-unmodified-since': 'Tue, 24 Nov 2026 00:00:00 GMT' }, etag, lastModified), 200)
})

test('a failed precondition comes before a 304', () => {
  assert.equal(conditionalStatus({ 'if-match': '"other"', 'if-none-match': etag }, etag, lastModified), 412)
})

test('a file\'s headers are made again whenever its size, mtime or ctime moves, and only reused while none does', () => {
  const first = fileHeaders('/srv/kept.txt', stats)
  assert.equal(fileHeaders('/srv/kept.txt', { ...stats }), first, 'the same numbers: the same headers')
  assert.ok(Object.isFrozen(first), 'shared between requests, so nobody may change them')
  const later = new Date(stats.mtimeMs + 5000)
  assert.equal(fileHeaders('/srv/kept.txt', { ...stats, mtime: later, mtimeMs: later.getTime() })['Last-Modified'], 'Wed, 25 Nov 2026 16:53:50 GMT')
  assert.equal(fileHeaders('/srv/kept.txt', { ...stats, size: 7 }).ETag, `"7-${stats.mtimeMs.toString(16)}-${stats.ctimeMs.toString(16)}"`)
  assert.notEqual(fileHeaders('/srv/kept.txt', { ...stats, ctimeMs: stats.ctimeMs + 1 }).ETag, first.ETag)
  assert.equal(fileHeaders('/srv/kept.txt', stats).ETag, first.ETag, 'back to the first numbers, the first tag')
  assert.equal(fileHeaders('/srv/kept.png', stats)['Content-Type'], 'image/png', 'another real name, its own type')
})
