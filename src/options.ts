// Options as the library and the CLI take them, and their validation: done once,
// here, so every plugin receives values it can trust.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { OptionError } from './errors.js'
import { realDirectory } from './real-directory.js'
import { tlsSettings, type TlsOptions, type TlsSettings } from './tls/settings.js'
import { trustedProxies } from './trust-proxy.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LOG_FORMATS = ['json', 'pretty'] as const
export type LogLevel = typeof LOG_LEVELS[number]
export type LogFormat = typeof LOG_FORMATS[number]

export const DEFAULT_PORT = 8000

/** CGI defaults, as `--help` and the README state them. */
export const CGI_DEFAULTS = {
  timeoutSeconds: 60,
  maxConcurrent: 32,
  queue: 256
} as const

export interface ServekitOptions extends TlsOptions {
  /** Folder to serve; default: the current folder. */
  directory?: string
  /** TCP port; 0 picks a free one. Default 8000. */
  port?: number
  /** Address to listen on; default: every interface, IPv6 and IPv4. */
  bind?: string
  /** List and serve names starting with `.`. */
  dotfiles?: boolean
  /** Show a folder's README under its listing. Default true. */
  readme?: boolean
  /** Serve symlinks whose target lies outside the root. */
  followSymlinks?: boolean
  logLevel?: LogLevel
  logFormat?: LogFormat
  /** Mount the echo route at `/echo` and everything under it. */
  echo?: boolean
  /** Folder of route modules to load (`@fastify/autoload` conventions; `.ts` loads directly). */
  routes?: string
  /** Mount the login demo at `/login`. */
  login?: boolean
  /** Login demo users, name → password; default: the tutorial's demo user. */
  loginUsers?: Record<string, string>
  /** Signs session cookies (32+ characters); default: a random key per start. */
  secret?: string
  /** Run executable files under `/cgi-bin/` as CGI scripts. */
  cgi?: boolean
  /** Where the CGI scripts live; default `<directory>/cgi-bin`. Needs `cgi`. */
  cgiDir?: string
  /** Seconds a script may run before its process group is killed (504). Default 60. */
  cgiTimeout?: number
  /** Scripts running at once; further requests wait in the queue. Default 32. */
  cgiMaxConcurrent?: number
  /** Requests that may wait for a free slot; beyond that, 503. Default 256. */
  cgiQueue?: number
  /**
   * Server variables every script gets besides the RFC 3875 ones. The CLI passes its
   * own PATH and locale (LANG, LANGUAGE, LC_*, TZ); default `PATH=/usr/local/bin:/usr/bin:/bin`.
   */
  cgiEnv?: Record<string, string>
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed: addresses or CIDR
   * ranges (comma-separated text or a list). Default: nobody's.
   */
  trustProxy?: string | readonly string[]
}

export interface ResolvedCgiOptions {
  /** Real path of the scripts' folder. */
  dir: string
  timeoutSeconds: number
  maxConcurrent: number
  queue: number
  env: Record<string, string> | undefined
}

export interface ResolvedOptions {
  /** Real path of the served folder. */
  root: string
  port: number
  bind: string | undefined
  dotfiles: boolean
  /** Show a folder's README under its listing. */
  readme: boolean
  followSymlinks: boolean
  logLevel: LogLevel
  logFormat: LogFormat
  echo: boolean
  /** Real path of the route-module folder. */
  routes: string | undefined
  login: boolean
  /** Checked by the login plugin, which owns the rules. */
  loginUsers: Record<string, string> | undefined
  secret: string | undefined
  /** HTTPS: which certificate; undefined for plain HTTP. */
  tls: TlsSettings | undefined
  /** Present when CGI is on. */
  cgi: ResolvedCgiOptions | undefined
  /** Trusted proxy addresses and ranges; empty: X-Forwarded-* is ignored. */
  trustProxy: string[]
}

function oneOf<T extends string> (option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if ((allowed as readonly unknown[]).includes(value)) return value as T
  throw new OptionError(option, `${option} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`)
}

function flag (option: string, value: unknown, fallback = false): boolean {
  if (value === undefined) return fallback
  if (typeof value === 'boolean') return value
  throw new OptionError(option, `${option} must be true or false`)
}

export function checkPort (value: unknown, option = 'port'): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value
  throw new OptionError(option, `${option} must be a whole number from 0 to 65535 (got ${JSON.stringify(value)})`)
}

function wholeNumber (option: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value
  throw new OptionError(option, `${option} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`)
}

function seconds (option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  // setTimeout overflows above 2^31-1 ms (about 24.8 days) and then fires at once.
  if (typeof value === 'number' && value > 0 && value <= 86_400) return value
  throw new OptionError(option, `${option} must be a number of seconds above 0 and at most 86400 (got ${JSON.stringify(value)})`)
}

const CGI_ONLY = ['cgiDir', 'cgiTimeout', 'cgiMaxConcurrent', 'cgiQueue', 'cgiEnv'] as const

async function cgiDirectory (cgiDir: string | undefined, root: string): Promise<string> {
  if (cgiDir !== undefined) return await realDirectory(cgiDir, 'cgiDir')
  const fallback = join(root, 'cgi-bin')
  try {
    return await realDirectory(fallback, 'cgiDir')
  } catch (error) {
    throw new OptionError('cgiDir', `cgi needs a folder of scripts: ${(error as Error).message.replace(/^cgiDir /, '')}; create it or pass --cgi-dir`)
  }
}

async function resolveCgi (input: ServekitOptions, root: string): Promise<ResolvedCgiOptions | undefined> {
  if (!flag('cgi', input.cgi)) {
    // Running programs must be asked for explicitly; a stray --cgi-dir must not do it.
    const stray = CGI_ONLY.find((option) => input[option] !== undefined)
    if (stray !== undefined) throw new OptionError(stray, `${stray} only applies with cgi on (--cgi)`)
    return undefined
  }
  return {
    dir: await cgiDirectory(input.cgiDir, root),
    timeoutSeconds: seconds('cgiTimeout', input.cgiTimeout, CGI_DEFAULTS.timeoutSeconds),
    maxConcurrent: wholeNumber('cgiMaxConcurrent', input.cgiMaxConcurrent, 1, 10_000, CGI_DEFAULTS.maxConcurrent),
    queue: wholeNumber('cgiQueue', input.cgiQueue, 0, 100_000, CGI_DEFAULTS.queue),
    // Checked by the plugin, which takes the same map.
    env: input.cgiEnv
  }
}

export async function resolveOptions (input: ServekitOptions = {}): Promise<ResolvedOptions> {
  if (input.bind !== undefined && (typeof input.bind !== 'string' || input.bind.trim() === '')) {
    throw new OptionError('bind', 'bind must be an address such as 127.0.0.1, ::1 or 0.0.0.0')
  }
  const root = await realDirectory(input.directory ?? '.', 'directory')
  return {
    root,
    port: input.port === undefined ? DEFAULT_PORT : checkPort(input.port),
    bind: input.bind,
    dotfiles: flag('dotfiles', input.dotfiles),
    readme: flag('readme', input.readme, true),
    followSymlinks: flag('followSymlinks', input.followSymlinks),
    logLevel: oneOf('logLevel', input.logLevel, LOG_LEVELS, 'info'),
    logFormat: oneOf('logFormat', input.logFormat, LOG_FORMATS, 'json'),
    echo: flag('echo', input.echo),
    routes: input.routes === undefined ? undefined : await realDirectory(input.routes, 'routes'),
    login: flag('login', input.login),
    loginUsers: input.loginUsers,
    secret: input.secret,
    tls: tlsSettings(input, homedir()),
    cgi: await resolveCgi(input, root),
    trustProxy: trustedProxies(input.trustProxy)
  }
}
