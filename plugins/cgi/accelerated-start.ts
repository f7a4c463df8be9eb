// A script started by the accelerator (accelerator.ts): its descriptors as streams,
// its group listed with the guardian from spawn to release, as for Node's spawn.
import { closeSync } from 'node:fs'
import { Socket } from 'node:net'
import type { AcceleratedChild, Accelerator } from './accelerator.js'
import type { Guardian } from './guardian.js'
import type { Launched } from './script-process.js'
import type { ExitStatus, LaunchRequest } from './spawner.js'

/** `{ NAME: value }` as the `NAME=value` strings execve takes; unset values dropped. */
export function envPairs (env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([name, value]) => value === undefined ? [] : [`${name}=${value}`])
}

const closedOf = async (socket: Socket): Promise<void> => await new Promise((resolve) => { socket.once('close', () => { resolve() }) })

function abandon (child: AcceleratedChild, guardian: Guardian, made: readonly Socket[]): void {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {}
  for (const socket of made) socket.destroy()
  for (const fd of [child.stdoutFd, child.stderrFd, child.stdinFd].slice(made.length)) {
    try {
      if (fd >= 0) closeSync(fd)
    } catch {}
  }
  guardian.release(child.pid)
}

/** Starts the script; throws the spawn error (EACCES, ENOENT...) as Node's spawn would report it. */
export function startAccelerated (addon: Accelerator, guardian: Guardian, request: LaunchRequest): Launched {
  let exit!: (status: ExitStatus) => void
  const exited = new Promise<ExitStatus>((resolve) => { exit = resolve })
  const child = addon.spawn(request.command, [request.argv0, ...request.args], envPairs(request.env), request.cwd,
    (code, signal) => { exit({ code, signal }) }, true, request.withStdin)
  // Each descriptor becomes a stream; one that cannot (no such thing is known to happen)
  // leaves the script stopped and every descriptor closed, not running with nobody to end it.
  const made: Socket[] = []
  const wrap = (fd: number, writable: boolean): Socket => {
    const socket = new Socket({ fd, readable: !writable, writable })
    made.push(socket)
    return socket
  }
  let stdout: Socket, stderr: Socket, stdin: Socket | null
  try {
    guardian.watch(child.pid)
    stdout = wrap(child.stdoutFd, false)
    stderr = wrap(child.stderrFd, false)
    stdin = child.stdinFd < 0 ? null : wrap(child.stdinFd, true)
  } catch (error) {
    abandon(child, guardian, made)
    throw error
  }
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
