// A pino logger that keeps its entries in memory, for tests that read the log.
import pino, { type Logger } from 'pino'

export type LogEntry = Record<string, unknown>

export interface MemoryLog {
  logger: Logger
  entries: LogEntry[]
  /** Resolves with the first entry, logged already or later, that satisfies `match`. */
  waitFor: (match: (entry: LogEntry) => boolean) => Promise<LogEntry>
}

export function memoryLog (): MemoryLog {
  const entries: LogEntry[] = []
  const waiters: Array<{ match: (entry: LogEntry) => boolean, resolve: (entry: LogEntry) => void }> = []
  const stream = {
    write (line: string): void {
      const entry = JSON.parse(line) as LogEntry
      entries.push(entry)
      for (const waiter of [...waiters]) {
        if (!waiter.match(entry)) continue
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(entry)
      }
    }
  }
  return {
    logger: pino({ level: 'info' }, stream),
    entries,
    waitFor: async (match) => {
      const seen = entries.find(match)
      if (seen !== undefined) return seen
      return await new Promise((resolve) => { waiters.push({ match, resolve }) })
    }
  }
}
