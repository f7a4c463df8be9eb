// Memory of a server process from /proc/<pid>/status: VmRSS now, VmHWM its peak.
import { readFileSync } from 'node:fs'

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
