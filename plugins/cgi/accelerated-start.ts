// A script started by the accelerator (accelerator.ts): its descriptors as streams,
// its group listed with the guardian from spawn to release, as for Node's spawn.
import { Socket } from 'node:net'
import type { Accelerator } from './accelerator.js'
import type { Guardian } from './guardian.js'
import type { ExitStatus, LaunchRequest } from './spawner.js'

export interface AcceleratedScript {
  pid: number
  stdin: Socket | null
  stdout: Socket
  stderr: Socket
  exited: Promise<ExitStatus>
  stdoutClosed: Promise<void>
  /** Settles once it has exited and its output pipes are closed. */
  closed: Promise<ExitStatus>
  release: () => void
}

/** `{ NAME: value }` as the `NAME=value` strings execve takes; unset values dropped. */
export function envPairs (env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([name, value]) => value === undefined ? [] : [`${name}=${value}`])
}

const closedOf = async (socket: Socket): Promise<void> => await new Promise((resolve) => { socket.once('close', () => { resolve() }) })

/** Starts the script; throws the spawn error (EACCES, ENOENT...) as Node's spawn would report it. */
export function startAccelerated (addon: Accelerator, guardian: Guardian, request: LaunchRequest): AcceleratedScript {
  let exit!: (status: ExitStatus) => void
  const exited = new Promise<ExitStatus>((resolve) => { exit = resolve })
  const child = addon.spawn(request.command, [request.argv0, ...request.args], envPairs(request.env), request.cwd,
    (code, signal) => { exit({ code, signal }) }, true, request.withStdin)
  guardian.watch(child.pid)
  const stdout = new Socket({ fd: child.stdoutFd, readable: true, writable: false })
  const stderr = new Socket({ fd: child.stderrFd, readable: true, writable: false })
  const stdin = child.stdinFd < 0 ? null : new Socket({ fd: child.stdinFd, readable: false, writable: true })
  const stdoutClosed = closedOf(stdout)
  const outputs = Promise.all([stdoutClosed, closedOf(stderr)])
  return {
    pid: child.pid,
    stdin,
    stdout,
    stderr,
    exited,
    stdoutClosed,
    closed: outputs.then(async () => await exited),
    release: () => { guardian.release(child.pid) }
  }
}
