// servekit-spawn (packages/spawn), the optional accelerator: a small N-API addon that
// starts scripts with glibc's posix_spawn from servekit itself (clone with CLONE_VM
// and CLONE_VFORK: no copy of servekit's page tables) and reaps them through a pidfd
// on Node's own loop. Found as ws finds bufferutil: used when it is installed beside
// servekit and loads, and otherwise scripts start through the python3 spawner or
// Node's spawn as before. Its measured cost against both: docs/cgi.md.
import { createRequire } from 'node:module'

export interface AcceleratedChild {
  pid: number
  /** Our end of the script's stdin (a Unix socket), or -1 when it reads /dev/null. */
  stdinFd: number
  /** Our end of its stdout, a pipe. */
  stdoutFd: number
  /** Our end of its stderr, a pipe; -1 with pipeStderr false (/dev/null). */
  stderrFd: number
}

export interface Accelerator {
  /** Whether this kernel lets it reap through a pidfd (Linux 5.3+, pidfd_open not refused by seccomp). */
  supported: () => boolean
  /** Throws an Error with `code` ('ENOENT', 'EACCES', ...) as Node's spawn errors when the script cannot start. */
  spawn: (file: string, argv: readonly string[], envp: readonly string[], cwd: string | null,
    onExit: (code: number | null, signal: NodeJS.Signals | null) => void, pipeStderr?: boolean, pipeStdin?: boolean) => AcceleratedChild
}

const ACCELERATOR_PACKAGE = 'servekit-spawn'

let loaded: Accelerator | null | undefined

/** The accelerator when it is installed and built for this platform, else undefined; looked for once. */
export function accelerator (): Accelerator | undefined {
  if (loaded === undefined) {
    try {
      const found = createRequire(import.meta.url)(ACCELERATOR_PACKAGE) as Partial<Accelerator>
      // Where it loads but cannot reap (an old kernel, a seccomp profile), it is as absent.
      loaded = typeof found.spawn === 'function' && typeof found.supported === 'function' && found.supported() ? found as Accelerator : null
    } catch {
      // Not installed, not built (no compiler at install), or not this platform.
      loaded = null
    }
  }
  return loaded ?? undefined
}
