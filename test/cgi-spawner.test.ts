// Every way a script is started: with the accelerator (servekit-spawn, posix_spawn
// from servekit), through the python3 spawner (posix_spawn), and with Node's spawn
// (both off, the spawner not ready yet, or gone). Each script says who its parent is
// and what its stdout is, so every test knows which way it ran.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { memoryLog, type MemoryLog } from './helpers/log.js'
import { serve } from './helpers/server.js'
import { runCli, started } from './helpers/cli.js'
import { sh } from './helpers/cgi.js'
import { processesIn, processGone, waitFor } from './helpers/wait.js'
import { accelerator } from '../plugins/cgi/accelerator.js'
import { spawnerPid } from '../plugins/cgi/script-process.js'
import { createSpawner, exitStatusOf } from '../plugins/cgi/spawner.js'
import { createGuardian } from '../plugins/cgi/guardian.js'
import type { RunningServer } from '../src/server.js'

const TREE = {
  'cgi-bin/parent.sh': sh(`printf 'Content-Type: text/plain\\n\\n%s' "$PPID"`),
  'cgi-bin/stdout.sh': sh(`printf 'Content-Type: text/plain\\n\\n%s' "$(readlink /proc/$$/fd/1)"`),
  'cgi-bin/echo.sh': sh(`printf 'Content-Type: text/plain\\n\\n%s|%s|%s|' "$PPID" "$QUERY_STRING" "$CONTENT_LENGTH"
cat
printf '|%s' "$(pwd)"`),
  'cgi-bin/stderr.sh': sh(`echo "to stderr $QUERY_STRING" >&2
printf 'Content-Type: text/plain\\n\\nok'
exit 3`),
  // SIGPIPE must be back at its default in the script: \`yes\` ends when head has its line.
  'cgi-bin/pipe.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
yes | head -n 2`),
  'cgi-bin/big.sh': sh(`printf 'Content-Type: application/octet-stream\\n\\n'
head -c 3000000 /dev/zero`),
  // No #! line: run by /bin/sh, as execvp (and so Node's spawn) does.
  'cgi-bin/bare.sh': { content: `printf 'Content-Type: text/plain\\n\\nbare %s' "$PPID"\n`, mode: 0o755 },
  'cgi-bin/nointerp.sh': { content: '#!/nonexistent/interpreter\n', mode: 0o755 },
  // Answers at once, leaving two children behind that do not hold its output.
  'cgi-bin/leaves.sh': sh(`sleep 60 > /dev/null 2>&1 &
sleep 60 > /dev/null 2>&1 &
printf 'Content-Type: text/plain\\n\\n%s' "$PPID"`),
  // 200 KB of stderr in lines, then a line with bytes that are not UTF-8, past the 64 KiB cap.
  'cgi-bin/stderr-flood.sh': sh(`printf '\\377\\376 not utf-8 %s\\n' "$QUERY_STRING" >&2
yes '${'e'.repeat(99)}' | head -c 200000 >&2
printf 'Content-Type: text/plain\\n\\n%s' "$PPID"`),
  // Its stdout closed before its last stderr line: the line is still logged.
  'cgi-bin/stderr-late.sh': sh(`printf 'Content-Type: text/plain\\n\\nearly'
exec 1>&-
sleep 0.2
echo "late $QUERY_STRING" >&2`),
  'cgi-bin/sigign.sh': sh(`printf 'Content-Type: text/plain\\n\\n'
grep '^SigIgn:' /proc/$$/status`),
  'cgi-bin/forks.sh': sh(`sleep 60 &
sleep 60 &
printf 'Content-Type: text/plain\\n\\n%s' "$PPID"
wait`)
}

// The spawner needs python3 3.9+ with os.pidfd_open; without it servekit uses Node's spawn, tested below.
const NO_SPAWNER = process.platform !== 'linux' || spawnSync('python3', ['-I', '-S', '-c', 'import os; os.pidfd_open; os.posix_spawn']).status !== 0
  ? 'no python3 3.9+ with os.pidfd_open here: scripts start with Node\'s spawn'
  : false

let fixture: Fixture
before(async () => { fixture = await makeTree(TREE) })
after(async () => { await fixture.cleanup() })

function commandOf (pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    return ''
  }
}

/** Asks until a script's parent is the spawner (it starts with the first script). */
async function spawnerRunning (base: string): Promise<number> {
  let parent = 0
  await waitFor(async () => {
    parent = Number((await get(base, '/cgi-bin/parent.sh')).text)
    return parent === spawnerPid()
  }, 'a script started by the spawner', 15_000)
  return parent
}

test('exit lines: a code, or a signal by its name', () => {
  assert.deepEqual(exitStatusOf('3', '-'), { code: 3, signal: null })
  assert.deepEqual(exitStatusOf('-', '9'), { code: null, signal: 'SIGKILL' })
  assert.deepEqual(exitStatusOf('-', '15'), { code: null, signal: 'SIGTERM' })
})

test('without a python3 to run, the spawner says so once and never starts a script', async () => {
  const warnings: string[] = []
  const spawner = createSpawner(createGuardian(), '/nonexistent/python3', (reason) => { warnings.push(reason) })
  const request = { command: '/bin/true', args: [], argv0: '/bin/true', cwd: '/', env: {}, withStdin: false, stderrMax: 0 }
  assert.equal(spawner.start(request), undefined)
  await waitFor(() => warnings.length > 0, 'the warning')
  for (let i = 0; i < 3; i++) assert.equal(spawner.start(request), undefined)
  assert.deepEqual(warnings, ['scripts start with Node\'s spawn: cannot run /nonexistent/python3: spawn /nonexistent/python3 ENOENT'])
})

const NO_ACCELERATOR = accelerator() === undefined ? 'servekit-spawn is not built (npm install builds packages/spawn)' : false

const WAYS = {
  accelerator: { name: 'the accelerator', skip: NO_ACCELERATOR, options: { cgiSpawner: true, cgiAccelerator: true } },
  spawner: { name: 'the python3 spawner', skip: NO_SPAWNER, options: { cgiSpawner: true, cgiAccelerator: false } },
  node: { name: 'Node\'s spawn', skip: process.platform !== 'linux', options: { cgiSpawner: false } }
} as const

for (const way of ['accelerator', 'spawner', 'node'] as const) {
  describe(`scripts started by ${WAYS[way].name}`, { skip: WAYS[way].skip }, () => {
    let server: RunningServer
    let log: MemoryLog
    before(async () => {
      log = memoryLog()
      server = await serve({ directory: fixture.dir, cgi: true, ...WAYS[way].options, cgiTimeout: 5, logger: log.logger })
      if (way === 'spawner') {
        const parent = await spawnerRunning(server.url)
        assert.match(commandOf(parent), /python3/)
      }
      // The accelerator gives the script a pipe; the spawner and Node's spawn a socket.
      assert.match((await get(server.url, '/cgi-bin/stdout.sh')).text, way === 'accelerator' ? /^pipe:/ : /^socket:/)
    })
    after(async () => { await server.close() })

    const parentOk = (parent: string): void => {
      if (way === 'spawner') assert.equal(Number(parent), spawnerPid())
      else assert.equal(Number(parent), process.pid)
    }

    test('the environment, the body on stdin and the working folder are the script\'s', async () => {
      const res = await get(server.url, '/cgi-bin/echo.sh?a=1', { method: 'POST', body: 'hello body' })
      assert.equal(res.status, 200)
      const [parent, query, length, rest] = res.text.split('|')
      parentOk(parent!)
      assert.equal(query, 'a=1')
      assert.equal(length, '10')
      assert.equal(rest, 'hello body')
      assert.equal(res.text.split('|')[4], fixture.path('cgi-bin'))
    })

    test('a chunked body is given whole', async () => {
      const res = await get(server.url, '/cgi-bin/echo.sh', { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'x'.repeat(5000) })
      assert.equal(res.text.split('|')[3], 'x'.repeat(5000))
    })

    test('stderr is logged, a non-zero exit is noted', async () => {
      const res = await get(server.url, `/cgi-bin/stderr.sh?${way}`)
      assert.equal(res.text, 'ok')
      await log.waitFor((e) => e.msg === `cgi: /cgi-bin/stderr.sh: to stderr ${way}`)
      await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/stderr.sh: exited with code 3')
    })

    test('stderr past the cap: its bytes as written up to the cap, then one notice, and the script not stalled', async () => {
      const res = await get(server.url, `/cgi-bin/stderr-flood.sh?${way}`)
      parentOk(res.text)
      await log.waitFor((e) => e.msg === 'cgi: /cgi-bin/stderr-flood.sh: stderr truncated: more than 65536 bytes; the rest was discarded')
      const lines = log.entries.filter((e) => String(e.msg).startsWith('cgi: /cgi-bin/stderr-flood.sh: '))
      assert.equal(lines[0]!.msg, `cgi: /cgi-bin/stderr-flood.sh: \ufffd\ufffd not utf-8 ${way}`)
      const bytes = lines.slice(1, -1).reduce((sum, e) => sum + String(e.msg).length - 'cgi: /cgi-bin/stderr-flood.sh: '.length + 1, 0)
      assert.ok(bytes > 60_000 && bytes <= 65536, `${bytes} bytes of stderr logged`)
      assert.equal(lines.filter((e) => String(e.msg).includes('truncated')).length, 1)
    })

    test('stderr written after the script closed its stdout is still logged', async () => {
      const res = await get(server.url, `/cgi-bin/stderr-late.sh?${way}`)
      assert.equal(res.text, 'early')
      await log.waitFor((e) => e.msg === `cgi: /cgi-bin/stderr-late.sh: late ${way}`)
    })

    test('no signal is ignored in the script (the spawner ignores SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE; Python SIGXFSZ)', async () => {
      const res = await get(server.url, '/cgi-bin/sigign.sh')
      const ignored = BigInt('0x' + res.text.trim().replace('SigIgn:\t', ''))
      // Signals 32 and 33 are glibc's own (thread cancellation, setxid), outside any sigset
      // a program may set: glibc's posix_spawn leaves them ignored in the child, where no
      // program uses them (glibc sets its handlers itself when it needs them).
      const glibcOwn = way === 'spawner' ? (1n << 31n) | (1n << 32n) : 0n
      assert.equal((ignored & ~glibcOwn).toString(16), '0')
    })

    test('SIGPIPE is at its default in the script', async () => {
      const res = await get(server.url, '/cgi-bin/pipe.sh')
      assert.equal(res.text, 'y\ny\n')
    })

    test('3 MB of output arrive whole', async () => {
      const res = await get(server.url, '/cgi-bin/big.sh')
      assert.equal(res.body.length, 3_000_000)
      assert.ok(res.body.every((byte) => byte === 0))
    })

    test('a file without #! runs as a shell script', async () => {
      const res = await get(server.url, '/cgi-bin/bare.sh')
      assert.match(res.text, /^bare \d+$/)
      // sh itself is the process: its parent is whoever started it.
      parentOk(res.text.slice(5))
    })

    test('a missing #! interpreter is a 502 that says so in the log', async () => {
      const res = await get(server.url, '/cgi-bin/nointerp.sh')
      assert.equal(res.status, 502)
      await log.waitFor((e) => String(e.msg).includes('nointerp.sh: its #! interpreter was not found'))
    })

    test('what a script forked is killed with its response', async () => {
      const res = await get(server.url, '/cgi-bin/leaves.sh')
      parentOk(res.text)
      await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the children to be gone')
    })
  })
}

describe('the spawner under faults', { skip: NO_SPAWNER }, () => {
  test('the spawner killed: scripts running go on and are answered, the next start with Node\'s spawn', async () => {
    const log = memoryLog()
    const server = await serve({ directory: fixture.dir, cgi: true, cgiAccelerator: false, logger: log.logger })
    try {
      const spawner = await spawnerRunning(server.url)
      // A script mid-response: its headers are out, it waits on two children.
      const open = await new Promise<{ text: Promise<string>, req: ReturnType<typeof httpRequest> }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/cgi-bin/forks.sh?running', agent: false }, (res) => {
          let text = ''
          const all = new Promise<string>((resolveText) => { res.on('end', () => { resolveText(text) }) })
          res.on('error', () => {})
          res.once('data', (chunk: Buffer) => {
            text += chunk.toString()
            res.on('data', (more: Buffer) => { text += more.toString() })
            resolve({ text: all, req })
          })
        })
        req.on('error', reject)
        req.end()
      })
      process.kill(spawner, 'SIGKILL')
      await waitFor(() => processGone(spawner), 'the spawner to be gone')
      const next = await get(server.url, '/cgi-bin/parent.sh')
      assert.equal(next.status, 200)
      assert.equal(Number(next.text), process.pid)
      // The running script's children are still in the fixture until its response ends.
      open.req.destroy()
      await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the running script and its children to be gone')
    } finally {
      await server.close()
    }
  })

  test('after a SIGKILL of servekit, no script started by the spawner nor what it forked is left', async () => {
    const run = runCli(['--cgi', '--no-cgi-accelerator', '-d', fixture.dir, '-b', '127.0.0.1', '0'])
    try {
      const port = await started(run)
      const base = `http://127.0.0.1:${port}/`
      await waitFor(async () => /python3/.test(commandOf(Number((await get(base, '/cgi-bin/parent.sh')).text))), 'a script started by the spawner', 15_000)
      const parents = await Promise.all(Array.from({ length: 4 }, async (_, i) => await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: `/cgi-bin/forks.sh?${i}`, agent: false }, (res) => {
          res.once('data', (chunk: Buffer) => { resolve(chunk.toString()) })
          res.on('error', () => {})
        })
        req.on('error', () => {})
        req.once('error', reject)
        req.end()
      })))
      // Every one of them started by the spawner, 3 processes each.
      for (const parent of parents) assert.match(commandOf(Number(parent)), /python3/)
      await waitFor(async () => (await processesIn(fixture.dir)).length === 12, '12 script processes')
      run.child.kill('SIGKILL')
      await run.exited
      await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'every script process to be gone')
    } finally {
      run.child.kill('SIGKILL')
    }
  })
})
