// A script as a process group: started in a session of its own, so one signal to
// the group reaches everything it forked, and killed only while it is ours. The
// group ends with the script's response: once its output is closed and the script
// has exited, whatever it left running in the background is killed (a script that
// started 200 `sleep 30` and answered left 200 processes, counted by no slot), and a
// script that closed its output but lingers gets LINGER_MS to finish. Listed with
// its keeper (the spawner, or the guardian for scripts Node started) from spawn to
// that last kill, no group outlives servekit either. Three ways to start one, the
// cheapest first: the accelerator (servekit-spawn) when installed, the python3
// spawner once ready, Node's spawn.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { startAccelerated } from './accelerated-start.js'
import { accelerator } from './accelerator.js'
import { createGuardian } from './guardian.js'
import type { ExecPlan } from './exec-plan.js'
import { launchOf, NO_LIMITS, type ScriptLimits } from './limits.js'
import { createSpawner, type ExitStatus, type LaunchRequest } from './spawner.js'
import { DEFAULT_STDERR_MAX, readStderr } from './stderr-lines.js'

export type { ExitStatus } from './spawner.js'

/** How long a script that has closed its output may go on before its group is killed (Apache waits 3 s too). */
export const LINGER_MS = 3000

// One of each per servekit process (each cluster worker has its own), started with the first script.
const warn = (reason: string): void => { process.emitWarning(`cgi: ${reason}`) }
const guardian = createGuardian(warn)
const spawner = createSpawner(guardian, 'python3', warn)

/** The guardian's pid once a script has run with Node's spawn, for tests. */
export function guardianPid (): number | undefined {
  return guardian.pid
}

/** The spawner's pid once it runs, for tests. */
export function spawnerPid (): number | undefined {
  return spawner.pid
}

export interface ScriptProcess {
  /** null when the script gets no body: it reads /dev/null, one pipe fewer to make. */
  stdin: Writable | null
  stdout: Readable
  /** Settles when the script itself exits. */
  exited: Promise<ExitStatus>
  /** Settles once the script has exited and its output pipes are closed. */
  closed: Promise<ExitStatus>
  /** SIGKILLs the whole process group, grandchildren included, until its response has ended. */
  kill: () => void
}

export interface StartOptions {
  env: Record<string, string>
  cwd: string
  withStdin: boolean
  onStderrLine: (line: string) => void
  /** Bytes of stderr logged at most; past them, one line says so. Default 64 KiB. */
  stderrMax?: number
  /** Resource limits, applied through `prlimit` (its path) when any is set. */
  limits?: ScriptLimits
  prlimit?: string
  /** Start it with the accelerator or the spawner when there is one (spawner.ts); false: Node's spawn. Default true. */
  spawner?: boolean
  /** Start it with the accelerator (accelerator.ts) when it is installed. Default true. */
  accelerator?: boolean
}

/** A started script before servekit's own bookkeeping, however it was started. */
export interface Launched {
  pid: number
  stdin: Writable | null
  stdout: Readable
  stderr: Readable
  exited: Promise<ExitStatus>
  /** Settles once its stdout is closed. */
  stdoutClosed: Promise<void>
  /** Settles once it has exited and its output pipes are closed. */
  closed: Promise<ExitStatus>
  /** Servekit is done with the group: its keeper need not kill it if servekit dies. */
  release: () => void
}

async function spawnDirectly (request: LaunchRequest): Promise<Launched> {
  const child = spawn(request.command, request.args, {
    argv0: request.argv0,
    cwd: request.cwd,
    env: request.env,
    detached: true,
    stdio: [request.withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe']
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve).once('error', reject)
  })
  const pid = child.pid as number
  guardian.watch(pid)
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    stdoutClosed: new Promise((resolve) => { child.stdout.once('close', () => { resolve() }) }),
    exited: new Promise((resolve) => { child.once('exit', (code, signal) => { resolve({ code, signal }) }) }),
    closed: new Promise((resolve) => { child.once('close', (code, signal) => { resolve({ code, signal }) }) }),
    release: () => { guardian.release(pid) }
  }
}

/**
 * What Node does for a child's pipes when it exits (child_process flushStdio): its
 * input is closed, and output nobody reads is drained, so it closes and the script's
 * end is seen (a script refused before its output was read would otherwise hold its
 * slot and the timeout's timer until the timeout).
 */
function flushStdio (script: { stdin: Writable | null, stdout: Readable, stderr: Readable }): void {
  script.stdin?.destroy()
  for (const stream of [script.stdout, script.stderr]) {
    if (stream.readable && stream.listenerCount('readable') === 0) stream.resume()
  }
}

/** Node's spawn does this itself; a script started another way gets it here. */
function flushedOnExit<T extends { stdin: Writable | null, stdout: Readable, stderr: Readable, exited: Promise<ExitStatus> }> (script: T): T {
  void script.exited.then(() => { process.nextTick(flushStdio, script) })
  return script
}

async function launchScript (request: LaunchRequest, useSpawner: boolean, useAccelerator: boolean): Promise<Launched> {
  const addon = useSpawner && useAccelerator ? accelerator() : undefined
  if (addon !== undefined) return flushedOnExit(startAccelerated(addon, guardian, request))
  const started = useSpawner ? spawner.start(request) : undefined
  if (started === undefined) return await spawnDirectly(request)
  const script = flushedOnExit(await started)
  const outputs = Promise.all([script.stdoutClosed, script.stderrClosed])
  return { ...script, closed: outputs.then(async () => await script.exited) }
}

/**
 * Starts a script. Resolves once it runs; rejects with the spawn error (EACCES,
 * ENOENT for a missing #! interpreter, EAGAIN...) if it cannot.
 */
export async function startScript (plan: ExecPlan, options: StartOptions): Promise<ScriptProcess> {
  // RFC 3875 7.2: the script runs in its own folder. No arguments from the request
  // (argv is the plan's alone): 4.4 would pass an indexed query's words as argv, which
  // is how CVE-2012-1823 turned `?-s` into a switch of php-cgi; Go and nginx pass none.
  const launch = launchOf(plan, options.limits ?? NO_LIMITS, options.prlimit)
  const stderrMax = options.stderrMax ?? DEFAULT_STDERR_MAX
  const child = await launchScript({ ...launch, cwd: options.cwd, env: options.env, withStdin: options.withStdin, stderrMax }, options.spawner ?? true, options.accelerator ?? true)
  const pid = child.pid
  let ours = true
  const killGroup = (): void => {
    if (!ours) return
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // ESRCH: the group emptied in between. Nothing is left to stop.
    }
  }
  // The last signal to the group. The script is reaped by then, but the id cannot
  // have come round again within the moment since: Linux hands out pids in a cycle.
  const end = (): void => {
    clearTimeout(linger)
    killGroup()
    ours = false
    child.release()
  }
  let linger: NodeJS.Timeout | undefined
  let scriptExited = false
  let outputClosed = false
  const exited = child.exited.then((status) => {
    scriptExited = true
    if (outputClosed) end()
    return status
  })
  void child.stdoutClosed.then(() => {
    outputClosed = true
    if (scriptExited) end()
    else linger = setTimeout(end, LINGER_MS)
  })
  // A script need not read its input (RFC 3875 4.2): EPIPE on stdin is no error.
  child.stdin?.on('error', () => {})
  readStderr(child.stderr, {
    onLine: options.onStderrLine,
    onTruncated: (max) => { options.onStderrLine(`stderr truncated: more than ${max} bytes; the rest was discarded`) },
    max: stderrMax
  })

  return {
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    closed: child.closed,
    kill: killGroup
  }
}
