// SIGINT/SIGTERM: stop accepting, let requests in flight finish, exit 0.
import { strict as assert } from 'node:assert'
import { open } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { runCli, started } from './helpers/cli.js'
import { startDownload } from './helpers/http.js'

const SIZE = 32 * 1024 * 1024
let fixture: Fixture

before(async () => {
  fixture = await makeTree({ 'small.txt': 'small' })
  const file = await open(fixture.path('big.bin'), 'w')
  await file.truncate(SIZE)
  await file.close()
})
after(async () => { await fixture.cleanup() })

async function readAll (res: IncomingMessage): Promise<number> {
  let bytes = 0
  for await (const chunk of res) bytes += (chunk as Buffer).length
  return bytes
}

async function refused (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.on('connect', () => { socket.destroy(); resolve(false) })
    socket.on('error', () => resolve(true))
  })
}

/** The listener closes just after the shutdown line is logged: poll, bounded. */
async function eventuallyRefused (port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await refused(port)) return true
  }
  return false
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} with a download in flight: the download completes, new connections are refused, exit 0`, async () => {
    const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'])
    const port = await started(run)
    const download = await startDownload(port, '/big.bin')
    assert.equal(download.statusCode, 200)

    run.child.kill(signal)
    await run.waitForLog((e) => e.signal === signal)
    assert.equal(await eventuallyRefused(port), true)

    assert.equal(await readAll(download), SIZE)
    const { code, signal: killedBy } = await run.exited
    assert.equal(killedBy, null)
    assert.equal(code, 0)
  })
}

test('a download still stuck after the 10 s grace is cut, and the exit is still 0', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'])
  const port = await started(run)
  const download = await startDownload(port, '/big.bin')
  run.child.kill('SIGTERM')
  const { code } = await run.exited
  assert.equal(code, 0)
  const received = await readAll(download).then((bytes) => bytes, () => 'cut')
  assert.notEqual(received, SIZE)
})

test('an idle server stops at once on SIGTERM', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'])
  await started(run)
  run.child.kill('SIGTERM')
  assert.equal((await run.exited).code, 0)
})
