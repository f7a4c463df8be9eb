// Resource limits per script, off unless asked for, applied as rlimits by util-linux
// `prlimit`, which sets them on itself and then execs the script (same pid, argv,
// folder and environment; only a failure to exec looks different: prlimit says why
// on stderr and exits 126 or 127, a 502, where a direct spawn gives 403 for a file
// that cannot be run). Each limit is per process and inherited by what the script
// forks, as Apache's RLimitCPU, RLimitMEM and RLimitNPROC are:
// - memory: RLIMIT_DATA, the process's heap and private writable mappings; an
//   allocation past it fails (malloc returns NULL). Address space merely reserved,
//   as runtimes like Go's and V8 do, is not counted, so they still start.
// - cpu: RLIMIT_CPU, seconds of CPU each process may use; SIGXCPU then, SIGKILL a
//   second later. Wall-clock time is the timeout's job.
// - processes: RLIMIT_NPROC, checked at fork against every process (and thread) of
//   the user servekit runs as, not the script's alone: a fork bomb stops there.
//   Root and CAP_SYS_RESOURCE are exempt, as the kernel has it.
import { accessSync, constants } from 'node:fs'
import { OptionError } from '../../src/errors.js'
import type { ExecPlan } from './exec-plan.js'

export interface ScriptLimits {
  /** Bytes; 0 for none. */
  memory: number
  /** CPU seconds; 0 for none. */
  cpu: number
  /** Processes of the user; 0 for none. */
  processes: number
}

export const NO_LIMITS: ScriptLimits = { memory: 0, cpu: 0, processes: 0 }

const PRLIMIT_PLACES = ['/usr/bin/prlimit', '/bin/prlimit', '/usr/sbin/prlimit', '/sbin/prlimit']

/** prlimit's arguments for these limits, or undefined when none is set. Soft and hard alike, so a script cannot raise them. */
export function prlimitArguments (limits: ScriptLimits): string[] | undefined {
  const args: string[] = []
  if (limits.memory > 0) args.push(`--data=${limits.memory}`)
  // The hard limit a second later: SIGXCPU may be caught, SIGKILL not.
  if (limits.cpu > 0) args.push(`--cpu=${limits.cpu}:${limits.cpu + 1}`)
  if (limits.processes > 0) args.push(`--nproc=${limits.processes}`)
  return args.length === 0 ? undefined : args
}

/** Where prlimit is, checked once at start-up when a limit is set; the option named if it is missing. */
export function findPrlimit (option: string): string {
  for (const place of PRLIMIT_PLACES) {
    try {
      accessSync(place, constants.X_OK)
      return place
    } catch {}
  }
  throw new OptionError(option, `${option}: CGI resource limits need prlimit (util-linux), not found in ${PRLIMIT_PLACES.join(', ')}`)
}

/**
 * The command a script is started with: its plan (exec-plan.ts), or prlimit and its
 * limits, then the plan's command (argv[0] is then the command: a binary run through
 * its descriptor sees /proc/<pid>/fd/<n> there).
 */
export function launchOf (plan: ExecPlan, limits: ScriptLimits, prlimit: string | undefined): ExecPlan {
  const args = prlimitArguments(limits)
  if (args === undefined || prlimit === undefined) return plan
  return { command: prlimit, args: [...args, '--', plan.command, ...plan.args], argv0: prlimit }
}
