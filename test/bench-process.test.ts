// The bench harness's servers (bench/process.ts) run in process groups of their own:
// stopping one takes what it started too, and a Ctrl-C to the harness stops them all,
// which the terminal's own Ctrl-C no longer reaches.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { launch } from '../bench/process.js'
import { makeTree } from './helpers/fixtures.js'
import { code, NODE_ARGS } from './helpers/repo.js'
import { processesIn, waitFor } from './helpers/wait.js'

// A server that forks two children and waits on them, as a peer's workers or scripts.
const FORKING = ['/bin/sh', ['-c', 'sleep 60 & sleep 60 & wait']] as const

test('stopping a server stops everything in its process group', { skip: process.platform !== 'linux' }, async () => {
  const fixture = await makeTree({})
  try {
    const server = launch({ command: FORKING[0], args: [...FORKING[1]], cwd: fixture.dir, env: { PATH: process.env.PATH } },
      { stdout: join(fixture.dir, 'out.log'), stderr: join(fixture.dir, 'err.log') }, undefined)
    await waitFor(async () => (await processesIn(fixture.dir)).length === 3, 'the shell and its two children')
    await server.stop()
    await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the two children to be gone with the shell')
  } finally {
    await fixture.cleanup()
  }
})

test('a SIGINT to the harness stops its servers and exits 130', { skip: process.platform !== 'linux' }, async () => {
  const fixture = await makeTree({})
  try {
    const harness = join(fixture.dir, 'harness.mjs')
    await writeFile(harness, `import { launch } from ${JSON.stringify(pathToFileURL(code('bench/process')).href)}
launch({ command: '/bin/sh', args: ['-c', 'sleep 60 & sleep 60 & wait'], cwd: process.cwd(), env: { PATH: process.env.PATH } },
  { stdout: 'out.log', stderr: 'err.log' }, undefined)
process.stdout.write('launched\\n')
setInterval(() => {}, 60_000)
`)
    const child = spawn(process.execPath, [...NODE_ARGS, harness], { cwd: fixture.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => { child.once('exit', (exitCode) => { resolve(exitCode) }) })
    await new Promise<void>((resolve) => { child.stdout.once('data', () => { resolve() }) })
    // The harness itself and the server's three.
    await waitFor(async () => (await processesIn(fixture.dir)).length === 4, 'the server group running')
    child.kill('SIGINT')
    assert.equal(await exited, 130)
    await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the server group gone with the harness')
  } finally {
    await fixture.cleanup()
  }
})
