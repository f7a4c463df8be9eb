// The servekit command as a user meets it: start-up line, exit codes, one-line errors.
import { strict as assert } from 'node:assert'
import { createServer, type Server } from 'node:net'
import { networkInterfaces } from 'node:os'
import { after, before, test } from 'node:test'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { runCli, started } from './helpers/cli.js'
import { FROM_SOURCE } from './helpers/repo.js'

let fixture: Fixture

before(async () => { fixture = await makeTree({ 'a.txt': 'hello' }) })
after(async () => { await fixture.cleanup() })

function assertOneLine (stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`)
  assert.match(lines[0]!, pattern)
  assert.ok(!/\n\s+at /.test(stderr), 'no stack trace')
}

const hasIPv6 = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6'))

test('the start-up line says what was bound, and the server answers', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  const [line] = run.logs()
  assert.equal(line?.msg, `Serving HTTP on 127.0.0.1 port ${port} (http://127.0.0.1:${port}/) ...`)
  assert.equal(line?.url, `http://127.0.0.1:${port}/`)
  assert.equal(line?.address, '127.0.0.1')
  assert.equal(line?.tls, false)
  assert.equal(line?.level, 30)
  assert.equal((await get(`http://127.0.0.1:${port}/`, '/a.txt')).text, 'hello')
})

test('by default it listens on IPv6 and IPv4 at once', { skip: !hasIPv6 && 'no IPv6 on this machine' }, async () => {
  const run = runCli(['-d', fixture.dir, '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  assert.equal(run.logs()[0]?.address, '::')
  assert.equal(run.logs()[0]?.url, `http://localhost:${port}/`)
  assert.equal((await get(`http://127.0.0.1:${port}/`, '/a.txt')).status, 200)
  assert.equal((await get(`http://[::1]:${port}/`, '/a.txt')).status, 200)
})

test('$PORT sets the port', async () => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1'], { PORT: String(port) })
  after(() => run.child.kill('SIGKILL'))
  assert.equal(await started(run), port)
})

test('one request is one log line, with method, url, status, time and client', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  await get(`http://127.0.0.1:${port}/`, '/a.txt?x=1', { headers: { cookie: 'session=SECRETCOOKIE', authorization: 'Basic SECRETAUTH' } })
  const line = await run.waitForLog((e) => e.url === '/a.txt?x=1')
  assert.equal(line.method, 'GET')
  assert.equal(line.statusCode, 200)
  assert.equal(typeof line.responseTime, 'number')
  assert.equal(line.remoteAddress, '127.0.0.1')
  assert.equal(line.msg, `GET /a.txt?x=1 200 ${String(line.responseTime)} ms`)
  await get(`http://127.0.0.1:${port}/`, '/missing')
  await run.waitForLog((e) => e.url === '/missing' && e.statusCode === 404)
  const all = JSON.stringify(run.logs())
  assert.ok(!all.includes('SECRETCOOKIE') && !all.includes('SECRETAUTH'), 'cookies and credentials are never logged')
  assert.equal(run.logs().filter((e) => e.reqId === line.reqId).length, 1)
  assert.equal(run.logs().filter((e) => typeof e.url === 'string' && e.url.startsWith('/missing')).length, 1)
})

test('--help prints usage and exits 0; -V prints the version', async () => {
  const help = await runCli(['--help']).exited
  assert.equal(help.code, 0)
  assert.match(help.stdout, /^Usage: servekit \[options\] \[folder\] \[port\]/)
  assert.match(help.stdout, /-d, --directory DIR/)
  const version = await runCli(['-V']).exited
  assert.equal(version.code, 0)
  assert.match(version.stdout, /^servekit \d+\.\d+\.\d+\n$/)
})

test('an unknown flag is one line on stderr and exit 2', async () => {
  const { code, stderr, stdout } = await runCli(['--bogus']).exited
  assert.equal(code, 2)
  assertOneLine(stderr, /^servekit: unknown option --bogus \(see servekit --help\)$/)
  assert.equal(stdout, '')
})

test('a bad port is exit 2', async () => {
  const { code, stderr } = await runCli(['70000']).exited
  assert.equal(code, 2)
  assertOneLine(stderr, /^servekit: port "70000" must be a whole number from 0 to 65535$/)
})

test('a missing folder is exit 2', async () => {
  const { code, stderr } = await runCli(['-d', fixture.path('nope'), '0']).exited
  assert.equal(code, 2)
  assertOneLine(stderr, /^servekit: -d .*nope does not exist$/)
})

test('a file given as the folder is exit 2', async () => {
  const { code, stderr } = await runCli(['-d', fixture.path('a.txt'), '0']).exited
  assert.equal(code, 2)
  assertOneLine(stderr, /is not a folder$/)
})

test('a port in use is one line, exit 1, with a suggestion', async () => {
  const busy: Server = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  after(() => busy.close())
  const { port } = busy.address() as { port: number }
  const { code, stderr } = await runCli(['-d', fixture.dir, '-b', '127.0.0.1', String(port)]).exited
  assert.equal(code, 1)
  assertOneLine(stderr, new RegExp(`^servekit: port ${port} is already in use on 127\\.0\\.0\\.1; try another port, e\\.g\\. \`servekit ${port + 1}\`, or \`servekit 0\` for any free port$`))
})

test('a privileged port without privileges is one line, exit 1', async (t) => {
  // As root, run the CLI as nobody so the kernel refuses port 80 as it would for a user.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
  const { spawn } = await import('node:child_process')
  const { cliArgs } = await import('./helpers/cli.js')
  // A Node from `npx node@24` lives under root's home, where nobody cannot run it;
  // the refusal is the kernel's, the same on every Node, so the PATH's node does.
  const { spawnSync } = await import('node:child_process')
  const runnable = process.getuid?.() !== 0 || spawnSync(process.execPath, ['-e', ''], asNobody).status === 0
  // The PATH's node may not strip types: from source, this needs a Node nobody can run.
  if (!runnable && FROM_SOURCE) return t.skip('from source as root: no type-stripping Node that nobody may run')
  const child = spawn(runnable ? process.execPath : 'node', cliArgs(['-d', fixture.dir, '-b', '127.0.0.1', '80']), { ...asNobody, env: { PATH: process.env.PATH } })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const code = await new Promise((resolve) => child.on('close', resolve))
  assert.equal(code, 1)
  assertOneLine(stderr, /^servekit: port 80 is privileged and needs root; use a port from 1024 up, e\.g\. `servekit 8000`$/)
})

test('an address that is not on this machine is one line, exit 1', async () => {
  const { code, stderr } = await runCli(['-d', fixture.dir, '-b', '192.0.2.123', '0']).exited
  assert.equal(code, 1)
  assertOneLine(stderr, /^servekit: cannot listen on 192\.0\.2\.123: it is not an address of this machine$/)
})

test('--log-format pretty prints readable lines instead of JSON', async () => {
  const { spawn } = await import('node:child_process')
  const { cliArgs } = await import('./helpers/cli.js')
  const child = spawn(process.execPath, cliArgs(['-d', fixture.dir, '-b', '127.0.0.1', '--log-format', 'pretty', '0']), { env: { PATH: process.env.PATH } })
  let stdout = ''
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.includes('Serving HTTP on')) resolve()
    })
  })
  child.kill('SIGTERM')
  await new Promise((resolve) => child.on('close', resolve))
  const line = stdout.split('\n').find((l) => l.includes('Serving HTTP on')) ?? ''
  assert.match(line, /INFO.*Serving HTTP on 127\.0\.0\.1 port \d+ \(http:\/\/127\.0\.0\.1:\d+\/\) \.\.\./)
  assert.throws(() => JSON.parse(line))
})
