// The CGI flags and options: parsed from the command line, validated once.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { helpText, parseCli } from '../src/args.js'
import { OptionError } from '../src/errors.js'
import { resolveOptions } from '../src/options.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { runCli } from './helpers/cli.js'

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'site/cgi-bin': null, scripts: null, bare: null }) })
after(async () => { await fixture.cleanup() })

const cli = { env: { PATH: '/opt/bin:/bin', LANG: 'C.UTF-8', HOME: '/root', HTTP_PROXY: 'http://proxy:3128' }, isTTY: false }

function serveOptions (argv: string[]): Record<string, unknown> {
  const command = parseCli(argv, cli)
  assert.equal(command.kind, 'serve')
  return command.kind === 'serve' ? command.options as Record<string, unknown> : {}
}

test('--cgi and its flags map to options, with PATH and locale passed on to scripts', () => {
  const options = serveOptions(['--cgi', '--cgi-dir', 'scripts', '--cgi-timeout', '2.5', '--cgi-max-concurrent', '4', '--cgi-queue', '0'])
  assert.equal(options.cgi, true)
  assert.equal(options.cgiDir, 'scripts')
  assert.equal(options.cgiTimeout, 2.5)
  assert.equal(options.cgiMaxConcurrent, 4)
  assert.equal(options.cgiQueue, 0)
  assert.deepEqual(options.cgiEnv, { PATH: '/opt/bin:/bin', LANG: 'C.UTF-8' })
})

test('without --cgi, CGI stays off', () => {
  const options = serveOptions([])
  assert.equal(options.cgi, undefined)
  assert.equal(options.cgiEnv, undefined)
})

test('a CGI number that is not a number is a usage error naming the flag', () => {
  assert.throws(() => parseCli(['--cgi', '--cgi-timeout', 'soon'], cli), (error: unknown) =>
    error instanceof OptionError && error.message === '--cgi-timeout "soon" must be a number of seconds above 0 and at most 86400')
  assert.throws(() => parseCli(['--cgi', '--cgi-max-concurrent', '2.5'], cli), /--cgi-max-concurrent "2.5" must be a whole number from 1 to 10000/)
})

test('--help lists the CGI flags', () => {
  const help = helpText()
  for (const flag of ['--cgi ', '--cgi-dir DIR', '--cgi-timeout SECONDS', '--cgi-max-concurrent N', '--cgi-queue N']) assert.ok(help.includes(flag), flag)
})

test('cgi defaults: <directory>/cgi-bin, 60 s, 32 running, 256 waiting', async () => {
  const resolved = await resolveOptions({ directory: fixture.path('site'), cgi: true })
  assert.deepEqual(resolved.cgi, {
    dir: fixture.path('site', 'cgi-bin'),
    timeout: 60_000,
    maxConcurrent: 32,
    queue: 256,
    maxBody: 1024 ** 3,
    stderrMax: 64 * 1024,
    maxMemory: 0,
    maxCpu: 0,
    maxProcesses: 0,
    env: undefined,
    spawner: true,
    accelerator: true
  })
})

test('--no-cgi-accelerator: scripts start without servekit-spawn', async () => {
  const resolved = await resolveOptions({ directory: fixture.path('site'), cgi: true, cgiAccelerator: false })
  assert.equal(resolved.cgi?.accelerator, false)
  assert.equal(resolved.cgi?.spawner, true)
})

test('--no-cgi-spawner: scripts start with Node\'s spawn', async () => {
  assert.equal((await resolveOptions({ directory: fixture.path('site'), cgi: true, cgiSpawner: false })).cgi?.spawner, false)
  await assert.rejects(resolveOptions({ directory: fixture.path('site'), cgiSpawner: false }), /cgiSpawner only applies with cgi on/)
})

test('cgiDir may point anywhere', async () => {
  const resolved = await resolveOptions({ directory: fixture.path('bare'), cgi: true, cgiDir: fixture.path('scripts') })
  assert.equal(resolved.cgi?.dir, fixture.path('scripts'))
})

test('--cgi without a cgi-bin folder says how to fix it', async () => {
  await assert.rejects(resolveOptions({ directory: fixture.path('bare'), cgi: true }), (error: unknown) =>
    error instanceof OptionError && /cgi needs a folder of scripts: .*bare\/cgi-bin does not exist; create it or pass --cgi-dir/.test(error.message))
})

test('a missing --cgi-dir is refused', async () => {
  await assert.rejects(resolveOptions({ directory: fixture.dir, cgi: true, cgiDir: fixture.path('nope') }), /cgiDir .*nope does not exist/)
})

test('CGI options without cgi are refused rather than ignored', async () => {
  await assert.rejects(resolveOptions({ directory: fixture.dir, cgiDir: fixture.path('scripts') }), /cgiDir only applies with cgi on/)
  await assert.rejects(resolveOptions({ directory: fixture.dir, cgiTimeout: 5 }), /cgiTimeout only applies with cgi on/)
})

test('out-of-range CGI numbers are refused', async () => {
  const base = { directory: fixture.path('site'), cgi: true }
  await assert.rejects(resolveOptions({ ...base, cgiTimeout: 0 }), /cgiTimeout must be a number of seconds above 0/)
  await assert.rejects(resolveOptions({ ...base, cgiMaxConcurrent: 0 }), /cgiMaxConcurrent must be a whole number from 1/)
  await assert.rejects(resolveOptions({ ...base, cgiQueue: -1 }), /cgiQueue must be a whole number from 0/)
})

test('the CLI reports a missing cgi folder in one line and exits 2', async () => {
  const run = runCli(['--cgi', '-d', fixture.path('bare'), '0'])
  const { code, stderr } = await run.exited
  assert.equal(code, 2)
  assert.match(stderr, /^servekit: cgi needs a folder of scripts: .* create it or pass --cgi-dir\n$/)
})

test('with --cgi-dir elsewhere, the served folder\'s own cgi-bin is not served as files either', async () => {
  const { writeFile } = await import('node:fs/promises')
  const { serve } = await import('./helpers/server.js')
  const { get } = await import('./helpers/http.js')
  await writeFile(fixture.path('site', 'cgi-bin', 'secret.sh'), '#!/bin/sh\necho SOURCE\n')
  const server = await serve({ directory: fixture.path('site'), cgi: true, cgiDir: fixture.path('scripts') })
  after(async () => { await server.close() })
  for (const path of ['/cgi-bin%2Fsecret.sh', '/cgi-bin%2fsecret.sh', '//cgi-bin/secret.sh', '/x/../cgi-bin/secret.sh']) {
    const res = await get(server.url, path)
    assert.notEqual(res.status, 200, path)
    assert.doesNotMatch(res.text, /SOURCE/, path)
  }
})
