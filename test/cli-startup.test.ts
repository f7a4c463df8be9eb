// First contact at a terminal: the URLs to share, who asked for what, a QR code
// for phones, a browser opened on the served URL; and a folder as the argument.
import { strict as assert } from 'node:assert'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { prettyMessage } from '../src/logger.js'
import { openCommand } from '../src/open-browser.js'
import { qrTarget, qrText } from '../src/qr-code.js'
import { cliArgs, runCli, started } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { waitFor } from './helpers/wait.js'

let fixture: Fixture
before(async () => {
  fixture = await makeTree({
    'public/a.txt': 'from public',
    // Stands in for the platform's opener: records the arguments it was given.
    'bin/xdg-open': { content: '#!/bin/sh\nprintf "%s\\n" "$@" > "$OPENED"\n', mode: 0o755 },
    'empty-bin/': null
  })
})
after(async () => { await fixture.cleanup() })

test('the pretty start-up line is followed by the local URL and every network URL', () => {
  const text = prettyMessage({ msg: 'Serving HTTP on :: port 8000 (http://localhost:8000/) ...', url: 'http://localhost:8000/', port: 8000, network: ['http://192.168.1.20:8000/', 'http://[fd00::20]:8000/'] }, 'msg')
  assert.equal(text, [
    'Serving HTTP on :: port 8000 (http://localhost:8000/) ...',
    '  Local:   http://localhost:8000/',
    '  Network: http://192.168.1.20:8000/',
    '  Network: http://[fd00::20]:8000/'
  ].join('\n'))
})

test('a pretty request line starts with the client address, control characters escaped', () => {
  assert.equal(prettyMessage({ msg: 'GET /a.txt 200 0.4 ms', statusCode: 200, remoteAddress: '10.0.0.7' }, 'msg'), '10.0.0.7 GET /a.txt 200 0.4 ms')
  assert.equal(prettyMessage({ msg: 'x', statusCode: 200, remoteAddress: '\u001b[31m' }, 'msg'), '\\x1b[31m x')
  assert.equal(prettyMessage({ msg: 'something else' }, 'msg'), 'something else')
})

test('the QR code is of the first IPv4 network URL, else the first one; none without a network URL', () => {
  assert.equal(qrTarget(['http://[fd00::20]:8000/', 'http://192.168.1.20:8000/']), 'http://192.168.1.20:8000/')
  assert.equal(qrTarget(['https://[fd00::20]:8443/']), 'https://[fd00::20]:8443/')
  assert.equal(qrTarget([]), undefined)
  const text = qrText('http://192.168.1.20:8000/')
  assert.match(text, /^[█▀▄ ]+\n/)
  assert.ok(text.endsWith('\n  http://192.168.1.20:8000/\n'))
})

test('the browser is opened with an argument array, never a shell', () => {
  const url = 'http://localhost:8000/?a=1&b=$(reboot)'
  assert.deepEqual(openCommand(url, 'linux'), { command: 'xdg-open', args: [url] })
  assert.deepEqual(openCommand(url, 'darwin'), { command: 'open', args: [url] })
  assert.deepEqual(openCommand(url, 'win32'), { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] })
})

test('servekit FOLDER PORT serves that folder', async () => {
  const run = runCli([fixture.path('public'), '0', '-b', '127.0.0.1'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  assert.equal((await get(`http://127.0.0.1:${port}/`, '/a.txt')).text, 'from public')
})

test('an argument that is neither a folder nor a port: one line, exit 2', async () => {
  const { code, stderr, stdout } = await runCli(['share'], {}, fixture.dir).exited
  assert.equal(code, 2)
  assert.equal(stderr, 'servekit: "share" is neither a folder nor a port (see servekit --help)\n')
  assert.equal(stdout, '')
})

test('on a terminal format, the start-up shows the local URL and request lines show the client', async () => {
  const child = spawn(process.execPath, cliArgs([fixture.path('public'), '-b', '127.0.0.1', '--log-format', 'pretty', '0']), { env: { PATH: process.env.PATH } })
  after(() => child.kill('SIGKILL'))
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  await waitFor(() => /Local: {3}http:\/\/127\.0\.0\.1:\d+\//.test(stdout), 'the Local: line', 30_000)
  const port = Number(/Local: {3}http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)![1])
  await get(`http://127.0.0.1:${port}/`, '/a.txt')
  await waitFor(() => stdout.includes('127.0.0.1 GET /a.txt 200'), 'a request line naming the client', 30_000)
})

test('the JSON start-up line keeps its fields, network included', async () => {
  const run = runCli([fixture.path('public'), '-b', '127.0.0.1', '0'])
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  const [line] = run.logs()
  assert.deepEqual({ ...line, time: 0, pid: 0 }, {
    level: 30,
    time: 0,
    pid: 0,
    url: `http://127.0.0.1:${port}/`,
    port,
    address: '127.0.0.1',
    tls: false,
    network: [],
    msg: `Serving HTTP on 127.0.0.1 port ${port} (http://127.0.0.1:${port}/) ...`
  })
})

test('-o opens the served URL with the platform opener, as one argument', { skip: process.platform !== 'linux' && 'uses xdg-open' }, async () => {
  const opened = fixture.path('opened.txt')
  const run = runCli(['-d', fixture.path('public'), '-b', '127.0.0.1', '-o', '0'], { PATH: `${fixture.path('bin')}:${process.env.PATH ?? ''}`, OPENED: opened })
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  await waitFor(async () => (await readFile(opened, 'utf8').catch(() => '')).endsWith('\n'), 'the opener to run', 30_000)
  assert.equal(await readFile(opened, 'utf8'), `http://127.0.0.1:${port}/\n`)
})

test('-o without an opener is a one-line warning; the server keeps serving', async () => {
  const run = runCli(['-d', fixture.path('public'), '-b', '127.0.0.1', '--open', '0'], { PATH: fixture.path('empty-bin') })
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  await waitFor(() => run.stderr().includes('could not open a browser'), 'the warning', 30_000)
  assert.match(run.stderr(), /^servekit: warning: could not open a browser \(\S+: not found\); open http:\/\/127\.0\.0\.1:\d+\/ yourself\n$/)
  assert.equal((await get(`http://127.0.0.1:${port}/`, '/a.txt')).status, 200)
})

test('--qr with no network URL (a loopback bind) says why there is no code', async () => {
  const run = runCli(['-d', fixture.path('public'), '-b', '127.0.0.1', '--qr', '0'])
  after(() => run.child.kill('SIGKILL'))
  await started(run)
  await waitFor(() => run.stderr().includes('\n'), 'the note', 30_000)
  assert.match(run.stderr(), /^servekit: no network address to show as a QR code \(listening on http:\/\/127\.0\.0\.1:\d+\/ only\); try -b 0\.0\.0\.0\n$/)
})

const hasScript = spawnSync('script', ['--version']).status === 0

test('on a real terminal the log is pretty by default, with the URLs to share', { skip: !hasScript && 'needs script(1) for a pseudo-terminal' }, async () => {
  // script(1) gives the child a pseudo-terminal, as a person's shell would.
  const command = [process.execPath, ...cliArgs([fixture.path('public'), '-b', '127.0.0.1', '0'])].map((word) => `'${word}'`).join(' ')
  const child = spawn('script', ['-qfc', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'dumb' } })
  // script(1) starts the command in a session of its own: its process group is not
  // script's, so the server is found as script's child and ended by its pid.
  after(() => {
    const children = readFileSync(`/proc/${child.pid!}/task/${child.pid!}/children`, { encoding: 'utf8', flag: 'r' }).trim().split(/\s+/).filter((pid) => pid !== '')
    for (const pid of [...children.map(Number), child.pid!]) try { process.kill(pid, 'SIGKILL') } catch {}
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  await waitFor(() => /Local: {3}http:\/\/127\.0\.0\.1:\d+\//.test(output), 'the Local: line on the terminal', 30_000)
  assert.match(output, /INFO.*Serving HTTP on 127\.0\.0\.1 port \d+/)
  assert.ok(!output.includes('"msg"'), 'no JSON on a terminal')
})

test('with --workers, -o opens the URL once every worker listens', { skip: process.platform !== 'linux' && 'uses xdg-open' }, async () => {
  const opened = fixture.path('opened-workers.txt')
  const run = runCli(['-d', fixture.path('public'), '-b', '127.0.0.1', '--workers', '2', '-o', '0'], { PATH: `${fixture.path('bin')}:${process.env.PATH ?? ''}`, OPENED: opened })
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  await waitFor(async () => (await readFile(opened, 'utf8').catch(() => '')).endsWith('\n'), 'the opener to run', 30_000)
  assert.equal(await readFile(opened, 'utf8'), `http://127.0.0.1:${port}/\n`)
})
