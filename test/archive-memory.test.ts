// A folder of 10,000 files and a 64 MiB file downloaded as a zip: the server (in
// this process) never holds more than a few descriptors more than before, the memory
// it keeps alive stays far below the archive's size, and the zip is complete (its end
// record counts every entry). A server that opened every file at once would show
// 10,000 descriptors (or run out); one that built the zip in memory, 64 MiB and more.
// Memory is measured right after a full garbage collection: what is live, not the
// collector's pace (which let RSS run 60-100 MiB ahead on this download). Everything
// is stored, not deflated: Node 24.15 and later keep each zlib stream's buffers
// (some 20 KiB) out of the collector's reach (nodejs/node#65600), which would
// measure Node, not the archive; deflated entries are checked in archive.test.ts.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { truncate } from 'node:fs/promises'
import { request } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { after, before, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import { folderArchive } from '../plugins/archive/index.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { openDescriptors } from './helpers/descriptors.js'

const FOLDERS = 100
const FILES_PER_FOLDER = 100
const BIG = 64 * 1024 * 1024
// yazl's record of each entry (for the central directory) and chunks in flight; the zip is over 64 MiB.
const LIVE_GROWTH_MAX = 48 * 1024 * 1024
// The client's socket, the server's, the file being read, a folder being listed, and spare.
const DESCRIPTORS_MORE_MAX = 6

let fixture: Fixture
let app: FastifyInstance
let port: number

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** Memory in use once the garbage is collected: the heap and every buffer. */
function liveMemory (): number {
  // Twice: one collection may leave dead buffers' memory to the next (seen on Node 20).
  collectGarbage()
  collectGarbage()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

before(async () => {
  fixture = await makeTree({ 'many/big.mkv': '' })
  const line = Buffer.alloc(1024, 'servekit archive memory test\n')
  for (let folder = 0; folder < FOLDERS; folder++) {
    const dir = fixture.path('many', `f${folder}`)
    mkdirSync(dir)
    for (let file = 0; file < FILES_PER_FOLDER; file++) writeFileSync(`${dir}/${file}.txt`, line)
  }
  // Sparse: read in full, nothing on disk.
  await truncate(fixture.path('many/big.mkv'), BIG)
  app = Fastify()
  await app.register(staticFiles, { root: fixture.dir, cache: false, archive: folderArchive({ compressionLevel: 0 }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  port = (app.server.address() as { port: number }).port
})

after(async () => {
  await app.close()
  await fixture.cleanup()
})

interface Seen { bytes: number, tail: Buffer, descriptorsMax: number, liveMax: number }

async function downloadWatching (): Promise<Seen> {
  return await new Promise((resolve, reject) => {
    const seen: Seen = { bytes: 0, tail: Buffer.alloc(0), descriptorsMax: 0, liveMax: 0 }
    let chunks = 0
    let sampledAt = 0
    request({ host: '127.0.0.1', port, path: '/many/?download=zip', agent: false }, (res) => {
      assert.equal(res.statusCode, 200)
      res.on('data', (chunk: Buffer) => {
        seen.bytes += chunk.length
        seen.tail = Buffer.concat([seen.tail, chunk]).subarray(-22)
        // Reading /proc on every chunk would slow the download more than it tells.
        if (chunks++ % 8 === 0) seen.descriptorsMax = Math.max(seen.descriptorsMax, openDescriptors())
        // Two full collections cost tens of milliseconds: once per 4 MiB received.
        if (seen.bytes >= sampledAt + 4 * 1024 * 1024) {
          sampledAt = seen.bytes
          seen.liveMax = Math.max(seen.liveMax, liveMemory())
        }
      })
      res.on('error', reject)
      res.on('end', () => { resolve(seen) })
    }).on('error', reject).end()
  })
}

test('a zip of 10,000 files and a 64 MiB one: a few descriptors, live memory far below its size, every entry in it', async () => {
  const descriptors = openDescriptors()
  const live = liveMemory()
  const seen = await downloadWatching()
  assert.ok(seen.bytes > BIG, `the archive is ${seen.bytes} bytes`)
  // End of central directory: its signature, then (at 10) the number of entries.
  assert.equal(seen.tail.readUInt32LE(0), 0x06054b50)
  assert.equal(seen.tail.readUInt16LE(10), FOLDERS * FILES_PER_FOLDER + FOLDERS + 2)
  assert.ok(seen.descriptorsMax - descriptors <= DESCRIPTORS_MORE_MAX, `descriptors went from ${descriptors} to ${seen.descriptorsMax}`)
  assert.ok(seen.liveMax - live <= LIVE_GROWTH_MAX, `live memory grew by ${((seen.liveMax - live) / 1048576).toFixed(1)} MiB`)
})
