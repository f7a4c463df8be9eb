import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { coalesce, decideRange, ifRangeHolds, MAX_RANGES } from '../plugins/static/ranges.js'

test('no Range header or another unit means the whole file', () => {
  assert.deepEqual(decideRange(undefined, 100), { kind: 'full' })
  assert.deepEqual(decideRange('items=0-5', 100), { kind: 'full' })
})

test('a single range, clamped to the size', () => {
  assert.deepEqual(decideRange('bytes=0-9', 100), { kind: 'partial', ranges: [{ start: 0, end: 9 }] })
  assert.deepEqual(decideRange('bytes=90-200', 100), { kind: 'partial', ranges: [{ start: 90, end: 99 }] })
  assert.deepEqual(decideRange('Bytes = 5-5', 100), { kind: 'partial', ranges: [{ start: 5, end: 5 }] })
})

test('an open range runs to the end', () => {
  assert.deepEqual(decideRange('bytes=95-', 100), { kind: 'partial', ranges: [{ start: 95, end: 99 }] })
})

test('a suffix range is the last N bytes, all of them when N exceeds the size', () => {
  assert.deepEqual(decideRange('bytes=-10', 100), { kind: 'partial', ranges: [{ start: 90, end: 99 }] })
  assert.deepEqual(decideRange('bytes=-500', 100), { kind: 'partial', ranges: [{ start: 0, end: 99 }] })
})

test('several ranges keep their order', () => {
  assert.deepEqual(decideRange('bytes=50-59, 0-9', 100), { kind: 'partial', ranges: [{ start: 50, end: 59 }, { start: 0, end: 9 }] })
})

test('overlapping and adjacent ranges are coalesced', () => {
  assert.deepEqual(decideRange('bytes=0-10,5-20,21-30', 100), { kind: 'partial', ranges: [{ start: 0, end: 30 }] })
  assert.deepEqual(coalesce([{ start: 10, end: 20 }, { start: 0, end: 5 }]), [{ start: 10, end: 20 }, { start: 0, end: 5 }])
})

test('ranges wholly past the end are unsatisfiable, and so is a zero suffix', () => {
  assert.deepEqual(decideRange('bytes=100-', 100), { kind: 'unsatisfiable' })
  assert.deepEqual(decideRange('bytes=200-300,150-', 100), { kind: 'unsatisfiable' })
  assert.deepEqual(decideRange('bytes=-0', 100), { kind: 'unsatisfiable' })
})

test('unsatisfiable parts are dropped when another part is satisfiable', () => {
  assert.deepEqual(decideRange('bytes=200-300,0-0', 100), { kind: 'partial', ranges: [{ start: 0, end: 0 }] })
})

test('invalid syntax is ignored (whole file), not an error', () => {
  for (const header of ['bytes=abc', 'bytes=5-2', 'bytes=-', 'bytes=1-2-3', 'bytes=', 'bytes', 'bytes=0x1-2']) {
    assert.deepEqual(decideRange(header, 100), { kind: 'full' }, header)
  }
})

test('too many ranges is ignored as abuse', () => {
  const many = 'bytes=' + Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 2}-${i * 2}`).join(',')
  assert.deepEqual(decideRange(many, 1000), { kind: 'full' })
})

test('a zero-length file has no satisfiable range and is sent whole', () => {
  assert.deepEqual(decideRange('bytes=0-0', 0), { kind: 'full' })
})

test('If-Range with the current strong ETag or exact date holds; anything else does not', () => {
  const etag = '"6-1a2b"'
  const lastModified = 'Wed, 25 Nov 2026 16:53:44 GMT'
  assert.equal(ifRangeHolds(undefined, etag, lastModified), true)
  assert.equal(ifRangeHolds('"6-1a2b"', etag, lastModified), true)
  assert.equal(ifRangeHolds('"other"', etag, lastModified), false)
  assert.equal(ifRangeHolds('W/"6-1a2b"', etag, lastModified), false)
  assert.equal(ifRangeHolds(lastModified, etag, lastModified), true)
  assert.equal(ifRangeHolds('Wed, 25 Nov 2026 16:53:45 GMT', etag, lastModified), false)
  assert.equal(ifRangeHolds('not a date', etag, lastModified), false)
})
