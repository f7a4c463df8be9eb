// Node's compile cache for the command (src/compile-cache.ts): kept in the user's own
// cache folder, written once the server listens (a killed server never exits to write
// it), read by the next start, off when Node's switch says so, and never a reason to
// refuse a start. Node 20 has no compile cache and the source run no bundle: the
// start cases are skipped there, the folder rule is not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import nodeModule from 'node:module'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { compileCacheDir } from '../src/compile-cache.js'
import { makeTree } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { runCli, started } from './helpers/cli.js'
import { FROM_SOURCE } from './helpers/repo.js'

const HAS_CACHE = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function'
const skip = FROM_SOURCE ? 'the source run has no bundle' : HAS_CACHE ? false : `Node ${process.version} has no compile cache`

test('the cache folder is under XDG_CACHE_HOME when it is absolute, else under ~/.cache', () => {
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/me'), '/var/cache/me/servekit/node-compile-cache')
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/me'), '/home/me/.cache/servekit/node-compile-cache')
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: '' }, '/home/me'), '/home/me/.cache/servekit/node-compile-cache')
  assert.equal(compileCacheDir({}, '/home/me'), '/home/me/.cache/servekit/node-compile-cache')
})

/** Files in the cache folder's per-Node-version folders; none when it is not there. */
async function cachedFiles (dir: string): Promise<string[]> {
  const versions = await readdir(dir).catch(() => [])
  const files = await Promise.all(versions.map(async (version) => (await readdir(join(dir, version))).map((file) => join(version, file))))
  return files.flat()
}

async function serveOnce (env: NodeJS.ProcessEnv, site: string, whileUp: () => Promise<void> = async () => {}): Promise<string> {
  const run = runCli(['-d', site, '-b', '127.0.0.1', '0'], env)
  const port = await started(run)
  assert.equal((await get(`http://127.0.0.1:${port}`, '/a.txt')).status, 200)
  await whileUp()
  run.child.kill('SIGTERM')
  const exited = await run.exited
  assert.equal(exited.code, 0, exited.stderr)
  return exited.stderr
}

test('a start writes the cache to the user folder while it runs, and the next start reads it', { skip }, async () => {
  const fixture = await makeTree({ 'site/a.txt': 'a', 'home/.keep': '' })
  try {
    const home = join(fixture.dir, 'home')
    const dir = compileCacheDir({}, home)
    // Written after listening, not only at exit: polled for while the server is still up.
    await serveOnce({ HOME: home }, join(fixture.dir, 'site'), async () => {
      const deadline = Date.now() + 20_000
      while ((await cachedFiles(dir)).length === 0) {
        assert.ok(Date.now() < deadline, `no compile cache in ${dir} while the server runs`)
        await new Promise((resolve) => setImmediate(resolve))
      }
    })
    assert.ok((await stat(dir)).isDirectory())
    const stderr = await serveOnce({ HOME: home, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, join(fixture.dir, 'site'))
    assert.match(stderr, /cache for file:\/\/\S+\/dist\/cli\/\S+\.js was accepted/)
  } finally {
    await fixture.cleanup()
  }
})

test('NODE_DISABLE_COMPILE_CACHE=1 keeps it off', { skip }, async () => {
  const fixture = await makeTree({ 'site/a.txt': 'a', 'home/.keep': '' })
  try {
    const home = join(fixture.dir, 'home')
    await serveOnce({ HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' }, join(fixture.dir, 'site'))
    assert.deepEqual(await cachedFiles(compileCacheDir({}, home)), [])
  } finally {
    await fixture.cleanup()
  }
})

test('a cache folder that cannot be made still starts and serves, and says nothing', { skip }, async () => {
  // HOME is a file: nothing can be made under it.
  const fixture = await makeTree({ 'site/a.txt': 'a', 'home-file': 'not a folder' })
  try {
    const stderr = await serveOnce({ HOME: join(fixture.dir, 'home-file') }, join(fixture.dir, 'site'))
    assert.equal(stderr, '')
  } finally {
    await fixture.cleanup()
  }
})
