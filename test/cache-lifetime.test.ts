// -c/--cache SECONDS: how long caches may reuse a file without asking. Files carry
// it (200, 304 and ranges alike); listings keep their own headers.
import { strict as assert } from 'node:assert'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { parseCli } from '../src/args.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
const apps: FastifyInstance[] = []

before(async () => {
  fixture = await makeTree({ 'a.txt': 'hello', 'big.bin': 'x'.repeat(100 * 1024), 'docs/b.txt': 'b' })
})
after(async () => {
  for (const app of apps) await app.close()
  await fixture.cleanup()
})

async function app (cache?: number): Promise<FastifyInstance> {
  const made = await buildApp({ directory: fixture.dir, logLevel: 'silent', ...(cache === undefined ? {} : { cache }) })
  apps.push(made)
  return made
}

test('by default a file may be stored but is revalidated before reuse (no-cache)', async () => {
  const res = await (await app()).inject({ url: '/a.txt' })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'public, no-cache')
})

test('cache: 3600 gives files max-age=3600, small, streamed, ranged and 304 alike', async () => {
  const served = await app(3600)
  const small = await served.inject({ url: '/a.txt' })
  assert.equal(small.headers['cache-control'], 'public, max-age=3600')
  assert.equal((await served.inject({ url: '/big.bin' })).headers['cache-control'], 'public, max-age=3600')
  const ranged = await served.inject({ url: '/big.bin', headers: { range: 'bytes=0-9' } })
  assert.equal(ranged.statusCode, 206)
  assert.equal(ranged.headers['cache-control'], 'public, max-age=3600')
  const again = await served.inject({ url: '/a.txt', headers: { 'if-none-match': String(small.headers.etag) } })
  assert.equal(again.statusCode, 304)
  assert.equal(again.headers['cache-control'], 'public, max-age=3600')
})

test('a listing does not take the files\' lifetime', async () => {
  const res = await (await app(3600)).inject({ url: '/docs/', headers: { accept: 'text/html' } })
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(String(res.headers['cache-control'] ?? ''), /max-age=3600/)
})

test('-c and SERVEKIT_CACHE set it; a negative or fractional value is refused naming the flag', () => {
  const cli = (argv: string[], env: NodeJS.ProcessEnv = {}): unknown => {
    const command = parseCli(argv, { env, isTTY: false, isDirectory: () => false })
    return command.kind === 'serve' ? command.options.cache : undefined
  }
  assert.equal(cli(['-c', '600']), 600)
  assert.equal(cli(['--cache=0']), 0)
  assert.equal(cli([], { SERVEKIT_CACHE: '60' }), 60)
  assert.throws(() => cli(['--cache', '1.5']), /^OptionError: --cache "1\.5" must be a whole number from 0 to 31536000$/)
  assert.throws(() => cli(['-c', 'soon']), /-c "soon" must be/)
})

test('buildApp refuses a cache lifetime out of bounds', async () => {
  await assert.rejects(buildApp({ directory: fixture.dir, logLevel: 'silent', cache: -1 }), /cache must be a whole number from 0 to 31536000/)
})
