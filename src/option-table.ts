// Every option, declared once: its name in the library, its flag (and so its
// SERVEKIT_* variable), its kind, unit, bounds, default and help. The CLI table,
// --help, the environment layer, resolveOptions and the plugins' defaults all read
// it, so adding an option is adding a line here (and reading it where it acts).
import { formatSize } from './size.js'
import { TLS_KEY_TYPES } from './tls/settings.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const LOG_FORMATS = ['json', 'pretty'] as const

interface Common {
  /** The flag without its dashes; the variable is SERVEKIT_ and this in upper snake case. */
  flag: string
  short?: string
  help: string
  /** Only applies when this on/off option is on; given without it, it is refused. */
  needs?: string
  /** Read by the command line alone (what the start-up does), not a library option. */
  cliOnly?: true
}

export interface BooleanSpec extends Common {
  kind: 'boolean'
  /** On unless turned off: --help shows `--no-<flag>`. */
  default?: boolean
}

export interface NumberSpec extends Common {
  kind: 'number'
  /** --help's placeholder for the value. */
  value: string
  /** Whole numbers only (a count, a port); otherwise decimals are taken too (seconds). */
  whole: boolean
  min: number
  /** The smallest value refused instead of `min` taken: a timeout must be above 0. */
  aboveMin?: true
  max: number
  default: number
  /** How the value is counted, for messages: `seconds`. */
  unit?: string
}

export interface ChoiceSpec extends Common {
  kind: 'choice'
  value: string
  choices: readonly string[]
  default?: string
}

export interface TextSpec extends Common {
  kind: 'text'
  value: string
}

/** A flag given as often as needed (`-H a -H b`); its variable holds the values joined by `separator`. */
export interface ListSpec extends Common {
  kind: 'list'
  value: string
  /** Between values in the variable: a comma, or a line break where values hold commas (headers). */
  separator: ',' | '\n'
}

/**
 * A flag whose value may be left out (`--spa` or `--spa app.html`): alone, it means
 * `implicit`. The word after it is its value unless that is a flag, a port or a folder.
 */
export interface OptionalSpec extends Common {
  kind: 'optional'
  value: string
  implicit: string
}

export type OptionSpec = BooleanSpec | NumberSpec | ChoiceSpec | TextSpec | ListSpec | OptionalSpec

// setTimeout overflows above 2^31-1 ms (about 24.8 days) and then fires at once: a day is plenty.
const ONE_DAY = 86_400

export const OPTIONS = {
  port: { kind: 'number', flag: 'port', short: 'p', value: 'PORT', whole: true, min: 0, max: 65535, default: 8000, help: 'port to listen on, as the port argument; 0 picks a free port (default: $PORT, else 8000)' },
  bind: { kind: 'text', flag: 'bind', short: 'b', value: 'ADDR', help: 'address to listen on (default: all interfaces, IPv6 and IPv4)' },
  directory: { kind: 'text', flag: 'directory', short: 'd', value: 'DIR', help: 'folder to serve, as the folder argument (default: the current folder)' },
  readme: { kind: 'boolean', flag: 'readme', default: true, help: 'do not show a folder\'s README under its listing' },
  qr: { kind: 'boolean', flag: 'qr', cliOnly: true, help: 'print a QR code of the first network URL, for phones on the same network' },
  open: { kind: 'boolean', flag: 'open', short: 'o', cliOnly: true, help: 'open the served URL in a browser once listening' },
  cache: { kind: 'number', flag: 'cache', short: 'c', value: 'SECONDS', whole: true, min: 0, max: 31_536_000, default: 0, unit: 'seconds', help: 'how long browsers may reuse a file without asking (Cache-Control max-age); 0: no-cache, they ask each time' },
  headers: { kind: 'list', flag: 'header', short: 'H', value: 'NAME:VALUE', separator: '\n', help: 'add this header to every response; repeatable (variable: one per line)' },
  compress: { kind: 'boolean', flag: 'compress', default: true, help: 'do not compress listings and text files (br, gzip, zstd as the client accepts)' },
  precompressed: { kind: 'boolean', flag: 'precompressed', help: 'serve app.js.br / app.js.gz / app.js.zst for app.js when the client accepts them' },
  spa: { kind: 'optional', flag: 'spa', value: 'FILE', implicit: 'index.html', help: 'single-page app: a missing path asked for as HTML gets FILE (default index.html) with 200' },
  upload: { kind: 'boolean', flag: 'upload', help: 'accept uploads: the listing page\'s form, PUT (curl -T) and multipart POST (curl -F); new folders by PUT DIR/ or MKCOL' },
  uploadMax: { kind: 'number', flag: 'upload-max', value: 'SIZE', needs: 'upload', whole: true, min: 0, max: 1024 ** 4, default: 4 * 1024 ** 3, unit: 'bytes', help: 'largest file one upload may write; beyond it 413' },
  overwrite: { kind: 'boolean', flag: 'overwrite', needs: 'upload', help: 'let an upload replace an existing file (default: 409)' },
  archive: { kind: 'boolean', flag: 'archive', help: 'let folders be downloaded whole: ?download=zip (or tar.gz), linked from the listing' },
  auth: { kind: 'list', flag: 'auth', value: 'USER:PASSWORD', separator: ',', help: 'ask for this user and password (HTTP Basic); repeatable (variable: comma-separated)' },
  authFile: { kind: 'text', flag: 'auth-file', value: 'FILE', help: 'users from FILE: one user:hash per line, bcrypt ($2y$, as htpasswd -B writes) or scrypt' },
  authWritesOnly: { kind: 'boolean', flag: 'auth-writes-only', help: 'ask for the password only to change things (uploads); reading stays open' },
  cors: { kind: 'optional', flag: 'cors', value: 'ORIGIN', implicit: '*', help: 'let pages from other origins fetch (CORS): any origin, or only ORIGIN (comma-separated)' },
  dotfiles: { kind: 'boolean', flag: 'dotfiles', help: 'list and serve names starting with "." (default: hidden, 404)' },
  followSymlinks: { kind: 'boolean', flag: 'follow-symlinks', help: 'serve symlinks whose target is outside the folder (default: 404, not listed)' },
  echo: { kind: 'boolean', flag: 'echo', help: 'answer every request under /echo with what it carried, as JSON' },
  routes: { kind: 'text', flag: 'routes', value: 'DIR', help: 'load route modules (.js, .mjs, .ts) from DIR; folders become URL prefixes' },
  login: { kind: 'boolean', flag: 'login', help: 'mount the login demo at /login (users: $SERVEKIT_LOGIN_USERS)' },
  tls: { kind: 'boolean', flag: 'tls', help: 'serve HTTPS with a self-signed certificate, made once and cached in ~/.config/servekit/tls' },
  tlsCert: { kind: 'text', flag: 'tls-cert', value: 'FILE', help: 'serve HTTPS with this PEM certificate (chain); the key may be in the same file' },
  tlsKey: { kind: 'text', flag: 'tls-key', value: 'FILE', help: 'PEM private key of --tls-cert' },
  tlsPasswordFile: { kind: 'text', flag: 'tls-password-file', value: 'FILE', help: 'file holding the passphrase of an encrypted --tls-key' },
  tlsKeyType: { kind: 'choice', flag: 'tls-key-type', value: 'TYPE', choices: TLS_KEY_TYPES, help: 'key of the generated certificate: ec (P-256, default) or rsa (2048 bits); implies --tls' },
  cgi: { kind: 'boolean', flag: 'cgi', help: 'run executable files under /cgi-bin/ as CGI scripts' },
  cgiDir: { kind: 'text', flag: 'cgi-dir', value: 'DIR', needs: 'cgi', help: 'where the CGI scripts live, still mounted at /cgi-bin/ (default: <directory>/cgi-bin)' },
  cgiTimeout: { kind: 'number', flag: 'cgi-timeout', value: 'SECONDS', needs: 'cgi', whole: false, min: 0, aboveMin: true, max: ONE_DAY, default: 60, unit: 'seconds', help: 'kill a script still running after this; the client gets 504' },
  cgiMaxConcurrent: { kind: 'number', flag: 'cgi-max-concurrent', value: 'N', needs: 'cgi', whole: true, min: 1, max: 10_000, default: 32, help: 'scripts running at once; more requests wait in the queue' },
  cgiQueue: { kind: 'number', flag: 'cgi-queue', value: 'N', needs: 'cgi', whole: true, min: 0, max: 100_000, default: 256, help: 'requests that may wait for a script slot; beyond that 503' },
  cgiMaxBody: { kind: 'number', flag: 'cgi-max-body', value: 'SIZE', needs: 'cgi', whole: true, min: 0, max: 1024 ** 4, default: 1024 ** 3, unit: 'bytes', help: 'largest request body a script is given (K, M, G: 1024s); beyond it 413' },
  cgiStderrMax: { kind: 'number', flag: 'cgi-stderr-max', value: 'SIZE', needs: 'cgi', whole: true, min: 0, max: 1024 ** 3, default: 64 * 1024, unit: 'bytes', help: 'stderr logged per request; the rest is dropped, with one line saying so' },
  cgiMaxMemory: { kind: 'number', flag: 'cgi-max-memory', value: 'SIZE', needs: 'cgi', whole: true, min: 0, max: 1024 ** 4, default: 0, unit: 'bytes', help: 'data memory of each script process (RLIMIT_DATA, via prlimit); 0: no limit' },
  cgiMaxCpu: { kind: 'number', flag: 'cgi-max-cpu', value: 'SECONDS', needs: 'cgi', whole: true, min: 0, max: ONE_DAY, default: 0, unit: 'CPU seconds', help: 'CPU time of each script process (RLIMIT_CPU, via prlimit); 0: no limit' },
  cgiMaxProcesses: { kind: 'number', flag: 'cgi-max-processes', value: 'N', needs: 'cgi', whole: true, min: 0, max: 1_000_000, default: 0, help: 'processes of servekit\'s user a script may fork up to (RLIMIT_NPROC, via prlimit); 0: no limit' },
  cgiSpawner: { kind: 'boolean', flag: 'cgi-spawner', needs: 'cgi', default: true, help: 'start scripts with Node\'s spawn instead of servekit-spawn or a small python3 helper (posix_spawn, cheaper per script; used when python3 3.9+ is there)' },
  cgiAccelerator: { kind: 'boolean', flag: 'cgi-accelerator', needs: 'cgi', default: true, help: 'start scripts through the python3 helper or Node\'s spawn even when servekit-spawn (the cheapest way, an optional package) is installed' },
  workers: { kind: 'text', flag: 'workers', value: 'N', cliOnly: true, help: 'serve from N processes sharing the port, restarted when they die; auto: one per CPU (default: 1)' },
  trustProxy: { kind: 'text', flag: 'trust-proxy', value: 'ADDRS', help: 'believe X-Forwarded-For/-Proto/-Host only from these proxy addresses or CIDR ranges, comma-separated (default: from nobody)' },
  logLevel: { kind: 'choice', flag: 'log-level', value: 'LEVEL', choices: LOG_LEVELS, default: 'info', help: LOG_LEVELS.join(', ') },
  logFormat: { kind: 'choice', flag: 'log-format', value: 'FORMAT', choices: LOG_FORMATS, help: `${LOG_FORMATS.join(' or ')} (default: pretty on a terminal, else json)` }
} as const satisfies Record<string, OptionSpec>

export type OptionName = keyof typeof OPTIONS

/** The help line of an option, its default and unit added where the table knows them. */
export function helpOf (spec: OptionSpec): string {
  if (spec.kind === 'number' && spec.unit === 'bytes') return `${spec.help} (default: ${formatSize(spec.default)})`
  if (spec.kind === 'number' && spec.flag !== 'port') return `${spec.help} (default: ${spec.default}${spec.unit === undefined ? '' : ` ${spec.unit}`})`
  if (spec.kind === 'choice' && spec.default !== undefined) return `${spec.help} (default: ${spec.default})`
  return spec.help
}

/** What a number option accepts, for its messages: `a whole number from 1 to 10000`. */
export function numberRule (spec: NumberSpec): string {
  if (spec.aboveMin === true) return `a number${spec.unit === undefined ? '' : ` of ${spec.unit}`} above ${spec.min} and at most ${spec.max}`
  if (spec.unit === 'bytes') return `a size in bytes from ${formatSize(spec.min)} to ${formatSize(spec.max)}, such as 64K, 10M or 1G`
  return `a ${spec.whole ? 'whole ' : ''}number from ${spec.min} to ${spec.max}`
}

/** Whether a number lies within its option's bounds. */
export function inBounds (spec: NumberSpec, value: number): boolean {
  return Number.isFinite(value) && (!spec.whole || Number.isInteger(value)) &&
    (spec.aboveMin === true ? value > spec.min : value >= spec.min) && value <= spec.max
}

/** The option a flag stands for: `cgi-timeout` → `cgiTimeout`. */
export function optionOfFlag (flag: string): OptionName | undefined {
  return (Object.keys(OPTIONS) as OptionName[]).find((name) => OPTIONS[name].flag === flag)
}

type Specs = typeof OPTIONS
type ValueOf<S> = S extends { kind: 'boolean' } ? boolean : S extends { kind: 'number' } ? number : S extends { kind: 'list' } ? readonly string[] : S extends { choices: readonly (infer C)[] } ? C : string

/** The library's options as the table types them (the command line's own left out). */
export type TableOptions = { -readonly [K in OptionName as Specs[K] extends { cliOnly: true } ? never : K]?: ValueOf<Specs[K]> }

/** On/off and number options that need nothing but the table to be resolved. */
export type PlainName = { [K in OptionName]: Specs[K] extends { cliOnly: true } | { needs: string } ? never : Specs[K] extends { kind: 'boolean' | 'number' } ? K : never }[OptionName]
export type PlainOptions = { -readonly [K in PlainName]: ValueOf<Specs[K]> }

/**
 * CGI's limits, the number options that need `cgi`, under the CGI plugin's names
 * (`cgiMaxConcurrent` → `maxConcurrent`); durations in milliseconds, the unit
 * the plugin and setTimeout take.
 */
type CgiName = { [K in OptionName]: Specs[K] extends { needs: 'cgi', kind: 'number' } ? K : never }[OptionName]
export type CgiLimits = { -readonly [K in CgiName as K extends `cgi${infer R}` ? Uncapitalize<R> : never]: number }

export function namesWhere (test: (spec: OptionSpec) => boolean): OptionName[] {
  return (Object.keys(OPTIONS) as OptionName[]).filter((name) => test(OPTIONS[name]))
}

/** `cgiMaxConcurrent` → `maxConcurrent`: the plugin's name of a CGI option. */
export function cgiName (name: string): string {
  const rest = name.replace(/^cgi/, '')
  return rest.charAt(0).toLowerCase() + rest.slice(1)
}

/** Seconds, as the CLI takes them, become the milliseconds code takes. */
export const MS_PER: Readonly<Record<string, number>> = { seconds: 1000 }
