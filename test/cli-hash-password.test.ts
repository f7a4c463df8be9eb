// servekit --hash-password USER: an --auth-file line from a password piped in (or typed,
// unseen), which the server then takes.
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { cliArgs, runCli, started } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { waitFor } from './helpers/wait.js'

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'a.txt': 'a' }) })
after(async () => { await fixture.cleanup() })

async function hashCommand (args: string[], input: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, cliArgs(args), { env: { PATH: process.env.PATH } })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdin.end(input)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

test('a piped password becomes a user:scrypt line that --auth-file takes; the password is never printed', async () => {
  const made = await hashCommand(['--hash-password', 'ann'], 'her pass:word\n')
  assert.equal(made.code, 0, made.stderr)
  assert.match(made.stdout, /^ann:\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+\n$/)
  assert.ok(!made.stdout.includes('her pass'))
  await writeFile(fixture.path('../users.txt'), made.stdout)
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '--auth-file', fixture.path('../users.txt'), '0'])
  try {
    const base = `http://127.0.0.1:${await started(run)}/`
    const as = (password: string) => ({ headers: { authorization: 'Basic ' + Buffer.from(`ann:${password}`).toString('base64') } })
    assert.equal((await get(base, '/a.txt')).status, 401)
    assert.equal((await get(base, '/a.txt', as('her pass:word'))).text, 'a')
    assert.equal((await get(base, '/a.txt', as('her pass:word\n'))).status, 401, 'the line end was not part of it')
  } finally {
    run.child.kill('SIGKILL')
    await run.exited
  }
})

test('no password, or a user name that cannot be one, is one line and exit 2', async () => {
  const empty = await hashCommand(['--hash-password', 'ann'], '')
  assert.equal(empty.code, 2)
  assert.equal(empty.stderr, 'servekit: --hash-password needs a password on its input; none was given (see servekit --help)\n')
  assert.equal(empty.stdout, '')
  const bad = await hashCommand(['--hash-password', 'a:b'], 'x')
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^servekit: --hash-password "a:b" must be a user name without colons or spaces/)
})

test('at a terminal the password is asked for and not shown; backspace edits it', { skip: existsSync('/usr/bin/script') ? false : 'no script(1) to give the command a terminal' }, async () => {
  const { parseHash, verifyPassword } = await import('../plugins/auth/hashes.js')
  // script(1) runs the command on a pseudo-terminal and passes our input to it as typed keys.
  const command = [process.execPath, ...cliArgs(['--hash-password', 'ann'])].map((word) => `'${word}'`).join(' ')
  const child = spawn('/usr/bin/script', ['-qfc', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'dumb' } })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  await waitFor(() => output.includes('Password (not shown): '), 'the prompt', 30_000)
  child.stdin.write('secrex\u007ft\r')
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  assert.equal(code, 0)
  assert.ok(!output.includes('secre'), 'the password was not echoed')
  const line = /ann:(\S+)/.exec(output)?.[1]
  const verifier = parseHash(line ?? '')
  assert.notEqual(typeof verifier, 'string')
  assert.equal(await verifyPassword('secret', verifier as Exclude<typeof verifier, string>), true)
})
