// A script's output after its header block is taken whole only when it has already
// ended; otherwise every byte stays in the stream, in order, for streaming.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { outputIfEnded } from '../plugins/cgi/ended-output.js'
import { readHeaderBlock } from '../plugins/cgi/read-header-block.js'

async function rest (stream: PassThrough): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return text
}

test('output that has ended comes back whole', async () => {
  const stdout = new PassThrough()
  stdout.pause()
  stdout.write('hello, ')
  stdout.end('world')
  assert.equal(String(await outputIfEnded(stdout)), 'hello, world')
})

test('empty output that has ended comes back as an empty Buffer', async () => {
  const stdout = new PassThrough()
  stdout.pause()
  stdout.end()
  assert.deepEqual(await outputIfEnded(stdout), Buffer.alloc(0))
})

test('output still being written is left in the stream, in order, paused', async () => {
  const stdout = new PassThrough()
  stdout.pause()
  stdout.write('first ')
  assert.equal(await outputIfEnded(stdout), undefined)
  assert.equal(stdout.isPaused(), true)
  stdout.end('second')
  assert.equal(await rest(stdout), 'first second')
})

test('output past the limit streams even if it has ended', async () => {
  const stdout = new PassThrough()
  stdout.pause()
  stdout.write('aaaa')
  stdout.write('bbbb')
  stdout.end('cc')
  assert.equal(await outputIfEnded(stdout, 5), undefined)
  assert.equal(await rest(stdout), 'aaaabbbbcc')
})

test('output that ended before anyone read it (a spawner socket whose script wrote nothing) is seen as ended at once', async () => {
  const stdout = new PassThrough()
  stdout.end()
  stdout.resume()
  await once(stdout, 'end')
  assert.deepEqual(await readHeaderBlock(stdout), { kind: 'ended', received: 0 })
  assert.deepEqual(await outputIfEnded(stdout), Buffer.alloc(0))
})
