// Flag parsing as a pure function: argv and env in, options or a usage error out.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { FLAGS, helpText, parseCli, UsageError } from '../src/args.js'
import { OptionError } from '../src/errors.js'

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}, isTTY = false) => parseCli(argv, { env, isTTY })

test('no arguments: port 8000, every other option left to its default', () => {
  const command = parse([])
  assert.equal(command.kind, 'serve')
  if (command.kind !== 'serve') return
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

test('a bad port names itself', () => {
  assert.throws(() => parse(['99999']), (e: Error) => e instanceof OptionError && /^port must be a whole number from 0 to 65535/.test(e.message))
  assert.throws(() => parse(['80a']), OptionError)
  assert.throws(() => parse(['-1']), UsageError)
  assert.throws(() => parse([], { PORT: 'http' }), (e: Error) => e instanceof OptionError && e.message.startsWith('PORT must be'))
})

test('unknown flags, missing values and extra arguments are usage errors with one short line', () => {
  assert.throws(() => parse(['--bogus']), { name: 'UsageError', message: 'unknown option --bogus' })
  assert.throws(() => parse(['-x']), { name: 'UsageError', message: 'unknown option -x' })
  assert.throws(() => parse(['--bind']), { name: 'UsageError', message: 'option -b, --bind needs a value' })
  assert.throws(() => parse(['--dotfiles=yes']), { name: 'UsageError', message: 'option --dotfiles takes no value' })
  assert.throws(() => parse(['8000', '8001']), { name: 'UsageError', message: 'unexpected argument "8001": only one port may be given' })
})

test('log level and format are checked; format defaults to pretty on a terminal', () => {
  assert.throws(() => parse(['--log-level', 'loud']), (e: Error) => e instanceof OptionError && e.message.startsWith('--log-level must be one of fatal, error'))
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
  assert.match(text, /^Usage: servekit \[options\] \[port\]/)
  for (const name of Object.keys(FLAGS)) assert.ok(text.includes(`--${name}`), name)
})
