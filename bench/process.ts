// Starting a server pinned to its CPU, waiting until it answers, and stopping it.
import { spawn, type ChildProcess } from 'node:child_process'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Command } from './servers.js'
import { probe, type ProbeRequest, type ProbeResponse, type Target } from './probe.js'

export interface Launched {
  child: ChildProcess
  pid: number
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<string>
  /** Why it may have failed, from the end of its output, for error messages. */
  lastWords: () => string
  stop: () => Promise<void>
}

export interface Pinning {
  taskset: string
  cpu: number
}

function read (file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/**
 * The last lines of stderr, else the last error entries of a JSON log on stdout
 * (pino level 50 and up: servekit logs its own crashes there).
 */
export function lastWordsOf (stderr: string, stdout: string): string {
  const lines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter((line) => line !== '')
  const errors = lines(stderr)
  if (errors.length > 0) return errors.slice(-3).join(' | ').slice(0, 500)
  const entries = lines(stdout).flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { level?: number, msg?: string, err?: { message?: string } }
      return (entry.level ?? 0) >= 50 ? [[entry.msg, entry.err?.message].filter(Boolean).join(': ')] : []
    } catch {
      return []
    }
  })
  return entries.slice(-2).join(' | ').slice(0, 500)
}

/** `file args`, or taskset running it on the pinned CPU (taskset execs it: the pid stays the program's). */
export function pinnedCommand (file: string, args: readonly string[], pin: Pinning | undefined): [string, string[]] {
  return pin === undefined ? [file, [...args]] : [pin.taskset, ['-c', String(pin.cpu), file, ...args]]
}

/** Signals a server's whole process group (its workers, its scripts' shells); gone already is fine. */
function signalGroup (pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {}
}

// Servers run in process groups of their own, which the terminal's Ctrl-C does not
// reach: the harness passes it on, so an interrupted run leaves no server behind.
const running = new Map<number, Promise<string>>()
let interrupted = false

async function stopAll (signal: NodeJS.Signals): Promise<never> {
  interrupted = true
  process.stderr.write(`\nbench: ${signal}, stopping ${running.size} server(s)\n`)
  for (const pid of running.keys()) signalGroup(pid, 'SIGTERM')
  const timer = setTimeout(() => { for (const pid of running.keys()) signalGroup(pid, 'SIGKILL') }, 3_000)
  await Promise.all(running.values())
  clearTimeout(timer)
  process.exit(signal === 'SIGINT' ? 130 : 143)
}

let forwarding = false
function forwardInterrupts (): void {
  if (forwarding) return
  forwarding = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { if (!interrupted) void stopAll(signal) })
}

/** Output goes to files, never through a pipe the (unpinned) harness would have to drain. */
export function launch (command: Command, logs: { stdout: string, stderr: string }, pin: Pinning | undefined): Launched {
  const out = openSync(logs.stdout, 'w')
  const err = openSync(logs.stderr, 'w')
  // The pid is the server's own (for /proc sampling), and its group's id.
  const [file, args] = pinnedCommand(command.command, command.args, pin)
  const child = spawn(file, args, { cwd: command.cwd, env: command.env, stdio: ['ignore', out, err], detached: true })
  closeSync(out)
  closeSync(err)
  const pid = child.pid ?? -1
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(pid)
      // What it left in its group (a peer's workers, a stuck child) goes with it.
      signalGroup(pid, 'SIGKILL')
      resolve(signal ?? String(code))
    })
    child.once('error', (error) => { running.delete(pid); resolve(error.message) })
  })
  if (pid > 0) running.set(pid, exited)
  forwardInterrupts()
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    signalGroup(pid, 'SIGTERM')
    // servekit drains and exits 0 (which writes a --cpu-prof profile); anything stuck is killed.
    const timer = setTimeout(() => { signalGroup(pid, 'SIGKILL') }, 5_000)
    await exited
    clearTimeout(timer)
  }
  const lastWords = (): string => lastWordsOf(read(logs.stderr), read(logs.stdout))
  return { child, pid, exited, lastWords, stop }
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const RETRY_MS = 5
/** Errors of a server not listening yet (or closing a connection it accepted too early). */
const NOT_READY = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

/**
 * Polls until the server answers the request (any status), or it exits, or the
 * deadline passes. Refused connections are retried after a few milliseconds;
 * any other failure (a malformed answer, a timeout) ends the wait.
 */
export async function waitForAnswer (server: Launched, target: Target, request: ProbeRequest, deadlineMs = 20_000): Promise<ProbeResponse> {
  const deadline = Date.now() + deadlineMs
  let exitedWith: string | undefined
  void server.exited.then((code) => { exitedWith = code })
  for (;;) {
    try {
      return await probe(target, request)
    } catch (error) {
      if (exitedWith !== undefined) throw new Error(`exited (${exitedWith}) before answering: ${server.lastWords() || 'no output'}`)
      if (!NOT_READY.has((error as NodeJS.ErrnoException).code ?? '')) throw error
      if (Date.now() > deadline) throw new Error(`no answer within ${deadlineMs / 1000} s: ${(error as Error).message}`)
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
    }
  }
}
