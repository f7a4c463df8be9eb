// Closing the terminal servekit runs in ends it: the hang-up is a stop signal, and a
// fault afterwards keeps its default action instead of looping in a JavaScript
// handler (which spun at full CPU forever, the server never exiting).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { cliArgs } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { processGone, waitFor } from './helpers/wait.js'

const hasScript = spawnSync('script', ['--version']).status === 0
let fixture: Fixture
before(async () => { fixture = await makeTree({ 'public/a.txt': 'a' }) })
after(async () => { await fixture.cleanup() })

function childrenOf (pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((p) => p !== '').map(Number)
  } catch {
    return []
  }
}

test('servekit exits when its terminal goes away', { skip: !hasScript && 'needs script(1) for a pseudo-terminal' }, async () => {
  const command = [process.execPath, ...cliArgs([fixture.path('public'), '-b', '127.0.0.1', '0'])].map((word) => `'${word}'`).join(' ')
  // script(1) gives servekit a pseudo-terminal; killing script closes it, as closing a terminal window does.
  // What the terminal shows goes to a file, as a shell's output would go nowhere once closed.
  const shown = fixture.path('terminal.txt')
  const out = openSync(shown, 'w')
  const terminal = spawn('script', ['-qfc', command, '/dev/null'], { env: { ...process.env, TERM: 'xterm' }, stdio: ['ignore', out, 'ignore'] })
  closeSync(out)
  // Set once found; after() may run before that, hence not a const.
  // eslint-disable-next-line prefer-const
  let server: number | undefined
  after(() => { if (server !== undefined) try { process.kill(server, 'SIGKILL') } catch {} })
  await waitFor(() => /Serving HTTP/.test(readFileSync(shown, 'utf8')), 'the start-up line on the terminal', 15_000)
  server = childrenOf(terminal.pid!)[0]
  if (server === undefined) throw new Error('no servekit process under script(1)')
  terminal.kill('SIGKILL')
  await waitFor(() => processGone(server!), 'servekit to exit after its terminal closed', 15_000)
})
