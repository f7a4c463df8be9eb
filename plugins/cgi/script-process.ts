// A script as a process group: started in a session of its own, so one signal to
// the group reaches everything it forked, and killed only while it is ours.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { DEFAULT_STDERR_MAX, readStderr } from './stderr-lines.js'

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
  /** SIGKILLs the whole process group, grandchildren included, while the script runs. */
  kill: () => void
}

export interface StartOptions {
  env: Record<string, string>
  cwd: string
  withStdin: boolean
  onStderrLine: (line: string) => void
  /** Bytes of stderr logged at most; past them, one line says so. Default 64 KiB. */
  stderrMax?: number
}

/**
 * Starts a script. Resolves once it runs; rejects with the spawn error (EACCES,
 * ENOENT for a missing #! interpreter, EAGAIN...) if it cannot.
 */
export async function startScript (file: string, options: StartOptions): Promise<ScriptProcess> {
  // RFC 3875 7.2: the script runs in its own folder. No arguments: 4.4 would pass an
  // indexed query's words as argv, which is how CVE-2012-1823 turned `?-s` into a
  // switch of php-cgi; Go and nginx pass none either.
  const child = spawn(file, [], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe']
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve).once('error', reject)
  })
  const pid = child.pid as number
  let running = true
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => { resolve({ code, signal }) })
  })
  const closed = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => {
      // Exited and reaped: the group id may now be reused, so never signal it again.
      running = false
      resolve({ code, signal })
    })
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
    kill: () => {
      if (!running) return
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // ESRCH: the group emptied in between. Nothing is left to stop.
      }
    }
  }
}
