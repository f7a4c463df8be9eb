// Configuration by environment: every flag has a SERVEKIT_* variable derived from
// the flag table, flags win, and a bad value is one line naming the variable.
import { strict as assert } from 'node:assert'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { FLAGS, flagVariables, helpText, OTHER_VARIABLES, parseCli, unknownVariables, variableOf } from '../src/args.js'
import { OptionError } from '../src/errors.js'
import { runCli, started } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { join } from 'node:path'
import { REPO } from './helpers/repo.js'

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCli(argv, { env, isTTY: false })

/** What a command does, without the bookkeeping of where its values came from. */
function effect (argv: string[], env: NodeJS.ProcessEnv = {}): unknown {
  const command = parse(argv, env)
  if (command.kind !== 'serve') return command
  const { fromEnvironment, typed, ...rest } = command
  return rest
}

/**
 * Two valid values for each kind of flag value (the placeholder in --help), so a
 * flag added later is covered as soon as it uses a known placeholder.
 */
const SAMPLES: Record<string, [string, string]> = {
  ADDR: ['127.0.0.9', '::1'],
  ADDRS: ['10.0.0.1', '172.30.80.2,loopback'],
  DIR: ['/srv/site', '/tmp/other'],
  FILE: ['/etc/servekit/a.pem', '/etc/servekit/b.pem'],
  FORMAT: ['pretty', 'json'],
  LEVEL: ['debug', 'warn'],
  'NAME:VALUE': ['X-Frame-Options: DENY', 'Link: </a.css>; rel=preload, </b.js>; rel=preload'],
  ORIGIN: ['https://a.example', 'http://localhost:3000'],
  'USER:PASSWORD': ['ann:s3cret', 'bob:pa:ss'],
  N: ['3', '5'],
  PORT: ['9001', '9002'],
  SECONDS: ['5', '7'],
  SIZE: ['64K', '2M'],
  TYPE: ['rsa', 'ec']
}

// The flags that only print (help, version, a password hash) have none.
const flags = Object.entries(FLAGS).filter(([name]) => !['help', 'version', 'hash-password'].includes(name)) as Array<[string, { type: string, value?: string }]>

function samples (flag: string, spec: { value?: string }): [string, string] {
  const pair = SAMPLES[spec.value ?? '']
  assert.ok(pair !== undefined, `--${flag}: add sample values for ${spec.value ?? 'its placeholder'} to SAMPLES`)
  return pair
}

test('every flag but those that only print has a variable: SERVEKIT_ and the flag in upper snake case', () => {
  assert.equal(variableOf('bind'), 'SERVEKIT_BIND')
  assert.equal(variableOf('follow-symlinks'), 'SERVEKIT_FOLLOW_SYMLINKS')
  assert.deepEqual(flagVariables().map(([flag]) => flag), flags.map(([flag]) => flag))
  const names = flagVariables().map(([, variable]) => variable)
  assert.equal(new Set([...names, ...Object.keys(OTHER_VARIABLES)]).size, names.length + Object.keys(OTHER_VARIABLES).length, 'no two settings share a variable')
})

for (const [flag, spec] of flags) {
  const variable = variableOf(flag)

  test(`${variable} does what --${flag} does, and a flag on the command line wins`, () => {
    if (spec.type === 'boolean') {
      assert.deepEqual(effect([], { [variable]: 'yes' }), effect([`--${flag}`]))
      assert.notDeepEqual(effect([], { [variable]: '1' }), effect([]), 'the variable changes something')
      assert.deepEqual(effect([`--no-${flag}`], { [variable]: 'on' }), effect([`--no-${flag}`]))
      assert.deepEqual(effect([], { [variable]: 'off' }), effect([`--no-${flag}`]))
    } else {
      const [first, second] = samples(flag, spec)
      assert.deepEqual(effect([], { [variable]: first }), effect([`--${flag}`, first]))
      assert.notDeepEqual(effect([], { [variable]: first }), effect([]), 'the variable changes something')
      assert.deepEqual(effect([`--${flag}`, second], { [variable]: first }), effect([`--${flag}`, second]))
    }
  })
}

test('on/off variables take 1/0, true/false, yes/no, on/off in any case; anything else is refused by name', () => {
  for (const word of ['1', 'true', 'TRUE', 'Yes', 'on', ' on ']) {
    assert.equal((parse([], { SERVEKIT_DOTFILES: word }) as { options: { dotfiles?: boolean } }).options.dotfiles, true, word)
  }
  for (const word of ['0', 'false', 'No', 'OFF']) {
    assert.equal((parse([], { SERVEKIT_DOTFILES: word }) as { options: { dotfiles?: boolean } }).options.dotfiles, false, word)
  }
  for (const word of ['2', 'y', 'enabled', '-']) {
    assert.throws(() => parse([], { SERVEKIT_DOTFILES: word }), (e: Error) =>
      e instanceof OptionError && e.message === `SERVEKIT_DOTFILES ${JSON.stringify(word)} must be one of 1, true, yes, on, 0, false, no, off`)
  }
})

test('an empty variable counts as unset', () => {
  assert.deepEqual(effect([], { SERVEKIT_BIND: '', SERVEKIT_DOTFILES: '', SERVEKIT_PORT: '' }), effect([]))
})

test('the port: the argument, else SERVEKIT_PORT, else PORT, else 8000', () => {
  const port = (argv: string[], env: NodeJS.ProcessEnv) => (parse(argv, env) as { options: { port: number } }).options.port
  assert.equal(port(['9003'], { SERVEKIT_PORT: '9002', PORT: '9001' }), 9003)
  assert.equal(port([], { SERVEKIT_PORT: '9002', PORT: '9001' }), 9002)
  assert.equal(port([], { PORT: '9001' }), 9001)
  assert.equal(port([], {}), 8000)
  assert.throws(() => parse([], { SERVEKIT_PORT: 'http' }), (e: Error) => e instanceof OptionError && e.message === 'SERVEKIT_PORT "http" must be a whole number from 0 to 65535')
})

test('a value refused by the option it names says which variable it came from', () => {
  assert.throws(() => parse([], { SERVEKIT_LOG_LEVEL: 'loud' }), (e: Error) =>
    e instanceof OptionError && /^SERVEKIT_LOG_LEVEL "loud" must be one of fatal, error, warn, info, debug, trace, silent$/.test(e.message))
  assert.throws(() => parse([], { SERVEKIT_WORKERS: '0' }), (e: Error) =>
    e instanceof OptionError && /^--workers "0" must be a whole number from 1 to 256, or auto .* \(from SERVEKIT_WORKERS\)$/.test(e.message))
  assert.throws(() => parse(['--log-level', 'loud']), (e: Error) => e instanceof OptionError && !e.message.includes('SERVEKIT_'))
})

test('--workers: a count, or auto for one per CPU', () => {
  assert.equal((parse([]) as { workers: number }).workers, 1)
  assert.equal((parse(['--workers', '4']) as { workers: number }).workers, 4)
  assert.ok((parse(['--workers', 'auto']) as { workers: number }).workers >= 1)
  for (const bad of ['0', '-1', '2.5', 'all', '257']) assert.throws(() => parse([`--workers=${bad}`]), OptionError, bad)
})

test('SERVEKIT_* variables servekit does not read are reported, the others are not', () => {
  assert.deepEqual(unknownVariables({ SERVEKIT_DOTFILE: '1', SERVEKIT_BIND: '::1', SERVEKIT_SECRET: 'x', SERVEKIT_LOGIN_USERS: 'a:b', SERVEKIT_PORT: '1', PORT: '1', HOME: '/' }), ['SERVEKIT_DOTFILE'])
})

test('--help explains the variables', () => {
  const text = helpText()
  assert.match(text, /Every option but -h, -V and --hash-password can be set as SERVEKIT_<OPTION>/)
  assert.match(text, /1, true, yes, on or 0, false, no, off/)
  for (const name of Object.keys(OTHER_VARIABLES)) assert.ok(text.includes(name), name)
})

test('the README has one table with every flag and its variable', async () => {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8')
  const rows = readme.split('\n').filter((line) => line.startsWith('| ') && /`SERVEKIT_[A-Z_]+`/.test(line))
  for (const [flag, variable] of flagVariables()) {
    assert.ok(rows.some((row) => (row.includes(`--${flag}`) || row.includes(`--no-${flag}`)) && row.includes(`\`${variable}\``)), `README row for --${flag} / ${variable}`)
  }
  for (const name of Object.keys(OTHER_VARIABLES)) assert.ok(readme.includes(`\`${name}\``), name)
})

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'a.txt': 'a' }) })
after(async () => { await fixture.cleanup() })

test('the command takes its settings from the environment and names a bad one in one line', async () => {
  const run = runCli([], { SERVEKIT_DIRECTORY: fixture.dir, SERVEKIT_BIND: '127.0.0.1', SERVEKIT_PORT: '0' })
  after(() => run.child.kill('SIGKILL'))
  const port = await started(run)
  assert.equal(run.logs()[0]?.address, '127.0.0.1')
  assert.ok(port > 0)

  const bad = await runCli([], { SERVEKIT_DIRECTORY: fixture.path('missing'), SERVEKIT_PORT: '0' }).exited
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^servekit: directory .*missing does not exist \(from SERVEKIT_DIRECTORY\)\n$/)

  const flag = await runCli([], { SERVEKIT_FOLLOW_SYMLINKS: 'sure', SERVEKIT_PORT: '0' }).exited
  assert.equal(flag.code, 2)
  assert.equal(flag.stderr, 'servekit: SERVEKIT_FOLLOW_SYMLINKS "sure" must be one of 1, true, yes, on, 0, false, no, off\n')
})

test('a misspelt SERVEKIT_* variable is a warning on stderr, not silence', async () => {
  const run = runCli(['-d', fixture.dir, '-b', '127.0.0.1', '0'], { SERVEKIT_DOTFILE: '1' })
  after(() => run.child.kill('SIGKILL'))
  await started(run)
  run.child.kill('SIGTERM')
  const { stderr } = await run.exited
  assert.equal(stderr, 'servekit: warning: ignoring SERVEKIT_DOTFILE, which is not a servekit setting (see servekit --help)\n')
})
