// Per-script resource limits (off by default), the body and stderr limits as flags,
// and the sizes those flags take.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { launchOf, NO_LIMITS, prlimitArguments } from '../plugins/cgi/limits.js'
import { formatSize, parseSize } from '../src/size.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { exchange, get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { runCli, started } from './helpers/cli.js'
import { sh } from './helpers/cgi.js'
import { memoryLog } from './helpers/log.js'
import type { RunningServer } from '../src/server.js'

describe('sizes', () => {
  test('bytes, or K, M, G, T as powers of 1024, with an optional B or iB', () => {
    assert.deepEqual(['65536', '64K', '64k', '64KiB', '1.5M', '1G', '2TB', ' 8 K '].map(parseSize),
      [65536, 65536, 65536, 65536, 1.5 * 1024 ** 2, 1024 ** 3, 2 * 1024 ** 4, 8192])
  })

  test('anything else is not a size', () => {
    for (const text of ['', 'K', '-1', '1Q', '1.2.3', '0x10', '1 G B']) assert.ok(Number.isNaN(parseSize(text)), text)
  })

  test('shown in the shortest exact form', () => {
    assert.deepEqual([65536, 1024 ** 3, 1000, 0, 1536].map(formatSize), ['64K', '1G', '1000', '0', '1536'])
  })
})

describe('prlimit arguments', () => {
  test('none without limits: the script is started itself', () => {
    assert.equal(prlimitArguments(NO_LIMITS), undefined)
    const plan = { command: '/usr/bin/perl', args: ['-w', '/s/x.cgi'], argv0: '/usr/bin/perl' }
    assert.deepEqual(launchOf(plan, NO_LIMITS, '/usr/bin/prlimit'), plan)
  })

  test('each limit soft and hard alike, CPU with a hard limit a second later', () => {
    const plan = { command: '/usr/bin/perl', args: ['-w', '/s/x.cgi'], argv0: '/usr/bin/perl' }
    assert.deepEqual(launchOf(plan, { memory: 1024, cpu: 5, processes: 40 }, '/usr/bin/prlimit'),
      { command: '/usr/bin/prlimit', args: ['--data=1024', '--cpu=5:6', '--nproc=40', '--', '/usr/bin/perl', '-w', '/s/x.cgi'], argv0: '/usr/bin/prlimit' })
    assert.deepEqual(prlimitArguments({ ...NO_LIMITS, cpu: 1 }), ['--cpu=1:2'])
  })
})

const TREE = {
  'cgi-bin/limits.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
echo "argv0=$0"
echo "cwd=$(pwd)"
echo "file=$SCRIPT_FILENAME"
grep -E '^Max (data size|cpu time|processes) ' /proc/self/limits`),
  // Doubles a string until an allocation fails.
  'cgi-bin/hog.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
awk 'BEGIN { s = "x"; while (length(s) < 1073741824) s = s s; print "allocated" }' 2>/dev/null
echo "awk exited $?"`),
  'cgi-bin/spin.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
while :; do :; done`),
  'cgi-bin/wc.sh': sh(`printf 'Content-Type: text/plain\\n\\n'; wc -c | tr -d ' '`),
  'cgi-bin/noisy.sh': sh(`yes 'noise' | head -c 5000 >&2
printf 'Content-Type: text/plain\\n\\nok'`)
}

/** The three limits' soft and hard values, as /proc/self/limits shows them. */
function limitsIn (text: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const match of text.matchAll(/^Max (data size|cpu time|processes)\s+(\S+)\s+(\S+)/gm)) found[match[1]!] = `${match[2]} ${match[3]}`
  return found
}

describe('resource limits per script', { skip: process.platform !== 'linux' }, () => {
  let fixture: Fixture
  let plain: RunningServer
  let limited: RunningServer
  const log = memoryLog()
  before(async () => {
    fixture = await makeTree(TREE)
    plain = await serve({ directory: fixture.dir, cgi: true })
    limited = await serve({ directory: fixture.dir, cgi: true, cgiMaxMemory: 64 * 1024 ** 2, cgiMaxCpu: 1, cgiMaxProcesses: 500, cgiTimeout: 30, logger: log.logger })
  })
  after(async () => {
    await plain.close()
    await limited.close()
    await fixture.cleanup()
  })

  test('off by default: a script has the limits servekit has', async () => {
    const own = limitsIn(await readFile('/proc/self/limits', 'utf8'))
    assert.deepEqual(limitsIn((await get(plain.url, '/cgi-bin/limits.sh')).text), own)
  })

  test('set, each shows in the script\'s /proc/self/limits, soft and hard', async () => {
    const res = await get(limited.url, '/cgi-bin/limits.sh')
    assert.deepEqual(limitsIn(res.text), { 'data size': '67108864 67108864', 'cpu time': '1 2', processes: '500 500' })
  })

  test('a limited script sees the same argv, folder and SCRIPT_FILENAME as an unlimited one', async () => {
    const lines = (text: string): string[] => text.split('\n').filter((line) => /^(argv0|cwd|file)=/.test(line))
    const unlimited = lines((await get(plain.url, '/cgi-bin/limits.sh')).text)
    assert.deepEqual(lines((await get(limited.url, '/cgi-bin/limits.sh')).text), unlimited)
    assert.deepEqual(unlimited, [`argv0=${fixture.path('cgi-bin', 'limits.sh')}`, `cwd=${fixture.path('cgi-bin')}`, `file=${fixture.path('cgi-bin', 'limits.sh')}`])
  })

  test('memory: an allocation past the limit fails in the script, which answers', async () => {
    const res = await get(limited.url, '/cgi-bin/hog.sh')
    assert.equal(res.status, 200)
    assert.match(res.text, /^awk exited [1-9]\d*\n$/)
  })

  test('CPU: a script spinning past its CPU seconds is ended by SIGXCPU', async () => {
    const res = await get(limited.url, '/cgi-bin/spin.sh')
    // Its header block went out before the limit struck: the response is cut short, not replaced.
    assert.equal(res.status, 200)
    await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/spin.sh: ended by SIGXCPU')
  })
})

describe('the flags', () => {
  let fixture: Fixture
  before(async () => { fixture = await makeTree(TREE) })
  after(async () => { await fixture.cleanup() })

  test('--cgi-max-body and --cgi-stderr-max take sizes; the limits show in --help', async () => {
    const run = runCli(['--cgi', '-d', fixture.dir, '-b', '127.0.0.1', '--cgi-max-body', '1K', '--cgi-stderr-max', '2K', '0'])
    try {
      const port = await started(run)
      const base = `http://127.0.0.1:${port}/`
      assert.equal((await get(base, '/cgi-bin/wc.sh', { method: 'POST', body: 'x'.repeat(1024) })).text, '1024\n')
      const refused = await exchange(port, `POST /cgi-bin/wc.sh HTTP/1.1\r\nHost: h\r\nContent-Length: 1025\r\n\r\n${'x'.repeat(1025)}`)
      assert.match(refused, /^HTTP\/1\.1 413 Payload Too Large\r\n/)
      assert.match(refused, /request bodies are limited to 1024 bytes/)
      assert.equal((await get(base, '/cgi-bin/noisy.sh')).text, 'ok')
      const notice = await run.waitForLog((e) => String(e.msg).includes('stderr truncated'))
      assert.equal(notice.msg, 'cgi: /cgi-bin/noisy.sh: stderr truncated: more than 2048 bytes; the rest was discarded')
    } finally {
      run.child.kill('SIGTERM')
      await run.exited
    }
    const { stdout } = await runCli(['--help']).exited
    for (const flag of ['--cgi-max-body SIZE', '--cgi-stderr-max SIZE', '--cgi-max-memory SIZE', '--cgi-max-cpu SECONDS', '--cgi-max-processes N']) assert.ok(stdout.includes(flag), flag)
    assert.match(stdout, /--cgi-max-body SIZE .*\(default: 1G\)/)
  })

  test('a size that is not one is a usage error: one line, exit 2', async () => {
    const { code, stderr } = await runCli(['--cgi', '-d', fixture.dir, '--cgi-max-memory', '12Q']).exited
    assert.equal(code, 2)
    assert.equal(stderr, 'servekit: --cgi-max-memory "12Q" must be a size in bytes from 0 to 1T, such as 64K, 10M or 1G\n')
  })

  test('a limit without --cgi is refused', async () => {
    const { code, stderr } = await runCli(['-d', fixture.dir, '--cgi-max-cpu', '5']).exited
    assert.equal(code, 2)
    assert.match(stderr, /^servekit: .*cgi-max-cpu.* only applies with .*--cgi/)
  })
})
