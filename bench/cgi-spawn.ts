// CGI throughput: requests/s of a tiny sh script through servekit, through Python's
// `http.server --cgi`, and the bare rate at which Node can spawn that script.
// CGI costs one process per request, so the spawn rate is the ceiling.
//
//   npm run build && node dist/bench/cgi-spawn.js [--seconds 10] [--connections 8] [--rounds 3]
//
// Everything listens on 127.0.0.1 and stops by itself. Results vary with load:
// run it on an idle machine and compare ranges, not single figures.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' }
  }
})
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const rounds = Number(values.rounds)

// With a Content-Length: autocannon cannot count Python's close-delimited HTTP/1.0 answers without one.
const TINY = "#!/bin/sh\nprintf 'Content-Type: text/plain\\nContent-Length: 6\\n\\nhello\\n'\n"
const WARM_UP_SECONDS = 3
const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url))

// `spawn(file)` as plainly as it gets, output read and discarded, in a fresh Node
// process so the harness's own memory does not slow its forks.
const BARE_SPAWN = `
import { spawn } from 'node:child_process'
const [file, seconds, connections] = process.argv.slice(1)
const end = Date.now() + Number(seconds) * 1000
let done = 0
async function loop () {
  while (Date.now() < end) {
    await new Promise((resolve, reject) => {
      const child = spawn(file)
      child.stdin.end()
      child.stdout.resume()
      child.stderr.resume()
      child.on('error', reject).on('close', resolve)
    })
    done++
  }
}
await Promise.all(Array.from({ length: Number(connections) }, loop))
process.stdout.write(String(done / Number(seconds)))
`

async function bareSpawnRate (file: string): Promise<number> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_SPAWN, file, String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  await new Promise((resolve) => child.on('close', resolve))
  return Number(out)
}

/** Starts a server and resolves with its port once its start-up line names it. */
async function startServer (command: string, args: string[], portPattern: RegExp): Promise<{ child: ChildProcess, port: number }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return await new Promise((resolve, reject) => {
    let seen = ''
    const look = (chunk: Buffer): void => {
      seen += chunk.toString()
      const port = portPattern.exec(seen)?.[1]
      if (port === undefined) return
      // From here on the request log is read and dropped, so a full pipe never blocks the server.
      child.stdout?.off('data', look).resume()
      child.stderr?.off('data', look).resume()
      resolve({ child, port: Number(port) })
    }
    child.stdout?.on('data', look)
    child.stderr?.on('data', look)
    child.on('error', reject)
    child.on('close', (code) => { reject(new Error(`${command} exited (${String(code)}) before listening: ${seen}`)) })
  })
}

async function stop (child: ChildProcess): Promise<void> {
  const closed = new Promise((resolve) => child.on('close', resolve))
  child.kill('SIGKILL')
  await closed
}

async function load (port: number, duration: number): Promise<{ rate: number, errors: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/cgi-bin/tiny.sh`, connections, duration })
  return { rate: result.requests.average, errors: result.errors + result.timeouts + result.non2xx }
}

async function throughput (command: string, args: string[], portPattern: RegExp): Promise<{ rate: number, errors: number }> {
  const { child, port } = await startServer(command, args, portPattern)
  try {
    // Let the JIT settle first: the first few hundred requests run unoptimised code.
    await load(port, WARM_UP_SECONDS)
    return await load(port, seconds)
  } finally {
    await stop(child)
  }
}

function range (figures: number[]): string {
  const sorted = [...figures].sort((a, b) => a - b)
  const format = (n: number): string => n.toFixed(0)
  return sorted.length === 1 ? format(sorted[0] as number) : `${format(sorted[0] as number)}–${format(sorted[sorted.length - 1] as number)}`
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'servekit-bench-cgi-'))
  try {
    // Python runs scripts as `nobody` when started as root, so they must be reachable.
    await chmod(dir, 0o755)
    await mkdir(join(dir, 'cgi-bin'))
    const script = join(dir, 'cgi-bin', 'tiny.sh')
    await writeFile(script, TINY)
    await chmod(script, 0o755)

    const figures = { servekit: [] as number[], python: [] as number[], spawn: [] as number[] }
    for (let round = 1; round <= rounds; round++) {
      const spawnRate = await bareSpawnRate(script)
      const servekit = await throughput(process.execPath, [CLI, '--cgi', '-d', dir, '-b', '127.0.0.1', '0'], /"port":(\d+)/)
      const python = await throughput('python3', ['-u', '-m', 'http.server', '--cgi', '-d', dir, '-b', '127.0.0.1', '0'], /port (\d+)/)
      figures.spawn.push(spawnRate)
      figures.servekit.push(servekit.rate)
      figures.python.push(python.rate)
      console.log(`round ${round}: servekit ${servekit.rate.toFixed(0)} req/s (${servekit.errors} errors), ` +
        `python ${python.rate.toFixed(0)} req/s (${python.errors} errors), bare spawn ${spawnRate.toFixed(0)}/s`)
    }
    const ratios = figures.servekit.map((rate, i) => ({ python: rate / (figures.python[i] as number), spawn: rate / (figures.spawn[i] as number) }))
    console.log(`\n${connections} connections, ${seconds} s per run, ${rounds} rounds`)
    console.log(`servekit      ${range(figures.servekit)} req/s`)
    console.log(`python3 -m http.server --cgi   ${range(figures.python)} req/s`)
    console.log(`bare spawn    ${range(figures.spawn)} /s`)
    console.log(`servekit / python       ${ratios.map((r) => r.python.toFixed(2)).join(', ')}`)
    console.log(`servekit / bare spawn   ${ratios.map((r) => r.spawn.toFixed(2)).join(', ')}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
