// What a plain start of the bundled command loads: the stand-ins scripts/bundle-cli.mjs
// puts in place of Fastify's eager node:http2 and node:https requires must hold, or every
// start pays for HTTP/2 and TLS again (~15-25 ms). The source run has no bundle: skipped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTree } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { runCli, started } from './helpers/cli.js'
import { FROM_SOURCE } from './helpers/repo.js'
import { httpsGet } from './helpers/tls.js'

// Preloaded into the CLI: at exit, the built-in modules it loaded, one per line.
const RECORDER = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.LOADED_LIST, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).join('\\n'))
})
`

async function loadedBy (args: string[]): Promise<string[]> {
  const fixture = await makeTree({ 'site/a.txt': 'a', 'recorder.cjs': RECORDER })
  try {
    const list = join(fixture.dir, 'loaded.txt')
    const run = runCli([...args, '-d', join(fixture.dir, 'site'), '-b', '127.0.0.1', '0'], {
      NODE_OPTIONS: `--require ${join(fixture.dir, 'recorder.cjs')}`,
      LOADED_LIST: list,
      XDG_CONFIG_HOME: join(fixture.dir, 'config')
    })
    const port = await started(run)
    const answer = args.includes('--tls')
      ? await httpsGet(port, '/a.txt', { rejectUnauthorized: false })
      : await get(`http://127.0.0.1:${port}`, '/a.txt')
    assert.equal(answer.status, 200)
    run.child.kill('SIGTERM')
    assert.equal((await run.exited).code, 0)
    return (await readFile(list, 'utf8')).split('\n').map((line) => line.slice('NativeModule '.length))
  } finally {
    await fixture.cleanup()
  }
}

test('a plain HTTP start loads neither node:http2 nor node:https nor node:tls', { skip: FROM_SOURCE && 'the stand-ins exist only in the bundle' }, async () => {
  const loaded = await loadedBy([])
  assert.ok(loaded.includes('http'), 'the recorder saw the modules loaded')
  for (const name of ['http2', 'https', 'tls']) assert.ok(!loaded.includes(name), `${name} was loaded`)
})

test('with --tls, node:https is loaded where Fastify asks for it', { skip: FROM_SOURCE && 'the stand-ins exist only in the bundle' }, async () => {
  const loaded = await loadedBy(['--tls'])
  assert.ok(loaded.includes('https'))
  assert.ok(!loaded.includes('http2'), 'http2 was loaded')
})
