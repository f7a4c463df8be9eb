// Runs the built CLI as a user would, and waits for what it prints rather than for time.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { code, FROM_SOURCE, NODE_ARGS, REPO } from './repo.js'

/** The command as installed: the bundle `npm run build` makes (scripts/bundle-cli.mjs), or the source. */
export const CLI = FROM_SOURCE ? code('src/cli') : join(REPO, 'dist', 'cli', 'servekit.js')

/** `node` arguments that run the CLI with `args`, compiled or from source. */
export function cliArgs (args: readonly string[]): string[] {
  return [...NODE_ARGS, CLI, ...args]
}

export interface CliRun {
  child: ChildProcess
  /** Resolves with the first stdout JSON log line that satisfies `match`. */
  waitForLog: (match: (entry: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>
  logs: () => Array<Record<string, unknown>>
  /** Everything written to stderr so far. */
  stderr: () => string
}

export function runCli (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliRun {
  return runCommand(process.execPath, cliArgs(args), env, cwd)
}

/** Runs any command that logs as servekit does, e.g. an installed `servekit`. */
export function runCommand (command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliRun {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  const entries: Array<Record<string, unknown>> = []
  const waiters: Array<{ match: (e: Record<string, unknown>) => boolean, resolve: (e: Record<string, unknown>) => void }> = []
  let partial = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    partial += chunk
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line) as Record<string, unknown>
      } catch {
        continue
      }
      entries.push(entry)
      for (const waiter of [...waiters]) {
        if (waiter.match(entry)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(entry)
        }
      }
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  return {
    child,
    exited,
    logs: () => entries,
    stderr: () => stderr,
    waitForLog: async (match) => {
      const seen = entries.find(match)
      if (seen !== undefined) return seen
      return await new Promise((resolve, reject) => {
        waiters.push({ match, resolve })
        exited.then(({ code, stderr }) => reject(new Error(`servekit exited (${code}) before the expected log line; stderr: ${stderr}`)))
      })
    }
  }
}

/** Waits for the start-up line and returns the port it reports. */
export async function started (run: CliRun): Promise<number> {
  const entry = await run.waitForLog((e) => typeof e.msg === 'string' && e.msg.startsWith('Serving HTTP'))
  return entry.port as number
}
