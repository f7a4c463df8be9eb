// Command-line flags: one table drives parsing, --help and the environment
// variables, so they cannot drift apart. Parsing is pure (argv and env in, options
// out) so tests call it directly; src/cli.ts only reports.
import { statSync } from 'node:fs'
import { availableParallelism, homedir } from 'node:os'
import { parseArgs } from 'node:util'
import { OptionError, UsageError } from './errors.js'
import { CGI_DEFAULTS, DEFAULT_PORT, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, type ServekitOptions } from './options.js'
import { defaultTlsCacheDir, TLS_KEY_TYPES, type TlsKeyType } from './tls/settings.js'
import { inheritedEnvironment } from '../plugins/cgi/environment.js'

export { UsageError }

interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Placeholder shown in --help for a flag that takes a value. */
  value?: string
  /** An on/off flag that is on by default: --help shows `--no-<flag>`. */
  negated?: true
  help: string
}

export const FLAGS = {
  port: { type: 'string', short: 'p', value: 'PORT', help: `port to listen on, as the port argument (default: $PORT, else ${DEFAULT_PORT}; 0 picks a free port)` },
  bind: { type: 'string', short: 'b', value: 'ADDR', help: 'address to listen on (default: all interfaces, IPv6 and IPv4)' },
  directory: { type: 'string', short: 'd', value: 'DIR', help: 'folder to serve (default: the current folder)' },
  readme: { type: 'boolean', negated: true, help: 'do not show a folder\'s README under its listing' },
  qr: { type: 'boolean', help: 'print a QR code of the first network URL, for phones on the same network' },
  open: { type: 'boolean', short: 'o', help: 'open the served URL in a browser once listening' },
  dotfiles: { type: 'boolean', help: 'list and serve names starting with "." (default: hidden, 404)' },
  'follow-symlinks': { type: 'boolean', help: 'serve symlinks whose target is outside the folder (default: 404, not listed)' },
  echo: { type: 'boolean', help: 'answer every request under /echo with what it carried, as JSON' },
  routes: { type: 'string', value: 'DIR', help: 'load route modules (.js, .mjs, .ts) from DIR; folders become URL prefixes' },
  login: { type: 'boolean', help: 'mount the login demo at /login (users: $SERVEKIT_LOGIN_USERS)' },
  tls: { type: 'boolean', help: 'serve HTTPS with a self-signed certificate, made once and cached in ~/.config/servekit/tls' },
  'tls-cert': { type: 'string', value: 'FILE', help: 'serve HTTPS with this PEM certificate (chain); the key may be in the same file' },
  'tls-key': { type: 'string', value: 'FILE', help: 'PEM private key of --tls-cert' },
  'tls-password-file': { type: 'string', value: 'FILE', help: 'file holding the passphrase of an encrypted --tls-key' },
  'tls-key-type': { type: 'string', value: 'TYPE', help: 'key of the generated certificate: ec (P-256, default) or rsa (2048 bits); implies --tls' },
  cgi: { type: 'boolean', help: 'run executable files under /cgi-bin/ as CGI scripts' },
  'cgi-dir': { type: 'string', value: 'DIR', help: 'where the CGI scripts live, still mounted at /cgi-bin/ (default: <directory>/cgi-bin)' },
  'cgi-timeout': { type: 'string', value: 'SECONDS', help: `kill a script still running after this; the client gets 504 (default: ${CGI_DEFAULTS.timeoutSeconds})` },
  'cgi-max-concurrent': { type: 'string', value: 'N', help: `scripts running at once; more requests wait in the queue (default: ${CGI_DEFAULTS.maxConcurrent})` },
  'cgi-queue': { type: 'string', value: 'N', help: `requests that may wait for a script slot; beyond that 503 (default: ${CGI_DEFAULTS.queue})` },
  workers: { type: 'string', value: 'N', help: 'serve from N processes sharing the port, restarted when they die; auto: one per CPU (default: 1)' },
  'trust-proxy': { type: 'string', value: 'ADDRS', help: 'believe X-Forwarded-For/-Proto/-Host only from these proxy addresses or CIDR ranges, comma-separated (default: from nobody)' },
  'log-level': { type: 'string', value: 'LEVEL', help: `${LOG_LEVELS.join(', ')} (default: info)` },
  'log-format': { type: 'string', value: 'FORMAT', help: `${LOG_FORMATS.join(' or ')} (default: pretty on a terminal, else json)` },
  help: { type: 'boolean', short: 'h', help: 'show this help and exit' },
  version: { type: 'boolean', short: 'V', help: 'print the version and exit' }
} as const satisfies Record<string, FlagSpec>

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
    kind: 'serve'
    options: ServekitOptions
    /** What the start-up does for a person at the terminal. */
    startup: { qr: boolean, open: boolean }
    /** Processes to serve from; more than one runs a node:cluster primary. */
    workers: number
    /** Flag → the variable its value came from, to name it when the value is refused. */
    fromEnvironment: Record<string, string>
    /** Flag → how it was typed (`-p`, `--no-dotfiles`), to name it so in messages. */
    typed: Record<string, string>
  }

/** Flags that only print something have no variable. */
const NOT_FROM_ENVIRONMENT: ReadonlySet<string> = new Set(['help', 'version'])

/** The variable that stands for a flag: `--follow-symlinks` → `SERVEKIT_FOLLOW_SYMLINKS`. */
export function variableOf (flag: string): string {
  return `SERVEKIT_${flag.toUpperCase().replaceAll('-', '_')}`
}

/** Every flag that has a variable, with it, in table order. */
export function flagVariables (): Array<[flag: string, variable: string]> {
  return Object.keys(FLAGS).filter((flag) => !NOT_FROM_ENVIRONMENT.has(flag)).map((flag) => [flag, variableOf(flag)])
}

/** Variables read beside the flags' own, for --help and the README. */
export const OTHER_VARIABLES = {
  PORT: 'port to listen on when neither the argument nor SERVEKIT_PORT is given',
  SERVEKIT_SECRET: 'signs session cookies (32+ characters); default: a new random key each start',
  SERVEKIT_LOGIN_USERS: 'login demo users as name:password,name:password (default: jdoe:s3cret)',
  XDG_CONFIG_HOME: 'the generated certificate is cached in $XDG_CONFIG_HOME/servekit/tls (default: ~/.config)'
} as const

const TRUE_WORDS = ['1', 'true', 'yes', 'on']
const FALSE_WORDS = ['0', 'false', 'no', 'off']

function booleanFrom (variable: string, text: string): boolean {
  const word = text.trim().toLowerCase()
  if (TRUE_WORDS.includes(word)) return true
  if (FALSE_WORDS.includes(word)) return false
  throw new OptionError(variable, `${variable} ${JSON.stringify(text)} must be one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`)
}

type FlagValues = Partial<Record<string, string | boolean>>

/**
 * Fills every flag not given on the command line from its variable, so a flag
 * added to the table gets one without further code. An empty variable counts as
 * unset, as compose's `${VAR:-}` leaves it.
 */
function withEnvironment<V extends FlagValues> (values: V, env: NodeJS.ProcessEnv): { values: V, fromEnvironment: Record<string, string> } {
  const merged: FlagValues = { ...values }
  const fromEnvironment: Record<string, string> = {}
  for (const [flag, variable] of flagVariables()) {
    const text = env[variable]
    if (merged[flag] !== undefined || text === undefined || text === '') continue
    merged[flag] = (FLAGS as Record<string, FlagSpec>)[flag]!.type === 'boolean' ? booleanFrom(variable, text) : text
    fromEnvironment[flag] = variable
  }
  return { values: merged as V, fromEnvironment }
}

/** `SERVEKIT_*` variables that servekit does not read: most likely misspelt. */
export function unknownVariables (env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>([...flagVariables().map(([, variable]) => variable), ...Object.keys(OTHER_VARIABLES)])
  return Object.keys(env).filter((name) => name.startsWith('SERVEKIT_') && !known.has(name)).sort()
}

/** `--log-level`, `log-level` or an option name (`followSymlinks`) → the flag `log-level`. */
function flagOf (option: string): string {
  return option.replace(/^--?/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/**
 * An option refused is named as the user gave it: the flag as typed (`-p`,
 * `--cgi-timeout`) rather than the library's option name (`cgiTimeout`), and,
 * for a value that came from a variable, the variable: in a container, the
 * variable is all the user sees.
 */
export function nameTheVariable (error: unknown, fromEnvironment: Record<string, string>, typed: Record<string, string> = {}): unknown {
  if (!(error instanceof OptionError)) return error
  const flag = flagOf(error.option)
  const variable = fromEnvironment[flag]
  let message = error.message
  const asTyped = typed[flag]
  if (variable === undefined && asTyped !== undefined && message.startsWith(error.option)) message = asTyped + message.slice(error.option.length)
  if (variable !== undefined && !message.includes(variable)) message = `${message} (from ${variable})`
  return message === error.message ? error : new OptionError(error.option, message)
}

function usageError (error: unknown): Error {
  const { code, message } = error as { code?: string, message: string }
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? ''
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${quoted}`)
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(message.includes('argument missing')
        ? `option ${quoted.replace(/ <value>$/, '')} needs a value`
        : `option ${quoted.replace(/ <value>$/, '')} takes no value`)
    default:
      return error as Error
  }
}

const DECIMAL = /^\d+(\.\d+)?$/
const WHOLE = /^\d+$/

/** `source` is what the user gave: `port` (the argument), `-p`, `--port` or a variable. */
function portFrom (text: string, source: string): number {
  const port = Number(text)
  if (WHOLE.test(text) && port <= 65535) return port
  throw new OptionError('port', `${source} ${JSON.stringify(text)} must be a whole number from 0 to 65535`)
}

function numberFrom (flag: string, text: string | undefined, pattern: RegExp): number | undefined {
  if (text === undefined) return undefined
  if (pattern.test(text)) return Number(text)
  throw new OptionError(flag, `${flag} ${JSON.stringify(text)} must be a ${pattern === WHOLE ? 'whole ' : ''}number`)
}

function choice<T extends string> (flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined
  throw new OptionError(flag, `${flag} ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`)
}

/** `name:password,name:password` from SERVEKIT_LOGIN_USERS; a password may contain `:`. */
export function parseLoginUsers (text: string): Record<string, string> {
  const users: Record<string, string> = Object.create(null)
  for (const entry of text.split(',')) {
    const colon = entry.indexOf(':')
    const name = entry.slice(0, colon).trim()
    if (colon === -1 || name === '' || colon === entry.length - 1) {
      throw new OptionError('loginUsers', 'SERVEKIT_LOGIN_USERS must be name:password pairs separated by commas')
    }
    users[name] = entry.slice(colon + 1)
  }
  return users
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** Far above any core count; a typo like 800 should not fork 800 processes. */
export const MAX_WORKERS = 256

function workersFrom (text: string | undefined): number {
  if (text === undefined) return 1
  if (text === 'auto') return availableParallelism()
  const count = WHOLE.test(text) ? Number(text) : Number.NaN
  if (count >= 1 && count <= MAX_WORKERS) return count
  throw new OptionError('workers', `--workers ${JSON.stringify(text)} must be a whole number from 1 to ${MAX_WORKERS}, or auto for one per CPU`)
}

export interface CliEnvironment {
  env: NodeJS.ProcessEnv
  /** Whether stdout is a terminal: decides the default log format. */
  isTTY: boolean
  /** Whether a path names an existing folder: a positional argument may be one. Default: a stat. */
  isDirectory?: (path: string) => boolean
}

function existingDirectory (path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
}

interface Positionals { directory?: string, port?: string }

/**
 * `servekit [folder] [port]`, Python's `servekit 8080` included: digits are a
 * port (even if a folder has that name, as Python reads them), an existing
 * folder is the root, anything else is a mistake said in one line.
 */
function readPositionals (positionals: readonly string[], isDirectory: (path: string) => boolean): Positionals {
  const read: Positionals = {}
  for (const text of positionals) {
    if (WHOLE.test(text) || (/^[+-]?[\d.]/.test(text) && !isDirectory(text))) {
      if (read.port !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(text)}: only one port may be given`)
      read.port = text
    } else if (isDirectory(text)) {
      if (read.directory !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(text)}: only one folder may be given`)
      read.directory = text
    } else {
      throw new UsageError(`${JSON.stringify(text)} is neither a folder nor a port`)
    }
  }
  return read
}

/** How each flag given on the command line was typed, from parseArgs' tokens. */
function typedNames (tokens: ReadonlyArray<{ kind: string, name?: string, rawName?: string }>): Record<string, string> {
  const typed: Record<string, string> = {}
  for (const token of tokens) {
    if (token.kind === 'option' && token.name !== undefined && token.rawName !== undefined) typed[token.name] = token.rawName
  }
  return typed
}

export function parseCli (argv: readonly string[], { env, isTTY, isDirectory = existingDirectory }: CliEnvironment): CliCommand {
  let parsed
  try {
    // allowNegative: `--no-dotfiles` turns off what SERVEKIT_DOTFILES turned on.
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, allowNegative: true, strict: true, tokens: true })
  } catch (error) {
    throw usageError(error)
  }
  if (parsed.values.help === true) return { kind: 'help' }
  if (parsed.values.version === true) return { kind: 'version' }
  const typed = typedNames(parsed.tokens)
  const positionals = readPositionals(parsed.positionals, isDirectory)
  if (positionals.port !== undefined && typed.port !== undefined) {
    throw new UsageError(`the port is given twice: ${JSON.stringify(positionals.port)} and ${typed.port} ${JSON.stringify(parsed.values.port)}`)
  }
  if (positionals.directory !== undefined && typed.directory !== undefined) {
    throw new UsageError(`the folder is given twice: ${JSON.stringify(positionals.directory)} and ${typed.directory} ${JSON.stringify(parsed.values.directory)}`)
  }
  // A folder or port given as an argument wins over its variable, as a flag does.
  const given = { ...parsed.values, ...positionals }
  const { values, fromEnvironment } = withEnvironment(given, env)
  try {
    return serveCommand(values, { env, isTTY }, fromEnvironment, typed)
  } catch (error) {
    throw nameTheVariable(error, fromEnvironment, typed)
  }
}

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values']

function serveCommand (values: ParsedValues, { env, isTTY }: CliEnvironment, fromEnvironment: Record<string, string>, typed: Record<string, string>): CliCommand {
  const port = values.port !== undefined
    ? portFrom(values.port, fromEnvironment.port ?? typed.port ?? 'port')
    : nonEmpty(env.PORT) !== undefined ? portFrom(env.PORT!, 'PORT') : DEFAULT_PORT

  return {
    kind: 'serve',
    options: {
      port,
      bind: values.bind,
      directory: values.directory,
      dotfiles: values.dotfiles,
      readme: values.readme,
      followSymlinks: values['follow-symlinks'],
      cgi: values.cgi,
      cgiDir: values['cgi-dir'],
      cgiTimeout: numberFrom(typed['cgi-timeout'] ?? '--cgi-timeout', values['cgi-timeout'], DECIMAL),
      cgiMaxConcurrent: numberFrom(typed['cgi-max-concurrent'] ?? '--cgi-max-concurrent', values['cgi-max-concurrent'], WHOLE),
      cgiQueue: numberFrom(typed['cgi-queue'] ?? '--cgi-queue', values['cgi-queue'], WHOLE),
      cgiEnv: values.cgi === true ? inheritedEnvironment(env) : undefined,
      logLevel: choice<LogLevel>('--log-level', values['log-level'], LOG_LEVELS),
      logFormat: choice<LogFormat>('--log-format', values['log-format'], LOG_FORMATS) ?? (isTTY ? 'pretty' : 'json'),
      echo: values.echo,
      routes: values.routes,
      login: values.login,
      loginUsers: values.login === true && nonEmpty(env.SERVEKIT_LOGIN_USERS) !== undefined ? parseLoginUsers(env.SERVEKIT_LOGIN_USERS!) : undefined,
      secret: nonEmpty(env.SERVEKIT_SECRET),
      tls: values.tls,
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
      tlsPasswordFile: values['tls-password-file'],
      tlsKeyType: choice<TlsKeyType>('--tls-key-type', values['tls-key-type'], TLS_KEY_TYPES),
      tlsCacheDir: defaultTlsCacheDir(env, env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()),
      trustProxy: values['trust-proxy']
    },
    startup: { qr: values.qr === true, open: values.open === true },
    workers: workersFrom(values.workers),
    fromEnvironment,
    typed
  }
}

function flagLabel (name: string, spec: FlagSpec): string {
  const long = `--${spec.negated === true ? 'no-' : ''}${name}${spec.value === undefined ? '' : ` ${spec.value}`}`
  return spec.short === undefined ? `    ${long}` : `-${spec.short}, ${long}`
}

export function helpText (): string {
  const rows = Object.entries(FLAGS).map(([name, spec]: [string, FlagSpec]) => [flagLabel(name, spec), spec.help] as const)
  const variables = Object.entries(OTHER_VARIABLES)
  const width = Math.max(...[...rows, ...variables].map(([label]) => label.length)) + 2
  return `Usage: servekit [options] [folder] [port]

Serve a folder over HTTP like \`python3 -m http.server\`, securely and fast.

Arguments:
  ${'folder'.padEnd(width)}folder to serve, as -d (default: the current folder)
  ${'port'.padEnd(width)}port to listen on (default: $SERVEKIT_PORT, else $PORT, else ${DEFAULT_PORT}; 0 picks a free port)

Options:
${rows.map(([label, help]) => `  ${label.padEnd(width)}${help}`).join('\n')}

Environment:
  Every option but -h and -V can be set as SERVEKIT_<OPTION>, e.g. SERVEKIT_BIND=127.0.0.1,
  SERVEKIT_FOLLOW_SYMLINKS=1. Flags win; --no-<option> turns off an on/off option set there.
  On/off options take 1, true, yes, on or 0, false, no, off; an empty variable counts as unset.
${variables.map(([name, help]) => `  ${name.padEnd(width)}${help}`).join('\n')}

Examples:
  servekit                      share the current folder on port ${DEFAULT_PORT}
  servekit -b 127.0.0.1 8080    only this machine can connect, on port 8080
  servekit ~/Pictures 0         serve ~/Pictures on any free port
  servekit --qr                 share with a phone: scan the network URL
  servekit --tls 8443           HTTPS on port 8443 with a cached self-signed certificate
  servekit --cgi                also run the scripts in ./cgi-bin/ at /cgi-bin/NAME
  curl -H 'Accept: application/json' http://localhost:${DEFAULT_PORT}/   a listing as JSON
  servekit --echo --routes routes   the echo route plus your own route modules
  SERVEKIT_WORKERS=auto servekit    one process per CPU, as in a container
`
}
