// What /proc tells about a server process: its memory (VmRSS now, VmHWM its
// peak, from /proc/<pid>/status), whether it is still busy and what the load
// cost it (CPU time, /proc/<pid>/stat).
import { readdirSync, readFileSync } from 'node:fs'

export interface Memory {
  rssBytes: number
  /** Peak resident set size since the process started (the kernel's high-water mark). */
  hwmBytes: number
}

export function parseProcStatus (text: string): Memory | undefined {
  const field = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text)
    return match === null ? undefined : Number(match[1]) * 1024
  }
  const rssBytes = field('VmRSS')
  const hwmBytes = field('VmHWM')
  return rssBytes === undefined || hwmBytes === undefined ? undefined : { rssBytes, hwmBytes }
}

/** Undefined where there is no /proc (not Linux) or the process is gone. */
export function readMemory (pid: number): Memory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return undefined
  }
}

export interface MemoryReport {
  /** RSS before the load began. */
  startRssBytes: number
  /** Highest RSS sampled during the load. */
  maxRssBytes: number
  /** VmHWM at the end: the peak, including between samples. */
  peakRssBytes: number
}

const SAMPLE_MS = 50

/** Samples RSS every 50 ms until stopped. Sync reads: a few microseconds, on the harness's CPU. */
export function sampleMemory (pid: number): { stop: () => MemoryReport | undefined } {
  const start = readMemory(pid)
  let max = start?.rssBytes ?? 0
  const timer = setInterval(() => {
    const now = readMemory(pid)
    if (now !== undefined) max = Math.max(max, now.rssBytes)
  }, SAMPLE_MS)
  return {
    stop: () => {
      clearInterval(timer)
      const end = readMemory(pid)
      if (start === undefined || end === undefined) return undefined
      return { startRssBytes: start.rssBytes, maxRssBytes: Math.max(max, end.rssBytes), peakRssBytes: end.hwmBytes }
    }
  }
}

/**
 * User plus system CPU time in clock ticks, from the text of /proc/<pid>/stat; with
 * `children`, also that of the children the process has reaped (a CGI server's scripts).
 */
export function parseCpuTicks (stat: string, { children = false } = {}): number | undefined {
  // Fields after the command name, which is in parentheses and may hold spaces:
  // state is field 3, utime 14 and stime 15, cutime 16 and cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = (children ? [11, 12, 13, 14] : [11, 12]).map((index) => Number(fields[index]))
  return ticks.every(Number.isFinite) ? ticks.reduce((sum, tick) => sum + tick, 0) : undefined
}

function cpuTicks (pid: number, children = false): number | undefined {
  try {
    return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'), { children })
  } catch {
    return undefined
  }
}

// /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second for
// user space whatever the kernel's own tick rate.
const TICKS_PER_SECOND = 100

/** The children of every thread of a process, from /proc/<pid>/task/<tid>/children. */
function childrenOf (pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter((id) => id.trim() !== '').map(Number)
      } catch {
        return []
      }
    })
  } catch {
    return []
  }
}

/**
 * CPU seconds of the process and its descendants, each with the children it has
 * reaped: a CGI script's time counts once its parent has waited for it, also when
 * that parent is a helper process of the server's own (Apache's mod_cgid daemon).
 * Undefined where there is no /proc or the process is gone.
 */
export function readCpuSeconds (pid: number): number | undefined {
  const own = cpuTicks(pid, true)
  if (own === undefined) return undefined
  let ticks = own
  const seen = new Set([pid])
  const queue = childrenOf(pid)
  while (queue.length > 0) {
    const child = queue.shift()!
    if (seen.has(child)) continue
    seen.add(child)
    ticks += cpuTicks(child, true) ?? 0
    queue.push(...childrenOf(child))
  }
  return ticks / TICKS_PER_SECOND
}

const IDLE_WINDOW_MS = 100
const IDLE_TIMEOUT_MS = 15_000

/**
 * Resolves once the process used at most one clock tick of CPU in 100 ms: after a
 * warm-up, a slow route (a big listing) may still be answering requests the load
 * generator abandoned, and that work must not eat into the measured window.
 * Gives up after 15 s, and at once where there is no /proc.
 */
export async function waitForIdle (pid: number): Promise<void> {
  const deadline = Date.now() + IDLE_TIMEOUT_MS
  let before = cpuTicks(pid)
  while (before !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS))
    const now = cpuTicks(pid)
    if (now === undefined || now - before <= 1) return
    before = now
  }
}
