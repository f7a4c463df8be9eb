// Every descriptor the lookup opens is closed when its response ends, however it
// ends: a client gone before the first byte or mid-body, for whole files, single and
// multiple ranges, small files, listings and HEAD. The server runs in this process,
// so /proc/self/fd counts its descriptors.
import assert from 'node:assert/strict'
import { open } from 'node:fs/promises'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { AppOptions } from '../src/app.js'
import type { RunningServer } from '../src/server.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { waitFor } from './helpers/wait.js'
import { openDescriptors } from './helpers/descriptors.js'

const BIG = 4 * 1024 * 1024
const ROUNDS = 50
const AT_ONCE = 10

type Abort = 'before reading' | 'after the first chunk'

/**
 * Sends one request on a new connection and destroys the socket either as soon as
 * the request is written, or once the first bytes of the body (or, for HEAD, the
 * whole head) have arrived.
 */
async function abandon (port: number, request: string, abort: Abort): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    let received = ''
    const done = (): void => { socket.destroy(); resolve() }
    socket.on('error', done)
    socket.on('close', done)
    socket.setTimeout(5000, done)
    socket.write(request, () => { if (abort === 'before reading') done() })
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end !== -1 && (request.startsWith('HEAD') || received.length > end + 4)) done()
    })
  })
}

interface Case {
  name: string
  method?: 'GET' | 'HEAD'
  path: string
  range?: string
}

const CASES: Case[] = [
  { name: 'a big file, whole', path: '/big.bin' },
  { name: 'a big file, one range', path: '/big.bin', range: 'bytes=100-3000000' },
  { name: 'a big file, two one-byte ranges', path: '/big.bin', range: 'bytes=0-0,2-2' },
  { name: 'a big file, two large ranges', path: '/big.bin', range: 'bytes=0-1000000,2000000-3000000' },
  { name: 'a big file, HEAD', method: 'HEAD', path: '/big.bin' },
  { name: 'a small file', path: '/small.txt' },
  { name: 'a small file, two ranges', path: '/small.txt', range: 'bytes=0-1,3-4' },
  { name: 'a listing', path: '/folder/' },
  { name: 'a listing as JSON', path: '/folder/?format=json' }
]

const MODES: Array<{ name: string, options: Pick<AppOptions, 'lookupCache'> }> = [
  { name: 'lookup cache on', options: {} },
  { name: 'lookup cache off', options: { lookupCache: false } }
]

let fixture: Fixture

before(async () => {
  fixture = await makeTree({
    'root/small.txt': 'a small file\n',
    'root/folder/a.txt': 'a\n',
    'root/folder/b.txt': 'b\n',
    'root/folder/sub/c.txt': 'c\n'
  })
  // Sparse: 4 MiB that cost nothing, and cannot go out in one write.
  const big = await open(fixture.path('root', 'big.bin'), 'w')
  await big.truncate(BIG)
  await big.close()
})
after(async () => { await fixture.cleanup() })

for (const mode of MODES) {
  describe(`${mode.name}: descriptors are closed however a response ends`, () => {
    let server: RunningServer

    before(async () => {
      server = await serve({ directory: fixture.path('root'), ...mode.options })
      // Whatever the server opens once for good (a watch's inotify instance, say) is
      // opened here, before any baseline is taken.
      for (const c of CASES) {
        const res = await get(server.url, c.path, { method: c.method ?? 'GET', headers: c.range === undefined ? {} : { range: c.range } })
        assert.ok(res.status === 200 || res.status === 206, `${c.name}: ${res.status}`)
      }
    })
    after(async () => { await server.close() })

    for (const c of CASES) {
      for (const abort of ['before reading', 'after the first chunk'] as const) {
        test(`${c.name}, the client gone ${abort}: ${ROUNDS} requests leave no descriptor open`, async () => {
          const baseline = openDescriptors()
          const request = `${c.method ?? 'GET'} ${c.path} HTTP/1.1\r\nHost: localhost\r\n${c.range === undefined ? '' : `Range: ${c.range}\r\n`}\r\n`
          for (let sent = 0; sent < ROUNDS; sent += AT_ONCE) {
            await Promise.all(Array.from({ length: AT_ONCE }, async () => { await abandon(server.port, request, abort) }))
          }
          // Closing happens on later turns of the event loop; bounded.
          await waitFor(() => openDescriptors() <= baseline + 2, `the descriptors to return to ${baseline} (now ${openDescriptors()})`, 15_000)
            .catch(() => { assert.fail(`${openDescriptors() - baseline} descriptors still open after ${ROUNDS} requests`) })
          // And the server still answers.
          assert.equal((await get(server.url, '/small.txt')).status, 200)
        })
      }
    }
  })
}
