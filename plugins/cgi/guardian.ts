// No script outlives servekit, however servekit ends. SIGTERM and SIGHUP give it
// time to kill its scripts' process groups; SIGKILL, the OOM killer or a crash do
// not, and every script and what it forked ran on (12 processes left by 6 scripts).
// A parent-death signal (prctl PR_SET_PDEATHSIG, `setpriv --pdeathsig`) would reach
// only the script itself, not what it forked, and costs an exec step per script.
//
// Instead one small shell per servekit process, in a session of its own, holds the
// list of the process groups servekit runs and reads on its stdin, a pipe from
// servekit. A pipe's reader sees its end when the last writer goes, and the kernel
// closes a dead process's pipes however it died: then the guardian kills every group
// still listed and exits. Per script it costs two short writes ("+pgid", "-pgid").
// A group is listed from its spawn until servekit has killed it for the last time,
// so its id cannot have been reused meanwhile.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'

// `read` ends at EOF. Signals that would stop a whole terminal session or service
// are ignored: servekit stops its scripts itself on those, then closes the pipe.
const GUARD = `trap '' INT TERM HUP QUIT
groups=' '
while read -r op id; do
  case $op$groups in
    +*) groups="$groups$id " ;;
    -*" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;;
  esac
done
for id in $groups; do kill -s KILL -- "-$id" 2>/dev/null; done`

export interface Guardian {
  /** Lists a process group: killed if servekit dies while it is listed. */
  watch: (pgid: number) => void
  /** Takes it off the list: servekit has killed it or seen it end. */
  release: (pgid: number) => void
  /** The guardian's pid, for tests; undefined until the first `watch`. */
  readonly pid: number | undefined
}

export function createGuardian (onFailure: (reason: string) => void = () => {}): Guardian {
  const groups = new Set<number>()
  let guard: ChildProcess | undefined

  function start (): ChildProcess {
    const child = spawn('/bin/sh', ['-c', GUARD], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
    // Neither the process nor its pipe keeps servekit from exiting.
    child.unref()
    ;(child.stdin as Socket).unref()
    child.stdin!.on('error', () => {})
    child.once('error', (error) => { onFailure(`cannot start the process guardian: ${error.message}`) })
    child.once('exit', () => {
      if (guard !== child) return
      guard = undefined
      onFailure('the process guardian ended; started again for the next script')
    })
    // The groups listed already, for a guardian started again.
    if (groups.size > 0) child.stdin!.write([...groups].map((id) => `+ ${id}\n`).join(''))
    return child
  }

  return {
    watch (pgid) {
      groups.add(pgid)
      if (guard === undefined) guard = start()
      else guard.stdin!.write(`+ ${pgid}\n`)
    },
    release (pgid) {
      if (!groups.delete(pgid)) return
      guard?.stdin!.write(`- ${pgid}\n`)
    },
    get pid () { return guard?.pid }
  }
}
