// Options as the library and the CLI take them, and their validation: done once,
// here, so every plugin receives values it can trust.
import { homedir } from 'node:os'
import { join } from 'node:path'
import { OptionError } from './errors.js'
import { cgiName, inBounds, LOG_FORMATS, LOG_LEVELS, MS_PER, namesWhere, numberRule, OPTIONS, type CgiLimits, type NumberSpec, type OptionName, type PlainOptions, type TableOptions } from './option-table.js'
import { realDirectory } from './real-directory.js'
import { parseHeaders } from './response-headers.js'
import { tlsSettings, type TlsOptions, type TlsSettings } from './tls/settings.js'
import { trustedProxies } from './trust-proxy.js'

export { LOG_FORMATS, LOG_LEVELS }
export type LogLevel = typeof LOG_LEVELS[number]
export type LogFormat = typeof LOG_FORMATS[number]

export const DEFAULT_PORT = OPTIONS.port.default

/** Every option of the table (src/option-table.ts) is here, typed from it; the documented ones below too. */
export interface ServekitOptions extends TlsOptions, Omit<TableOptions, 'trustProxy' | 'headers'> {
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
  /** Seconds browsers may reuse a file without asking (`Cache-Control: public, max-age=N`); 0, the default: `no-cache`. */
  cache?: number
  /** Headers added to every response, as `-H` takes them (`'X-Frame-Options: DENY'`) or as a name → value record. */
  headers?: readonly string[] | Record<string, string>
  /** Compress listings and text files as the client accepts (br, gzip, zstd). Default true. */
  compress?: boolean
  /** Serve `app.js.br` / `.gz` / `.zst` for `app.js` to clients that accept them. */
  precompressed?: boolean
  /** Single-page app: a missing path asked for as HTML gets this file (relative to the root) with 200. */
  spa?: string
  /** Accept uploads (page, PUT, multipart POST) and new folders (PUT `dir/`, MKCOL). */
  upload?: boolean
  /** Bytes one upload may write; beyond it 413. Default 4 GiB. Needs `upload`. */
  uploadMax?: number
  /** Let an upload replace an existing file; otherwise 409. Needs `upload`. */
  overwrite?: boolean
  /** Folders downloadable whole with `?download=zip` (or `tar.gz`). */
  archive?: boolean
  /** Users allowed in, as `user:password` (HTTP Basic). */
  auth?: readonly string[]
  /** File of `user:hash` lines (bcrypt or scrypt). */
  authFile?: string
  /** Ask for a password only for requests that change things. Needs `auth` or `authFile`. */
  authWritesOnly?: boolean
  /** CORS: `*` for any origin, else the origins allowed, comma-separated. */
  cors?: string
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
  /** Start scripts through the python3 spawner when it is there (plugins/cgi/spawner.ts). Default true. */
  cgiSpawner?: boolean
  /** Start scripts with servekit-spawn when it is installed (plugins/cgi/accelerator.ts). Default true. */
  cgiAccelerator?: boolean
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed: addresses or CIDR
   * ranges (comma-separated text or a list). Default: nobody's.
   */
  trustProxy?: string | readonly string[]
}

/** The CGI plugin's options: the folder, the variables, and every limit of the table (`timeout` in ms). */
export interface ResolvedCgiOptions extends CgiLimits {
  /** Real path of the scripts' folder. */
  dir: string
  env: Record<string, string> | undefined
  spawner: boolean
  accelerator: boolean
}

/** Switches of a group resolved on its own below (`tls`, `cgi`): not plain values. */
type GroupSwitch = 'tls' | 'cgi' | 'upload'

/**
 * Options validated, defaults filled in. Every on/off and number option of the
 * table is here under its own name (`port`, `dotfiles`, `readme`, ...), typed from it.
 */
export interface ResolvedOptions extends Omit<PlainOptions, GroupSwitch> {
  /** Real path of the served folder. */
  root: string
  bind: string | undefined
  logLevel: LogLevel
  logFormat: LogFormat
  /** Real path of the route-module folder. */
  routes: string | undefined
  /** Checked by the login plugin, which owns the rules. */
  loginUsers: Record<string, string> | undefined
  secret: string | undefined
  /** HTTPS: which certificate; undefined for plain HTTP. */
  tls: TlsSettings | undefined
  /** Present when CGI is on. */
  cgi: ResolvedCgiOptions | undefined
  /** Trusted proxy addresses and ranges; empty: X-Forwarded-* is ignored. */
  trustProxy: string[]
  /** Added to every response, lower-case names; checked like -H. */
  headers: Record<string, string>
  /** The single-page app's file, a name relative to the root; undefined: off. */
  spa: string | undefined
  /** Present when uploads are on. */
  upload: { maxBytes: number, overwrite: boolean } | undefined
  /** Present when a password is asked for. */
  auth: { users: string[], file: string | undefined, writesOnly: boolean } | undefined
  /** CORS origins: `*` or a list; undefined: no CORS headers. */
  cors: '*' | string[] | undefined
}

function oneOf<T extends string> (option: OptionName, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if ((allowed as readonly unknown[]).includes(value)) return value as T
  throw new OptionError(option, `${option} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`)
}

type BooleanOption = { [K in OptionName]: typeof OPTIONS[K] extends { kind: 'boolean' } ? K : never }[OptionName]
type NumberOption = { [K in OptionName]: typeof OPTIONS[K] extends { kind: 'number' } ? K : never }[OptionName]

function flag (option: BooleanOption, value: unknown): boolean {
  const spec = OPTIONS[option]
  if (value === undefined) return 'default' in spec ? spec.default : false
  if (typeof value === 'boolean') return value
  throw new OptionError(option, `${option} must be true or false`)
}

/** A number option, within the bounds the table gives it; its default when not given. */
function numberOption (option: NumberOption, value: unknown): number {
  const spec = OPTIONS[option]
  if (value === undefined) return spec.default
  if (typeof value === 'number' && inBounds(spec, value)) return value
  throw new OptionError(option, `${option} must be ${numberRule(spec)} (got ${JSON.stringify(value)})`)
}

/** On/off and number options resolved from the table alone, so a new one needs no code here. */
const PLAIN = namesWhere((spec) => spec.cliOnly !== true && spec.needs === undefined && (spec.kind === 'boolean' || spec.kind === 'number'))
  .filter((name) => name !== 'tls' && name !== 'cgi' && name !== 'upload')

function plainOptions (input: ServekitOptions): Omit<PlainOptions, GroupSwitch> {
  const resolved: Record<string, boolean | number> = {}
  for (const name of PLAIN) {
    const value = (input as Record<string, unknown>)[name]
    resolved[name] = OPTIONS[name].kind === 'boolean' ? flag(name as BooleanOption, value) : numberOption(name as NumberOption, value)
  }
  return resolved as Omit<PlainOptions, GroupSwitch>
}

/** CGI's limits from the table, under the plugin's names and units. */
const CGI_LIMITS = namesWhere((spec) => spec.needs === 'cgi' && spec.kind === 'number') as NumberOption[]

function cgiLimits (input: ServekitOptions): CgiLimits {
  const limits: Record<string, number> = {}
  for (const name of CGI_LIMITS) {
    const spec: NumberSpec = OPTIONS[name]
    limits[cgiName(name)] = numberOption(name, (input as Record<string, unknown>)[name]) * (MS_PER[spec.unit ?? ''] ?? 1)
  }
  return limits as unknown as CgiLimits
}

/** Options that only mean something with CGI on, from the table, and the CLI's environment map. */
const CGI_ONLY: ReadonlyArray<keyof ServekitOptions> = [...namesWhere((spec) => spec.needs === 'cgi') as Array<keyof ServekitOptions>, 'cgiEnv']

async function cgiDirectory (cgiDir: string | undefined, root: string): Promise<string> {
  if (cgiDir !== undefined) return await realDirectory(cgiDir, 'cgiDir')
  const fallback = join(root, 'cgi-bin')
  try {
    return await realDirectory(fallback, 'cgiDir')
  } catch (error) {
    throw new OptionError('cgiDir', `cgi needs a folder of scripts: ${(error as Error).message.replace(/^cgiDir /, '')}; create it or pass --cgi-dir`)
  }
}

/** An option that only applies with an on/off switch (`overwrite` with `upload`), given without it. */
function refuseStray (options: ReadonlyArray<keyof ServekitOptions>, input: ServekitOptions, switchName: string): void {
  const stray = options.find((option) => input[option] !== undefined)
  if (stray !== undefined) throw new OptionError(stray, `${stray} only applies with ${switchName} on (--${OPTIONS[switchName as OptionName].flag})`)
}

async function resolveCgi (input: ServekitOptions, root: string): Promise<ResolvedCgiOptions | undefined> {
  if (!flag('cgi', input.cgi)) {
    // Running programs must be asked for explicitly; a stray --cgi-dir must not do it.
    refuseStray(CGI_ONLY, input, 'cgi')
    return undefined
  }
  return {
    dir: await cgiDirectory(input.cgiDir, root),
    ...cgiLimits(input),
    // Checked by the plugin, which takes the same map.
    env: input.cgiEnv,
    spawner: flag('cgiSpawner', input.cgiSpawner),
    accelerator: flag('cgiAccelerator', input.cgiAccelerator)
  }
}

const UPLOAD_ONLY = namesWhere((spec) => spec.needs === 'upload') as Array<keyof ServekitOptions>

function resolveUpload (input: ServekitOptions): ResolvedOptions['upload'] {
  if (!flag('upload', input.upload)) {
    refuseStray(UPLOAD_ONLY, input, 'upload')
    return undefined
  }
  return { maxBytes: numberOption('uploadMax', input.uploadMax), overwrite: flag('overwrite', input.overwrite) }
}

function textList (option: OptionName, value: unknown): string[] {
  if (value === undefined) return []
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return [...value as string[]]
  throw new OptionError(option, `${option} must be a list of strings`)
}

function resolveAuth (input: ServekitOptions): ResolvedOptions['auth'] {
  const users = textList('auth', input.auth)
  if (input.authFile !== undefined && (typeof input.authFile !== 'string' || input.authFile === '')) throw new OptionError('authFile', 'authFile must be the path of a file of user:hash lines')
  if (users.length === 0 && input.authFile === undefined) {
    if (input.authWritesOnly !== undefined) throw new OptionError('authWritesOnly', 'authWritesOnly only applies with auth or authFile (--auth, --auth-file)')
    return undefined
  }
  // The entries and the file are checked by the auth plugin, which owns their rules.
  return { users, file: input.authFile, writesOnly: flag('authWritesOnly', input.authWritesOnly) }
}

function resolveCors (value: unknown): ResolvedOptions['cors'] {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.trim() === '') throw new OptionError('cors', 'cors must be * or origins such as https://app.example, comma-separated')
  if (value.trim() === '*') return '*'
  return value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '').map((origin) => {
    let url: URL | undefined
    try { url = new URL(origin) } catch {}
    // An origin is scheme, host and port, nothing more: a path or a slash never matches one.
    if (url === undefined || url.origin === 'null' || url.origin !== origin) throw new OptionError('cors', `cors ${JSON.stringify(origin)} must be an origin such as https://app.example or http://localhost:3000, without a path`)
    return origin
  })
}

function resolveSpa (value: unknown): string | undefined {
  if (value === undefined) return undefined
  // A name under the root, found through the lookup like any file: no way out of the folder.
  const segments = typeof value === 'string' ? value.split('/').filter((segment) => segment !== '') : []
  if (segments.length === 0 || segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\\') || segment.includes('\0'))) {
    throw new OptionError('spa', `spa ${JSON.stringify(value)} must be a file inside the served folder, such as index.html`)
  }
  return segments.join('/')
}

export async function resolveOptions (input: ServekitOptions = {}): Promise<ResolvedOptions> {
  if (input.bind !== undefined && (typeof input.bind !== 'string' || input.bind.trim() === '')) {
    throw new OptionError('bind', 'bind must be an address such as 127.0.0.1, ::1 or 0.0.0.0')
  }
  const root = await realDirectory(input.directory ?? '.', 'directory')
  return {
    ...plainOptions(input),
    root,
    bind: input.bind,
    logLevel: oneOf('logLevel', input.logLevel, LOG_LEVELS, 'info'),
    logFormat: oneOf('logFormat', input.logFormat, LOG_FORMATS, 'json'),
    routes: input.routes === undefined ? undefined : await realDirectory(input.routes, 'routes'),
    loginUsers: input.loginUsers,
    secret: input.secret,
    tls: tlsSettings(input, homedir()),
    cgi: await resolveCgi(input, root),
    trustProxy: trustedProxies(input.trustProxy),
    headers: parseHeaders(Array.isArray(input.headers) ? input.headers : Object.entries(input.headers ?? {}).map(([name, value]) => `${name}: ${String(value)}`), 'headers'),
    spa: resolveSpa(input.spa),
    upload: resolveUpload(input),
    auth: resolveAuth(input),
    cors: resolveCors(input.cors)
  }
}
