// The cap on running scripts and its queue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSlots, type Acquired } from '../plugins/cgi/slots.js'

async function granted (result: Promise<Acquired>): Promise<() => void> {
  const acquired = await result
  assert.equal(acquired.kind, 'granted')
  return acquired.kind === 'granted' ? acquired.release : () => {}
}

test('up to the cap, slots are granted at once', async () => {
  const slots = createSlots(2, 0)
  await granted(slots.acquire(1000).result)
  await granted(slots.acquire(1000).result)
  assert.equal(slots.running, 2)
  assert.deepEqual(await slots.acquire(1000).result, { kind: 'busy' })
})

test('waiting requests get freed slots in the order they came', async () => {
  const slots = createSlots(1, 2)
  const release = await granted(slots.acquire(1000).result)
  const order: string[] = []
  const first = slots.acquire(1000).result.then((a) => { order.push('first'); return a })
  const second = slots.acquire(1000).result.then((a) => { order.push('second'); return a })
  assert.equal(slots.waiting, 2)
  assert.deepEqual(await slots.acquire(1000).result, { kind: 'busy' })
  release()
  release()
  const releaseFirst = await granted(first)
  releaseFirst()
  await granted(second)
  assert.deepEqual(order, ['first', 'second'])
  assert.equal(slots.running, 1)
  assert.equal(slots.waiting, 0)
})

test('a request that leaves the queue gives up its place', async () => {
  const slots = createSlots(1, 1)
  const release = await granted(slots.acquire(1000).result)
  const waiting = slots.acquire(1000)
  waiting.cancel()
  assert.deepEqual(await waiting.result, { kind: 'cancelled' })
  assert.equal(slots.waiting, 0)
  release()
  assert.equal(slots.running, 0)
})

test('a wait longer than allowed ends without a slot', async () => {
  const slots = createSlots(1, 1)
  await granted(slots.acquire(1000).result)
  assert.deepEqual(await slots.acquire(5).result, { kind: 'timed out' })
  assert.equal(slots.waiting, 0)
})
