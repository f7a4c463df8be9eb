// Waiting for conditions that have no event to wait on, such as a process being gone.
import { readFileSync } from 'node:fs'
import { readdir, readlink } from 'node:fs/promises'

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** True once `pid` no longer runs: no such process, or a zombie waiting to be reaped. */
export function processGone (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    // The state follows the parenthesised command name in /proc/PID/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return true
  }
}

/** Pids of the live processes whose working folder is `dir` or under it: a script's, and all it forked, whoever their parent has become. */
export async function processesIn (dir: string): Promise<number[]> {
  const found: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const cwd = await readlink(`/proc/${name}/cwd`).catch(() => '')
    if ((cwd === dir || cwd.startsWith(dir + '/')) && !processGone(Number(name))) found.push(Number(name))
  }
  return found
}
