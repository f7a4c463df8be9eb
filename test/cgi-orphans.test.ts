// No script process outlives its response, nor servekit, however servekit dies.
// Every script here runs in its own fixture folder, and so does everything it forks:
// /proc/PID/cwd finds them all, whoever their parent has become.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { runCli, started } from './helpers/cli.js'
import { sh } from './helpers/cgi.js'
import { processesIn, processGone, waitFor } from './helpers/wait.js'
import { guardianPid, LINGER_MS } from '../plugins/cgi/script-process.js'
import type { RunningServer } from '../src/server.js'

const TREE = {
  // Two children in the background, headers out, then it waits: a script mid-response.
  'cgi-bin/forks.sh': sh(`sleep 60 &
sleep 60 &
printf 'Content-Type: text/plain\\n\\nstarted\\n'
wait`),
  // Answers at once and leaves 20 children behind, its output not held by them.
  'cgi-bin/spawner.sh': sh(`i=0
while [ $i -lt 20 ]; do sleep 60 > /dev/null 2>&1 & i=$((i+1)); done
printf 'Content-Type: text/plain\\n\\nanswered'`),
  // Closes its output after answering, then lingers.
  'cgi-bin/linger.sh': sh(`printf 'Content-Type: text/plain\\n\\nanswered'
exec > /dev/null 2>&1
sleep 60`)
}

/** Opens a GET and resolves once the first body bytes came, the response left open. */
async function started1 (port: number, path: string): Promise<() => void> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.once('data', () => { resolve(() => { req.destroy() }) })
      res.on('error', () => {})
    })
    req.on('error', () => {})
    req.once('error', reject)
    req.end()
  })
}

let fixture: Fixture
before(async () => { fixture = await makeTree(TREE) })
after(async () => { await fixture.cleanup() })

describe('servekit killed with scripts running', { skip: process.platform !== 'linux' }, () => {
  test('after a SIGKILL of servekit, no script nor anything it forked is left', async () => {
    // Node's spawn and the guardian; the spawner's own case is in cgi-spawner.test.ts.
    const run = runCli(['--cgi', '--no-cgi-spawner', '-d', fixture.dir, '-b', '127.0.0.1', '0'])
    try {
      const port = await started(run)
      const open = await Promise.all(Array.from({ length: 6 }, async (_, i) => await started1(port, `/cgi-bin/forks.sh?${i}`)))
      // 6 scripts and 2 children each, running in the fixture.
      await waitFor(async () => (await processesIn(fixture.dir)).length === 18, '18 script processes')
      run.child.kill('SIGKILL')
      await run.exited
      await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'every script process to be gone')
      open.forEach((close) => { close() })
    } finally {
      run.child.kill('SIGKILL')
    }
  })
})

describe('the process group ends with the response', { skip: process.platform !== 'linux' }, () => {
  let server: RunningServer
  // Node's spawn, so the guardian keeps the groups (the spawner keeps its own: cgi-spawner.test.ts).
  before(async () => { server = await serve({ directory: fixture.dir, cgi: true, cgiSpawner: false }) })
  after(async () => { await server.close() })

  test('children a script left in the background are killed once it has answered and exited', async () => {
    const res = await get(server.url, '/cgi-bin/spawner.sh')
    assert.equal(res.text, 'answered')
    await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the 20 children to be gone')
  })

  test('a script that closed its output and lingers is killed after the grace period', async () => {
    const begun = Date.now()
    const res = await get(server.url, '/cgi-bin/linger.sh')
    assert.equal(res.text, 'answered')
    assert.ok(Date.now() - begun < LINGER_MS, 'the response did not wait for the script')
    await waitFor(async () => (await processesIn(fixture.dir)).length === 0, 'the lingering script to be gone', LINGER_MS + 5000)
  })

  test('a guardian that is killed is started again for the next script', async () => {
    assert.equal((await get(server.url, '/cgi-bin/spawner.sh')).status, 200)
    const first = guardianPid()
    assert.notEqual(first, undefined)
    process.kill(first!, 'SIGKILL')
    await waitFor(() => processGone(first!), 'the guardian to be gone')
    await waitFor(async () => (await get(server.url, '/cgi-bin/spawner.sh')).status === 200 && guardianPid() !== undefined && guardianPid() !== first, 'a new guardian')
    assert.equal(processGone(guardianPid()!), false)
  })
})
