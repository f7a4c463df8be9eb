// Big files stream from disk: memory stays flat, and a client that leaves
// mid-download leaves no open file behind.
import { strict as assert } from 'node:assert'
import { open, readdir } from 'node:fs/promises'
import { request } from 'node:http'
import { after, before, test } from 'node:test'
import type { RunningServer } from '../src/server.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'

const SIZE = 128 * 1024 * 1024
let fixture: Fixture
let server: RunningServer

before(async () => {
  fixture = await makeTree({})
  // A sparse file: 128 MiB on the wire, nothing on disk.
  const file = await open(fixture.path('big.bin'), 'w')
  await file.truncate(SIZE)
  await file.close()
  server = await serve({ directory: fixture.dir })
})

after(async () => {
  await server.close()
  await fixture.cleanup()
})

const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length

async function until (condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await condition()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  assert.fail('condition never became true')
}

test('a 128 MiB download arrives whole while the server\'s memory stays flat', async () => {
  const before = process.memoryUsage().rss
  let peak = before
  const received = await new Promise<number>((resolve, reject) => {
    request(`${server.url}big.bin`, (res) => {
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-length'], String(SIZE))
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        peak = Math.max(peak, process.memoryUsage().rss)
      })
      res.on('end', () => resolve(bytes))
      res.on('error', reject)
    }).on('error', reject).end()
  })
  assert.equal(received, SIZE)
  // Buffered whole, the file alone would take 128 MiB; the rest is chunks the collector has not reached yet.
  assert.ok(peak - before < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MiB`)
})

test('a client that disconnects mid-download leaves no file open', async () => {
  const baseline = await openFiles()
  await new Promise<void>((resolve, reject) => {
    const req = request(`${server.url}big.bin`, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error) })
    req.end()
  })
  await until(async () => (await openFiles()) <= baseline)
})

test('a thousand downloads of a file too big for memory leave no file open', async () => {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(fixture.path('medium.bin'), Buffer.alloc(400 * 1024, 7))
  const baseline = await openFiles()
  const { get } = await import('./helpers/http.js')
  for (let batch = 0; batch < 100; batch++) {
    await Promise.all(Array.from({ length: 10 }, async () => {
      const res = await get(server.url, '/medium.bin')
      assert.equal(res.status, 200)
      assert.equal(res.body.length, 400 * 1024)
    }))
  }
  await until(async () => (await openFiles()) <= baseline)
})
