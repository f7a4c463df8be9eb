export interface SpawnedChild {
  pid: number
  /** The parent's end of the child's stdin (a Unix socket), or -1 when it reads /dev/null. */
  stdinFd: number
  /** The parent's end of the child's stdout (a pipe); close-on-exec, the caller's to close. */
  stdoutFd: number
  /** The parent's end of its stderr (a pipe), or -1 when stderr went to /dev/null. */
  stderrFd: number
}

export type OnExit = (code: number | null, signal: NodeJS.Signals | null) => void

/**
 * Starts `file` with `argv` (argv[0] included) and `envp` ("NAME=value") in `cwd`, in a
 * session of its own, every signal at its default. Throws an Error whose `code` is the
 * errno's name ('ENOENT', 'EACCES', ...) when it cannot start.
 */
/** Whether this kernel lets it reap through a pidfd (Linux 5.3+, pidfd_open not refused by seccomp): where not, spawn always fails. */
export function supported (): boolean

export function spawn (file: string, argv: readonly string[], envp: readonly string[], cwd: string | null, onExit: OnExit, pipeStderr?: boolean, pipeStdin?: boolean): SpawnedChild
