// Server on one CPU, load generator (and this harness) on another, with taskset:
// on a 2-core machine the two would otherwise fight over the same core.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { findExecutable } from './capabilities.js'
import type { Pinning } from './process.js'

const run = promisify(execFile)

/** Parses a Linux CPU list such as `0-2,5` (from `taskset -pc`) into CPU numbers. */
export function parseCpuList (text: string): number[] {
  const cpus = new Set<number>()
  for (const part of text.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (range === null) continue
    const first = Number(range[1])
    const last = range[2] === undefined ? first : Number(range[2])
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu)
  }
  return [...cpus].sort((a, b) => a - b)
}

/** CPUs this process may run on. */
async function allowedCpus (taskset: string): Promise<number[]> {
  try {
    const { stdout } = await run(taskset, ['-pc', String(process.pid)])
    return parseCpuList(stdout.split(':').pop() ?? '')
  } catch {
    return []
  }
}

export interface Pins {
  server?: Pinning
  load?: Pinning
  description: string
}

export async function pinCpus (enabled: boolean): Promise<Pins> {
  if (!enabled) return { description: 'not pinned (--no-pin)' }
  const taskset = await findExecutable('taskset')
  if (taskset === undefined) return { description: 'not pinned: taskset not found' }
  const cpus = await allowedCpus(taskset)
  if (cpus.length < 2) return { description: `not pinned: only CPU ${cpus.join(',') || '?'} available` }
  const [serverCpu, loadCpu] = cpus as [number, number]
  // The harness itself (RSS sampling, orchestration) shares the load generator's
  // CPU; -a pins its existing threads too.
  await run(taskset, ['-a', '-pc', String(loadCpu), String(process.pid)])
  return {
    server: { taskset, cpu: serverCpu },
    load: { taskset, cpu: loadCpu },
    description: `server on CPU ${serverCpu}, load generator and harness on CPU ${loadCpu} (taskset)`
  }
}
