// The CGI plugin's options and their validation, done once at registration, so a
// bad value fails the start with a message naming it.
import { tmpdir } from 'node:os'
import { dirname } from 'node:path'
import { OptionError } from '../../src/errors.js'
import { inBounds, OPTIONS, type NumberSpec } from '../../src/option-table.js'
import { realDirectory } from '../../src/real-directory.js'
import { DEFAULT_PATH } from './environment.js'
import { findPrlimit, type ScriptLimits } from './limits.js'

export interface CgiOptions {
  /** Folder of scripts; resolved with realpath once, at registration. */
  dir: string
  /** URL path the folder answers under. Default `/cgi-bin`. */
  mount?: string
  /** The served folder: DOCUMENT_ROOT and the base of PATH_TRANSLATED. Default: the parent of `dir`. */
  documentRoot?: string
  /** Milliseconds a script may run, at most a day; then its process group is killed (504). Default 60000. */
  timeout?: number
  /** Scripts running at once, 1 to 10000. Default 32. */
  maxConcurrent?: number
  /** Requests that may wait for a slot (0 to 100000), each at most `timeout`; beyond that, 503. Default 256. */
  queue?: number
  /** Server variables every script gets besides RFC 3875's. Default `{ PATH: '/usr/local/bin:/usr/bin:/bin' }`. */
  env?: Record<string, string>
  /** Run scripts whose name, or a folder on the way, starts with `.`. Default false. */
  dotfiles?: boolean
  /** Chunked request bodies are kept in memory up to this many bytes, then spooled to a file. Default 1 MiB. */
  spoolMemory?: number
  /** Largest chunked request body in bytes; beyond it, 413. Default 100 MiB. */
  spoolLimit?: number
  /** Folder for spool files. Default: the system's temp folder. */
  spoolDir?: string
  /** Largest request body in bytes, whatever its framing; beyond it, 413. Default 1 GiB. */
  maxBody?: number
  /** Bytes of stderr logged per request; past them, one line says so. Default 64 KiB. */
  stderrMax?: number
  /** Data memory (RLIMIT_DATA) of each script process in bytes, via prlimit; 0 for none (default). */
  maxMemory?: number
  /** CPU seconds (RLIMIT_CPU) of each script process, via prlimit; 0 for none (default). */
  maxCpu?: number
  /** Processes of servekit's user (RLIMIT_NPROC) a script may fork up to, via prlimit; 0 for none (default). */
  maxProcesses?: number
  /** Start scripts through a small python3 process that forks cheaply, when there is one (spawner.ts); false: Node's spawn, accelerator or not. Default true. */
  spawner?: boolean
  /** Start scripts with servekit-spawn (posix_spawn from servekit itself) when it is installed (accelerator.ts). Default true. */
  accelerator?: boolean
}

export interface CgiSettings {
  dir: string
  /** URL path segments of the mount point. */
  mount: string[]
  documentRoot: string
  timeout: number
  maxConcurrent: number
  queue: number
  env: Record<string, string>
  dotfiles: boolean
  spool: { memory: number, limit: number, dir: string }
  maxBody: number
  stderrMax: number
  limits: ScriptLimits
  /** Where prlimit is, when a limit is set. */
  prlimit: string | undefined
  spawner: boolean
  accelerator: boolean
}

function count (option: string, value: unknown, min: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value
  throw new OptionError(option, `${option} must be a whole number of at least ${min} (got ${JSON.stringify(value)})`)
}

/**
 * A limit the CLI also sets, with the CLI's bounds and default (src/option-table.ts),
 * so a limit means the same from a flag and from code. `scale` converts the table's
 * unit to the plugin's: seconds to the milliseconds setTimeout takes.
 */
function limit (option: string, value: unknown, spec: NumberSpec, scale = 1): number {
  if (value === undefined) return spec.default * scale
  if (typeof value === 'number' && inBounds({ ...spec, min: spec.min * scale, max: spec.max * scale, whole: true }, value)) return value
  const bounds = `${spec.aboveMin === true ? 'above' : 'from'} ${spec.min * scale} ${spec.aboveMin === true ? 'and at most' : 'to'} ${spec.max * scale}`
  throw new OptionError(option, `${option} must be a whole number ${bounds} (got ${JSON.stringify(value)})`)
}

function mountSegments (value: unknown): string[] {
  if (value === undefined) return ['cgi-bin']
  if (typeof value === 'string' && /^(\/[A-Za-z0-9._~-]+)+$/.test(value) && !value.split('/').some((s) => s === '.' || s === '..')) {
    return value.split('/').slice(1)
  }
  throw new OptionError('mount', `mount must be a URL path such as /cgi-bin (got ${JSON.stringify(value)})`)
}

function variables (value: unknown): Record<string, string> {
  if (value === undefined) return { PATH: DEFAULT_PATH }
  const valid = typeof value === 'object' && value !== null &&
    Object.entries(value).every(([name, text]) => /^[^=\0]+$/.test(name) && typeof text === 'string' && !text.includes('\0'))
  if (valid) return { ...(value as Record<string, string>) }
  throw new OptionError('env', 'env must map variable names to strings (no "=" in names, no NUL bytes)')
}

export async function resolveCgiOptions (options: CgiOptions): Promise<CgiSettings> {
  const dir = await realDirectory(options.dir, 'dir')
  const limits = {
    memory: limit('maxMemory', options.maxMemory, OPTIONS.cgiMaxMemory),
    cpu: limit('maxCpu', options.maxCpu, OPTIONS.cgiMaxCpu),
    processes: limit('maxProcesses', options.maxProcesses, OPTIONS.cgiMaxProcesses)
  }
  const limited = (Object.keys(limits) as Array<keyof ScriptLimits>).find((name) => limits[name] > 0)
  for (const name of ['dotfiles', 'spawner', 'accelerator'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new OptionError(name, `${name} must be true or false`)
  }
  return {
    dir,
    mount: mountSegments(options.mount),
    documentRoot: options.documentRoot === undefined ? dirname(dir) : await realDirectory(options.documentRoot, 'documentRoot'),
    timeout: limit('timeout', options.timeout, OPTIONS.cgiTimeout, 1000),
    maxConcurrent: limit('maxConcurrent', options.maxConcurrent, OPTIONS.cgiMaxConcurrent),
    queue: limit('queue', options.queue, OPTIONS.cgiQueue),
    env: variables(options.env),
    dotfiles: options.dotfiles ?? false,
    spool: {
      memory: count('spoolMemory', options.spoolMemory, 0, 1024 * 1024),
      limit: count('spoolLimit', options.spoolLimit, 0, 100 * 1024 * 1024),
      dir: options.spoolDir === undefined ? tmpdir() : await realDirectory(options.spoolDir, 'spoolDir')
    },
    maxBody: limit('maxBody', options.maxBody, OPTIONS.cgiMaxBody),
    stderrMax: limit('stderrMax', options.stderrMax, OPTIONS.cgiStderrMax),
    limits,
    prlimit: limited === undefined ? undefined : findPrlimit(`max${limited.charAt(0).toUpperCase()}${limited.slice(1)}`),
    spawner: options.spawner ?? true,
    accelerator: options.accelerator ?? true
  }
}
