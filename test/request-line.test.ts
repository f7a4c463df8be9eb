// One line per request, also when the client hangs up before a streamed body ends.
import { strict as assert } from 'node:assert'
import { open } from 'node:fs/promises'
import { request } from 'node:http'
import { after, test } from 'node:test'
import { makeTree } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import { captureLog } from './helpers/tls.js'

test('a client that hangs up mid-download still gets its request line, with its address', async () => {
  const fixture = await makeTree({})
  const file = await open(fixture.path('big.bin'), 'w')
  await file.truncate(8 * 1024 * 1024)
  await file.close()
  const { logger, entries } = captureLog()
  const server = await serve({ directory: fixture.dir, logger })
  after(async () => { await server.close(); await fixture.cleanup() })

  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/big.bin', agent: false }, (res) => {
      res.once('data', () => { req.destroy(); resolve() })
    })
    req.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error) })
    req.end()
  })
  // The server sees the hang-up on a later turn of its event loop; bounded.
  for (let turn = 0; turn < 10_000 && !entries.some((e) => e.url === '/big.bin'); turn++) await new Promise(setImmediate)

  const lines = entries.filter((e) => e.url === '/big.bin')
  assert.equal(lines.length, 1)
  assert.equal(lines[0]?.statusCode, 200)
  assert.equal(lines[0]?.remoteAddress, '127.0.0.1')
  assert.ok(!entries.some((e) => e.msg === 'stream closed prematurely'))
})
