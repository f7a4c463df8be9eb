// A script as a process group: started in a session of its own, so one signal to
// the group reaches everything it forked, and killed only while it is ours. The
// group ends with the script's response: once its output is closed and the script
// has exited, whatever it left running in the background is killed (a script that
// started 200 `sleep 30` and answered left 200 processes, counted by no slot), and a
// script that closed its output but lingers gets LINGER_MS to finish. Listed with
// the guardian from spawn to that last kill, no group outlives servekit either.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { createGuardian } from './guardian.js'
import { launchOf, NO_LIMITS, type ScriptLimits } from './limits.js'
import { DEFAULT_STDERR_MAX, readStderr } from './stderr-lines.js'

/** How long a script that has closed its output may go on before its group is killed (Apache waits 3 s too). */
export const LINGER_MS = 3000

// One per servekit process (each cluster worker has its own), started with the first script.
const guardian = createGuardian((reason) => { process.emitWarning(`cgi: ${reason}`) })

/** The guardian's pid once a script has run, for tests. */
export function guardianPid (): number | undefined {
  return guardian.pid
}

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
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
}

/**
 * Starts a script. Resolves once it runs; rejects with the spawn error (EACCES,
 * ENOENT for a missing #! interpreter, EAGAIN...) if it cannot.
 */
export async function startScript (file: string, options: StartOptions): Promise<ScriptProcess> {
  // RFC 3875 7.2: the script runs in its own folder. No arguments: 4.4 would pass an
  // indexed query's words as argv, which is how CVE-2012-1823 turned `?-s` into a
  // switch of php-cgi; Go and nginx pass none either.
  const launch = launchOf(file, options.limits ?? NO_LIMITS, options.prlimit)
  const child = spawn(launch.command, launch.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe']
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve).once('error', reject)
  })
  const pid = child.pid as number
  guardian.watch(pid)
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
    guardian.release(pid)
  }
  let linger: NodeJS.Timeout | undefined
  let scriptExited = false
  let outputClosed = false
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      scriptExited = true
      if (outputClosed) end()
      resolve({ code, signal })
    })
  })
  child.stdout.once('close', () => {
    outputClosed = true
    if (scriptExited) end()
    else linger = setTimeout(end, LINGER_MS)
  })
  const closed = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => { resolve({ code, signal }) })
  })
  // A script need not read its input (RFC 3875 4.2): EPIPE on stdin is no error.
  child.stdin?.on('error', () => {})
  readStderr(child.stderr, {
    onLine: options.onStderrLine,
    onTruncated: (max) => { options.onStderrLine(`stderr truncated: more than ${max} bytes; the rest was discarded`) },
    max: options.stderrMax ?? DEFAULT_STDERR_MAX
  })

  return {
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    closed,
    kill: killGroup
  }
}
