// Flag parsing as a pure function: argv and env in, options or a usage error out.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { FLAGS, helpText, nameTheVariable, parseCli, UsageError } from '../src/args.js'
import { OptionError } from '../src/errors.js'

// Only `public` and `8080` (a folder named like a port) exist, whatever the machine's disk holds.
const FOLDERS = new Set(['public', '/srv/public', '8080'])
const isDirectory = (path: string): boolean => FOLDERS.has(path)
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}, isTTY = false) => parseCli(argv, { env, isTTY, isDirectory })
const serving = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parse(argv, env)
  assert.equal(command.kind, 'serve')
  return command as Extract<typeof command, { kind: 'serve' }>
}

test('no arguments: port 8000, every other option left to its default', () => {
  const command = parse([])
  assert.equal(command.kind, 'serve')
  if (command.kind !== 'serve') return
  assert.deepEqual(command.startup, { qr: false, open: false })
  const { port, logFormat, tlsCacheDir, ...rest } = command.options
  assert.ok(tlsCacheDir?.endsWith('/servekit/tls'))
  assert.equal(port, 8000)
  assert.equal(logFormat, 'json')
  for (const [name, value] of Object.entries(rest)) assert.equal(value, undefined, name)
})

test('Python\'s habits: -b, -d and a positional port', () => {
  const command = parse(['-b', '127.0.0.42', '-d', '/srv', '8080'])
  assert.equal(command.kind, 'serve')
  if (command.kind !== 'serve') return
  assert.equal(command.options.port, 8080)
  assert.equal(command.options.bind, '127.0.0.42')
  assert.equal(command.options.directory, '/srv')
  const long = parse(['--bind=::1', '--directory', 'x', '0'])
  assert.deepEqual(long.kind === 'serve' && [long.options.bind, long.options.directory, long.options.port], ['::1', 'x', 0])
})

test('$PORT is the default port; the positional wins', () => {
  assert.equal((parse([], { PORT: '9000' }) as { options: { port: number } }).options.port, 9000)
  assert.equal((parse(['9001'], { PORT: '9000' }) as { options: { port: number } }).options.port, 9001)
})

test('a bad port is named as given and its value quoted as typed', () => {
  assert.throws(() => parse(['99999']), { name: 'OptionError', message: 'port "99999" must be a whole number from 0 to 65535' })
  assert.throws(() => parse(['1.5']), { name: 'OptionError', message: 'port "1.5" must be a whole number from 0 to 65535' })
  assert.throws(() => parse(['80a']), { name: 'OptionError', message: 'port "80a" must be a whole number from 0 to 65535' })
  assert.throws(() => parse(['-p', 'abc']), { name: 'OptionError', message: '-p "abc" must be a whole number from 0 to 65535' })
  assert.throws(() => parse(['--port=-5']), { name: 'OptionError', message: '--port "-5" must be a whole number from 0 to 65535' })
  assert.throws(() => parse(['-1']), UsageError)
  assert.throws(() => parse([], { PORT: 'http' }), { name: 'OptionError', message: 'PORT "http" must be a whole number from 0 to 65535' })
})

test('an existing folder as an argument is served; with a port after it or before it', () => {
  assert.deepEqual([serving(['public']).options.directory, serving(['public']).options.port], ['public', 8000])
  assert.deepEqual([serving(['public', '8081']).options.directory, serving(['public', '8081']).options.port], ['public', 8081])
  assert.deepEqual([serving(['8081', '/srv/public']).options.directory, serving(['8081', '/srv/public']).options.port], ['/srv/public', 8081])
  // Python's `servekit 8080` stays a port, even beside a folder of that name.
  assert.deepEqual([serving(['8080']).options.directory, serving(['8080']).options.port], [undefined, 8080])
})

test('an argument that is neither a folder nor a port is one line saying so', () => {
  assert.throws(() => parse(['share']), { name: 'UsageError', message: '"share" is neither a folder nor a port' })
  assert.throws(() => parse(['public', 'public']), { name: 'UsageError', message: 'unexpected argument "public": only one folder may be given' })
  assert.throws(() => parse(['public', '-d', '/srv']), { name: 'UsageError', message: 'the folder is given twice: "public" and -d "/srv"' })
})

test('-p and --port set the port; the argument beside them is a mistake', () => {
  assert.equal(serving(['-p', '8081']).options.port, 8081)
  assert.equal(serving(['--port', '0']).options.port, 0)
  assert.equal(serving(['public', '-p', '8081']).options.directory, 'public')
  assert.throws(() => parse(['-p', '8081', '8082']), { name: 'UsageError', message: 'the port is given twice: "8082" and -p "8081"' })
  // SERVEKIT_PORT is --port's variable: the argument wins over it, as a flag would.
  assert.equal(serving(['8082'], { SERVEKIT_PORT: '8081' }).options.port, 8082)
})

test('a refused value names the flag as it was typed', () => {
  assert.throws(() => parse(['--cgi', '--cgi-timeout=soon']), { name: 'OptionError', message: '--cgi-timeout "soon" must be a number of seconds above 0 and at most 86400' })
  assert.throws(() => parse(['--cgi', '--cgi-queue', '-1']), { name: 'UsageError', message: 'option --cgi-queue needs a value; one starting with "-" is written --cgi-queue=VALUE' })
  assert.throws(() => parse(['--cgi', '--cgi-queue=-1']), { name: 'OptionError', message: '--cgi-queue "-1" must be a whole number from 0 to 100000' })
  assert.throws(() => parse(['--cgi', '--cgi-queue=100001']), { name: 'OptionError', message: '--cgi-queue "100001" must be a whole number from 0 to 100000' })
  const renamed = nameTheVariable(new OptionError('cgiTimeout', 'cgiTimeout only applies with cgi on (--cgi)'), {}, { 'cgi-timeout': '--cgi-timeout' })
  assert.equal((renamed as Error).message, '--cgi-timeout only applies with cgi on (--cgi)')
  const short = nameTheVariable(new OptionError('directory', 'directory /x does not exist'), {}, { directory: '-d' })
  assert.equal((short as Error).message, '-d /x does not exist')
})

test('--qr, -o/--open and --no-readme', () => {
  assert.deepEqual(serving(['--qr', '-o']).startup, { qr: true, open: true })
  assert.equal(serving(['--open']).startup.open, true)
  assert.equal(serving(['--no-readme']).options.readme, false)
  assert.equal(serving([]).options.readme, undefined)
})

test('unknown flags, missing values and extra arguments are usage errors with one short line', () => {
  assert.throws(() => parse(['--bogus']), { name: 'UsageError', message: 'unknown option --bogus' })
  assert.throws(() => parse(['-x']), { name: 'UsageError', message: 'unknown option -x' })
  assert.throws(() => parse(['--bind']), { name: 'UsageError', message: 'option -b, --bind needs a value' })
  assert.throws(() => parse(['--dotfiles=yes']), { name: 'UsageError', message: 'option --dotfiles takes no value' })
  assert.throws(() => parse(['8000', '8001']), { name: 'UsageError', message: 'unexpected argument "8001": only one port may be given' })
  assert.throws(() => parse(['-p']), { name: 'UsageError', message: 'option -p, --port needs a value' })
})

test('log level and format are checked; format defaults to pretty on a terminal', () => {
  assert.throws(() => parse(['--log-level', 'loud']), (e: Error) => e instanceof OptionError && e.message.startsWith('--log-level "loud" must be one of fatal, error'))
  assert.throws(() => parse(['--log-format', 'xml']), OptionError)
  assert.equal((parse([], {}, true) as { options: { logFormat: string } }).options.logFormat, 'pretty')
  assert.equal((parse(['--log-format', 'json'], {}, true) as { options: { logFormat: string } }).options.logFormat, 'json')
})

test('help and version win over everything else', () => {
  assert.equal(parse(['--help', '--dotfiles']).kind, 'help')
  assert.equal(parse(['-h', '99999']).kind, 'help')
  assert.equal(parse(['-V']).kind, 'version')
})

test('--help lists every flag', () => {
  const text = helpText()
  assert.match(text, /^Usage: servekit \[options\] \[folder\] \[port\]/)
  for (const name of Object.keys(FLAGS)) assert.ok(text.includes(`--${name}`) || text.includes(`--no-${name}`), name)
  assert.ok(text.includes('--no-readme '), 'an on-by-default flag is shown by its --no- form')
})
