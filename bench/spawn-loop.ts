// What one start of a script costs, per way of starting it (issue 18): a fresh Node
// process holding ~100 MB of heap, as servekit does, pinned to CPU 0 with its
// children, starts `/bin/sh -c 'echo hi'` in a loop for N seconds, C at a time, and
// reports starts/s, its own CPU per start and the total with the children's (from
// /proc/self/stat, counted as each child is reaped).
//
//   npm run build
//   node dist/bench/spawn-loop.js [--seconds 5] [--concurrency 4] [--heap-mb 100]
//        [--ways spawn,addon,addon-fs] [--script FILE]
//
// Ways: spawn is child_process.spawn; addon is the posix_spawn prototype with its
// pipes read as net.Sockets (libuv pipe handles); addon-fs the same, read with
// fs.createReadStream (thread-pool reads). All three pipe stdout and stderr,
// stdin on /dev/null, the same environment.
import { spawn } from 'node:child_process'
import { createReadStream, readFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Readable } from 'node:stream'
import { pinnedCommand } from './process.js'
import { parseCpuTicks } from './proc.js'
import { envPairs } from '../plugins/cgi/accelerated-start.js'
import { accelerator } from '../plugins/cgi/accelerator.js'

const WAYS = ['spawn', 'addon', 'addon-fs'] as const
type Way = typeof WAYS[number]

interface Result {
  way: Way
  starts: number
  seconds: number
  parentCpuUs: number
  childrenCpuUs: number
  heapMb: number
  rssMb: number
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '4' },
    'heap-mb': { type: 'string', default: '100' },
    ways: { type: 'string', default: WAYS.join(',') },
    script: { type: 'string' },
    worker: { type: 'string' }
  }
})

// /proc counts CPU in USER_HZ ticks, 100 a second on Linux.
const TICKS_PER_SECOND = 100
const WARM_UP_MS = 500
const ENV = { PATH: '/usr/bin:/bin' }

function command (): [string, string[]] {
  return values.script === undefined ? ['/bin/sh', ['/bin/sh', '-c', 'echo hi']] : [values.script, [values.script]]
}

/** Objects kept alive until the process ends: a heap like servekit's, for its forks to copy. */
function ballast (megabytes: number): unknown[] {
  const kept: unknown[] = []
  while (process.memoryUsage().heapUsed < megabytes * 2 ** 20) {
    kept.push(Array.from({ length: 10_000 }, (_, i) => ({ i, name: `entry-${kept.length}-${i}`, tags: [i, i + 1] })))
  }
  return kept
}

async function drained (stream: Readable): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.on('error', reject).on('close', resolve).resume())
}

function startWith (way: Way): () => Promise<void> {
  const [file, argv] = command()
  if (way === 'spawn') {
    return async () => await new Promise<void>((resolve, reject) => {
      spawn(file, argv.slice(1), { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] }).on('error', reject).on('close', () => resolve())
    })
  }
  const addon = accelerator()
  if (addon === undefined) throw new Error('servekit-spawn is not built (npm install builds packages/spawn)')
  const envp = envPairs(ENV)
  const open = way === 'addon'
    ? (fd: number): Readable => new Socket({ fd, readable: true, writable: false })
    : (fd: number): Readable => createReadStream('', { fd })
  return async () => {
    let exited!: () => void
    const exit = new Promise<void>((resolve) => { exited = resolve })
    const child = addon.spawn(file, argv, envp, null, () => exited(), true)
    await Promise.all([drained(open(child.stdoutFd)), drained(open(child.stderrFd)), exit])
  }
}

function ownAndChildrenTicks (): { own: number, all: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  return { own: parseCpuTicks(stat) ?? NaN, all: parseCpuTicks(stat, { children: true }) ?? NaN }
}

async function work (way: Way): Promise<Result> {
  const kept = ballast(Number(values['heap-mb']))
  const start = startWith(way)
  const concurrency = Number(values.concurrency)
  const loop = async (until: number): Promise<number> => {
    let done = 0
    while (Date.now() < until) {
      await start()
      done++
    }
    return done
  }
  const lanes = async (until: number): Promise<number> =>
    (await Promise.all(Array.from({ length: concurrency }, async () => await loop(until)))).reduce((a, b) => a + b, 0)
  await lanes(Date.now() + WARM_UP_MS)
  const cpuBefore = process.cpuUsage()
  const ticksBefore = ownAndChildrenTicks()
  const began = process.hrtime.bigint()
  // Every lane finishes its last start before returning: all children reaped, all counted.
  const starts = await lanes(Date.now() + Number(values.seconds) * 1000)
  const seconds = Number(process.hrtime.bigint() - began) / 1e9
  const cpu = process.cpuUsage(cpuBefore)
  const ticksAfter = ownAndChildrenTicks()
  const childrenTicks = (ticksAfter.all - ticksAfter.own) - (ticksBefore.all - ticksBefore.own)
  const memory = process.memoryUsage()
  if (kept.length === 0) throw new Error('no ballast')
  return {
    way,
    starts,
    seconds,
    parentCpuUs: cpu.user + cpu.system,
    childrenCpuUs: childrenTicks * (1e6 / TICKS_PER_SECOND),
    heapMb: memory.heapUsed / 2 ** 20,
    rssMb: memory.rss / 2 ** 20
  }
}

/** One way, in a fresh Node process pinned (with its children) to CPU 0. */
async function runPinned (way: Way): Promise<Result> {
  const passOn = ['seconds', 'concurrency', 'heap-mb', 'script'] as const
  const args = [fileURLToPath(import.meta.url), '--worker', way, ...passOn.flatMap((name) => values[name] === undefined ? [] : [`--${name}`, String(values[name])])]
  const [file, argv] = pinnedCommand(process.execPath, args, { taskset: 'taskset', cpu: 0 })
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const code = await new Promise((resolve) => child.on('close', resolve))
  if (code !== 0) throw new Error(`${way}: the worker exited ${String(code)}`)
  return JSON.parse(out) as Result
}

if (values.worker !== undefined) {
  if (!(WAYS as readonly string[]).includes(values.worker)) throw new Error(`unknown way ${values.worker}`)
  process.stdout.write(JSON.stringify(await work(values.worker as Way)))
} else {
  const ways = values.ways.split(',').filter((way): way is Way => (WAYS as readonly string[]).includes(way))
  console.log(`${command()[1].join(' ')}: ${values.seconds} s each, concurrency ${values.concurrency}, ~${values['heap-mb']} MB heap, pinned to CPU 0`)
  console.log('way        starts/s  parent µs/start  total µs/start  heap MB  RSS MB')
  for (const way of ways) {
    const r = await runPinned(way)
    const row = [
      way.padEnd(9),
      (r.starts / r.seconds).toFixed(0).padStart(9),
      (r.parentCpuUs / r.starts).toFixed(0).padStart(16),
      ((r.parentCpuUs + r.childrenCpuUs) / r.starts).toFixed(0).padStart(15),
      r.heapMb.toFixed(0).padStart(8),
      r.rssMb.toFixed(0).padStart(7)
    ]
    console.log(row.join(' '))
  }
}
