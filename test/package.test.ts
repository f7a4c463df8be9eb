// The package as npm ships it: packed, installed from the tarball into a fresh
// prefix (from npm's cache, no network), and run as the `servekit` command.
import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { runCommand, started } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { REPO } from './helpers/repo.js'

const run = promisify(execFile)
const ROOT = REPO + '/'

// npm passes its own settings to scripts as npm_config_*; the install below must
// not inherit `npm test`'s (a prefix, a global flag) from them.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
// The command's `#!/usr/bin/env node` then finds the Node running these tests.
env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`

interface PackResult { filename: string, files: Array<{ path: string }> }

let work: Fixture
let packed: PackResult
let servekit: string

before(async () => {
  work = await makeTree({ 'site/hello.txt': 'hello from the tarball\n', 'prefix/': null }, 'servekit-package-')
  // dist/ is already built by `npm test`'s pretest; `prepare` (which builds it) is
  // checked below, so building a second time here would only cost time.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work.dir], { cwd: ROOT, env, timeout: 60_000 })
  packed = (JSON.parse(stdout) as PackResult[])[0]!
  await run('npm', ['install', '--global', '--prefix', work.path('prefix'), '--prefer-offline', '--no-audit', '--no-fund', work.path(packed.filename)], { env, timeout: 120_000 })
  servekit = work.path('prefix', 'bin', 'servekit')
}, { timeout: 180_000 })

after(async () => { await work.cleanup() })

test('packing and git installs build dist/ first (prepare)', async () => {
  const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  assert.match(scripts.prepare ?? '', /npm run build/)
  assert.match(scripts.build ?? '', /\btsc\b/)
})

test('the tarball holds the built code, README and LICENSE, and nothing else of the checkout', () => {
  const files = packed.files.map((f) => f.path)
  for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/cli/servekit.js', 'dist/src/cli.js', 'dist/src/index.d.ts', 'dist/plugins/static/index.js', 'dist/routes/echo/index.js']) {
    assert.ok(files.includes(file), `${file} is packed`)
  }
  const stray = files.filter((file) => /^(src|plugins|routes|test|bench|dist\/test|dist\/bench|node_modules)\//.test(file) || file.endsWith('.map') ||
    (file.endsWith('.ts') && !file.endsWith('.d.ts')) || (file.startsWith('docs/') && !file.endsWith('.md')))
  assert.deepEqual(stray, [])
})

test('the installed command prints its version', async () => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  const { stdout } = await run(servekit, ['--version'], { env, timeout: 30_000 })
  assert.equal(stdout, `servekit ${version}\n`)
})

test('the installed command serves a folder', async () => {
  const server = runCommand(servekit, [work.path('site'), '0', '-b', '127.0.0.1', '--log-format', 'json'], env)
  after(() => server.child.kill('SIGKILL'))
  const port = await started(server)
  const response = await get(`http://127.0.0.1:${port}/`, '/hello.txt')
  assert.equal(response.status, 200)
  assert.equal(response.text, 'hello from the tarball\n')
})
