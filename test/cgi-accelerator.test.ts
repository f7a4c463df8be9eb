// servekit-spawn (packages/spawn), the CGI accelerator, called directly: a child started by it
// gets what Node's spawn gives a CGI script, in a session of its own, and leaves no
// descriptor or zombie behind. Skipped unless built (npm install builds it where there is a C compiler).
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './helpers/wait.js'
import { envPairs } from '../plugins/cgi/accelerated-start.js'
import { accelerator, type Accelerator } from '../plugins/cgi/accelerator.js'

const addon = accelerator()
const SKIP = addon === undefined ? 'servekit-spawn is not built (npm install builds packages/spawn)' : false

interface Ran {
  pid: number
  stdout: string
  stderr: string
  code: number | null
  signal: NodeJS.Signals | null
}

async function readAll (fd: number): Promise<string> {
  if (fd < 0) return ''
  const chunks: Buffer[] = []
  for await (const chunk of new Socket({ fd, readable: true, writable: false })) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** `sh -c script` through the addon, with its output and how it ended. */
async function sh (script: string, { env = { PATH: '/usr/bin:/bin' }, cwd = null }: { env?: Record<string, string>, cwd?: string | null } = {}): Promise<Ran> {
  const { spawn } = addon as Accelerator
  let ended!: (how: Pick<Ran, 'code' | 'signal'>) => void
  const exit = new Promise<Pick<Ran, 'code' | 'signal'>>((resolve) => { ended = resolve })
  const child = spawn('/bin/sh', ['sh', '-c', script], envPairs(env), cwd, (code, signal) => ended({ code, signal }))
  const [stdout, stderr, how] = await Promise.all([readAll(child.stdoutFd), readAll(child.stderrFd), exit])
  return { pid: child.pid, stdout, stderr, ...how }
}

/** Fields 3 on of /proc/<pid>/stat (state, ppid, pgrp, session, ...), after the name. */
function statFields (stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ')
}

const openFds = (): number => readdirSync('/proc/self/fd').length
const pidfdOpen = (): boolean => readdirSync('/proc/self/fd').some((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[pidfd]'
  } catch {
    return false
  }
})

/** This process's children that have exited and not been reaped. */
function zombieChildren (): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const [state, ppid] = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))
      return state === 'Z' && Number(ppid) === process.pid ? [Number(pid)] : []
    } catch {
      return []
    }
  })
}

// One scratch folder for the files these tests write, removed at the end.
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'servekit-spawn-')))
after(() => { rmSync(scratch, { recursive: true, force: true }) })

describe('the posix_spawn addon', () => {
  test('says this kernel can reap through a pidfd (servekit uses it only then)', { skip: SKIP }, () => {
    assert.equal((addon as Accelerator).supported(), true)
  })

  test("reads the child's stdout and stderr, separately", { skip: SKIP }, async () => {
    const ran = await sh('echo out; echo err >&2')
    assert.equal(ran.stdout, 'out\n')
    assert.equal(ran.stderr, 'err\n')
  })

  test('passes the environment and the working folder, and gives /dev/null as stdin', { skip: SKIP }, async () => {
    const ran = await sh('printf "%s|%s|%s" "$GREETING" "$(pwd)" "$(readlink /proc/self/fd/0)"', { env: { GREETING: 'hello' }, cwd: scratch })
    assert.equal(ran.stdout, `hello|${scratch}|/dev/null`)
  })

  test('with pipeStdin, stdin is a socket whose shutdown the child reads as its end', { skip: SKIP }, async () => {
    const { spawn } = addon as Accelerator
    const child = spawn('/bin/sh', ['sh', '-c', 'readlink /proc/self/fd/0; wc -c'], [], null, () => {}, false, true)
    assert.equal(child.stderrFd, -1)
    const stdin = new Socket({ fd: child.stdinFd, readable: false, writable: true })
    const closed = new Promise((resolve) => stdin.once('close', resolve))
    stdin.end('twelve bytes')
    assert.match(await readAll(child.stdoutFd), /^socket:\[\d+\]\n12\n$/)
    // Closed once written and shut down: its descriptor is not left open.
    await closed
  })

  test('reports the exit code', { skip: SKIP }, async () => {
    assert.deepEqual(await sh('exit 3').then(({ code, signal }) => ({ code, signal })), { code: 3, signal: null })
  })

  test('reports death by a signal by its name', { skip: SKIP }, async () => {
    assert.deepEqual(await sh('kill -TERM $$').then(({ code, signal }) => ({ code, signal })), { code: null, signal: 'SIGTERM' })
  })

  test('throws ENOENT for a missing file and EACCES for one without an execute bit', { skip: SKIP }, () => {
    const { spawn } = addon as Accelerator
    assert.throws(() => spawn('/nonexistent/script', ['script'], [], null, () => {}), { code: 'ENOENT', errno: -2, syscall: 'posix_spawn' })
    const file = join(scratch, 'not-executable.sh')
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 })
    assert.throws(() => spawn(file, [file], [], null, () => {}), { code: 'EACCES' })
  })

  test('runs a script without #! with /bin/sh, as Node spawn does', { skip: SKIP }, async () => {
    const { spawn } = addon as Accelerator
    const file = join(scratch, 'bare.sh')
    writeFileSync(file, 'echo "bare $1"\n', { mode: 0o755 })
    const child = spawn(file, [file, 'arg'], [], null, () => {})
    assert.equal(await readAll(child.stdoutFd), 'bare arg\n')
  })

  test('starts the child in a session and process group of its own', { skip: SKIP }, async () => {
    const ran = await sh('exec cat /proc/self/stat')
    const [, , pgrp, session] = statFields(ran.stdout).map(Number)
    assert.equal(session, ran.pid)
    assert.equal(pgrp, ran.pid)
    assert.notEqual(session, Number(statFields(readFileSync('/proc/self/stat', 'utf8'))[3]))
  })

  test('gives the child every signal at its default (SIGPIPE too, which Node ignores) and none blocked', { skip: SKIP }, async () => {
    const SIGPIPE_BIT = 1n << 12n
    const parentIgnored = BigInt(`0x${/SigIgn:\s*(\w+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? ''}`)
    assert.equal(parentIgnored & SIGPIPE_BIT, SIGPIPE_BIT, 'Node ignores SIGPIPE, which makes this test mean something')
    const ran = await sh('grep -E "^Sig(Ign|Blk)" /proc/self/status')
    assert.match(ran.stdout, /^SigBlk:\s*0+$/m)
    assert.match(ran.stdout, /^SigIgn:\s*0+$/m)
  })

  test('a child sees only its stdin, stdout and stderr, as with Node spawn', { skip: SKIP }, async () => {
    const listing = 'ls /proc/self/fd'
    const node = spawnSync('/bin/sh', ['-c', listing], { stdio: ['ignore', 'pipe', 'pipe'] }).stdout.toString()
    assert.equal((await sh(listing)).stdout, node)
  })

  test('leaves no descriptor open and no zombie behind after 50 children', { skip: SKIP }, async () => {
    await sh('true')
    // That child's pidfd closes on the loop's next turn: counted from when it has, or a
    // count taken with it open is never seen again (Node 22 runs the turns differently).
    await waitFor(() => !pidfdOpen(), 'the first child\'s pidfd closed')
    const before = openFds()
    await Promise.all(Array.from({ length: 5 }, async () => {
      for (let i = 0; i < 10; i++) await sh('echo hi')
    }))
    // Sockets and pidfds close a moment after the last exit is reported (libuv closes
    // handles on its next turn); a leak would never come back down.
    await waitFor(() => openFds() === before, `the ${before} descriptors open before`)
    assert.deepEqual(zombieChildren(), [])
  })

  test('reaps a child whose output is never read once it exits', { skip: SKIP }, async () => {
    const { spawn } = addon as Accelerator
    const exited = new Promise<number>((resolve) => {
      const child = spawn('/bin/sh', ['sh', '-c', 'exit 0'], [], null, () => resolve(child.pid), false)
      new Socket({ fd: child.stdoutFd, readable: true, writable: false }).destroy()
    })
    const pid = await exited
    assert.throws(() => readFileSync(`/proc/${pid}/stat`), { code: 'ENOENT' })
  })
})
