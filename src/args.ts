// Command-line flags: one table drives parsing, --help and the environment
// variables, so they cannot drift apart. Parsing is pure (argv and env in, options
// out) so tests call it directly; src/cli.ts only reports.
import { statSync } from 'node:fs'
import { availableParallelism, homedir } from 'node:os'
import { parseArgs } from 'node:util'
import { OptionError, UsageError } from './errors.js'
import { helpOf, inBounds, numberRule, optionOfFlag, OPTIONS, type NumberSpec, type OptionName, type OptionSpec } from './option-table.js'
import { parseSize } from './size.js'
import { DEFAULT_PORT, type LogFormat, type ServekitOptions } from './options.js'
import { defaultTlsCacheDir } from './tls/settings.js'
import { inheritedEnvironment } from '../plugins/cgi/environment.js'

export { UsageError }

interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Placeholder shown in --help for a flag that takes a value. */
  value?: string
  /** An on/off flag that is on by default: --help shows `--no-<flag>`. */
  negated?: true
  /** Given as often as needed; the values come as a list. */
  multiple?: true
  /** The value may be left out; --help shows `[VALUE]`. */
  optionalValue?: true
  help: string
}

function flagSpec (spec: OptionSpec): FlagSpec {
  // parseArgs refuses a `short` key whose value is undefined: keys only when set.
  return {
    type: spec.kind === 'boolean' ? 'boolean' : 'string',
    ...(spec.short === undefined ? {} : { short: spec.short }),
    ...(spec.kind === 'boolean' ? {} : { value: spec.value }),
    ...(spec.kind === 'boolean' && spec.default === true ? { negated: true } : {}),
    ...(spec.kind === 'list' ? { multiple: true } : {}),
    ...(spec.kind === 'optional' ? { optionalValue: true } : {}),
    help: helpOf(spec)
  }
}

/** The command line's flags: one per option of the table, then the two that only print. */
export const FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...Object.fromEntries(Object.values(OPTIONS).map((spec: OptionSpec) => [spec.flag, flagSpec(spec)])),
  'hash-password': { type: 'string', value: 'USER', help: 'print an --auth-file line for USER (scrypt) from the password typed or piped in, and exit' },
  help: { type: 'boolean', short: 'h', help: 'show this help and exit' },
  version: { type: 'boolean', short: 'V', help: 'print the version and exit' }
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'hash-password', user: string }
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

function specOfFlag (flag: string): OptionSpec | undefined {
  const name = optionOfFlag(flag)
  return name === undefined ? undefined : OPTIONS[name]
}

/** Flags that only print something have no variable. */
const NOT_FROM_ENVIRONMENT: ReadonlySet<string> = new Set(['help', 'version', 'hash-password'])

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

type FlagValues = Partial<Record<string, string | boolean | string[]>>

/** A variable's text as its flag would have given it; undefined: as if not set (`SERVEKIT_SPA=0`). */
function fromVariable (spec: OptionSpec | undefined, flag: string, variable: string, text: string): string | boolean | string[] | undefined {
  if (FLAGS[flag]!.type === 'boolean') return booleanFrom(variable, text)
  if (spec?.kind === 'list') return text.split(spec.separator).map((value) => value.trim()).filter((value) => value !== '')
  if (spec?.kind === 'optional') {
    const word = text.trim().toLowerCase()
    if (TRUE_WORDS.includes(word)) return spec.implicit
    if (FALSE_WORDS.includes(word)) return undefined
  }
  return text
}

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
    const value = fromVariable(specOfFlag(flag), flag, variable, text)
    if (value === undefined) continue
    merged[flag] = value
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
  // A library name whose flag is not its kebab case: `headers` is `--header`.
  if (Object.hasOwn(OPTIONS, option)) return OPTIONS[option as OptionName].flag
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
      if (message.includes('argument missing')) return new UsageError(`option ${quoted.replace(/ <value>$/, '')} needs a value`)
      // `--cgi-queue -1`: parseArgs will not take a value that looks like a flag.
      if (message.includes('ambiguous')) {
        const long = Object.keys(FLAGS).find((flag) => `-${FLAGS[flag]!.short}` === quoted) ?? quoted.replace(/^-+/, '')
        return new UsageError(`option ${quoted} needs a value; one starting with "-" is written --${long}=VALUE`)
      }
      return new UsageError(`option ${quoted.replace(/ <value>$/, '')} takes no value`)
    default:
      return error as Error
  }
}

const DECIMAL = /^\d+(\.\d+)?$/
const WHOLE = /^\d+$/

/**
 * A number option's text, checked against the table's bounds here, where the
 * text is still as the user gave it. `source` is how it was given: `port` (the
 * argument), the flag as typed, or a variable.
 */
function numberFrom (spec: NumberSpec, text: string, source: string): number {
  const value = spec.unit === 'bytes' ? parseSize(text) : (spec.whole ? WHOLE : DECIMAL).test(text) ? Number(text) : Number.NaN
  if (inBounds(spec, value)) return value
  throw new OptionError(spec.flag, `${source} ${JSON.stringify(text)} must be ${numberRule(spec)}`)
}

/** A value from the command line or a variable, as its option takes it. */
function valueFrom (spec: OptionSpec, given: string | boolean | string[], source: string): string | number | boolean | string[] {
  if (Array.isArray(given) || typeof given === 'boolean' || spec.kind === 'boolean' || spec.kind === 'text' || spec.kind === 'list' || spec.kind === 'optional') return given
  if (spec.kind === 'number') return numberFrom(spec, given, source)
  if (spec.choices.includes(given)) return given
  throw new OptionError(spec.flag, `${source} ${JSON.stringify(given)} must be one of ${spec.choices.join(', ')}`)
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

/**
 * parseArgs has no flag whose value may be left out, so `--spa` and `--spa app.html`
 * become `--spa=index.html` and `--spa=app.html` first. The word after such a flag is
 * its value unless it is a flag, a port or an existing folder: `servekit --spa dist`
 * serves `dist` as a single-page app.
 */
function withOptionalValues (argv: readonly string[], isDirectory: (path: string) => boolean): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return [...args, ...argv.slice(i)]
    const spec = arg.startsWith('--') ? specOfFlag(arg.slice(2)) : undefined
    if (spec?.kind !== 'optional') {
      args.push(arg)
      continue
    }
    const next = argv[i + 1]
    const isValue = next !== undefined && !next.startsWith('-') && !WHOLE.test(next) && !isDirectory(next)
    args.push(`${arg}=${isValue ? next : spec.implicit}`)
    if (isValue) i++
  }
  return args
}

export function parseCli (argv: readonly string[], { env, isTTY, isDirectory = existingDirectory }: CliEnvironment): CliCommand {
  let parsed
  try {
    // allowNegative: `--no-dotfiles` turns off what SERVEKIT_DOTFILES turned on.
    parsed = parseArgs({ args: withOptionalValues(argv, isDirectory), options: FLAGS, allowPositionals: true, allowNegative: true, strict: true, tokens: true })
  } catch (error) {
    throw usageError(error)
  }
  if (parsed.values.help === true) return { kind: 'help' }
  if (parsed.values.version === true) return { kind: 'version' }
  const hashFor = parsed.values['hash-password']
  if (typeof hashFor === 'string') {
    // The user name ends at the first colon of an auth-file line; a password never comes from argv, where ps shows it.
    if (hashFor === '' || /[:\s]/.test(hashFor)) throw new UsageError(`--hash-password ${JSON.stringify(hashFor)} must be a user name without colons or spaces`)
    return { kind: 'hash-password', user: hashFor }
  }
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

type ParsedValues = Partial<Record<string, string | boolean | string[]>>

/** Options the table declares that need more than their own value: done below. */
const SPECIAL: ReadonlySet<OptionName> = new Set(['port', 'logFormat', 'workers', 'qr', 'open'])

function serveCommand (values: ParsedValues, { env, isTTY }: CliEnvironment, fromEnvironment: Record<string, string>, typed: Record<string, string>): CliCommand {
  const sourceOf = (flag: string): string => fromEnvironment[flag] ?? typed[flag] ?? `--${flag}`
  const options: Record<string, unknown> = {}
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const spec: OptionSpec = OPTIONS[name]
    const given = values[spec.flag]
    if (given !== undefined && !SPECIAL.has(name)) options[name] = valueFrom(spec, given, sourceOf(spec.flag))
  }
  const portText = typeof values.port === 'string' ? values.port : undefined
  const port = portText !== undefined
    ? numberFrom(OPTIONS.port, portText, fromEnvironment.port ?? typed.port ?? 'port')
    : nonEmpty(env.PORT) !== undefined ? numberFrom(OPTIONS.port, env.PORT!, 'PORT') : DEFAULT_PORT
  const logFormat = values['log-format'] === undefined ? undefined : valueFrom(OPTIONS.logFormat, values['log-format'], sourceOf('log-format')) as LogFormat

  return {
    kind: 'serve',
    options: {
      ...options,
      port,
      logFormat: logFormat ?? (isTTY ? 'pretty' : 'json'),
      cgiEnv: values.cgi === true ? inheritedEnvironment(env) : undefined,
      loginUsers: values.login === true && nonEmpty(env.SERVEKIT_LOGIN_USERS) !== undefined ? parseLoginUsers(env.SERVEKIT_LOGIN_USERS!) : undefined,
      secret: nonEmpty(env.SERVEKIT_SECRET),
      tlsCacheDir: defaultTlsCacheDir(env, env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir())
    },
    startup: { qr: values.qr === true, open: values.open === true },
    workers: workersFrom(typeof values.workers === 'string' ? values.workers : undefined),
    fromEnvironment,
    typed
  }
}

function flagLabel (name: string, spec: FlagSpec): string {
  const value = spec.value === undefined ? '' : spec.optionalValue === true ? ` [${spec.value}]` : ` ${spec.value}`
  const long = `--${spec.negated === true ? 'no-' : ''}${name}${value}`
  return spec.short === undefined ? `    ${long}` : `-${spec.short}, ${long}`
}

export function helpText (): string {
  const rows = Object.entries(FLAGS).map(([name, spec]) => [flagLabel(name, spec), spec.help] as const)
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
  Every option but -h, -V and --hash-password can be set as SERVEKIT_<OPTION>, e.g. SERVEKIT_BIND=127.0.0.1,
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
