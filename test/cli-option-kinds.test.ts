// Flags given more than once (-H, --auth) and flags whose value may be left out
// (--spa, --cors): on the command line and from their variables.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { helpText, parseCli } from '../src/args.js'
import { resolveOptions } from '../src/options.js'

const FOLDERS = new Set(['dist', 'public'])
const options = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseCli(argv, { env, isTTY: false, isDirectory: (path) => FOLDERS.has(path) })
  assert.equal(command.kind, 'serve')
  return (command as Extract<typeof command, { kind: 'serve' }>).options
}

test('-H and --header repeat, in order; the variable holds one per line, since values hold commas', () => {
  assert.deepEqual(options(['-H', 'X-A: 1', '--header', 'Cache-Control: no-cache, no-store']).headers, ['X-A: 1', 'Cache-Control: no-cache, no-store'])
  assert.deepEqual(options([], { SERVEKIT_HEADER: 'X-A: 1, 2\nX-B: 3\n' }).headers, ['X-A: 1, 2', 'X-B: 3'])
  assert.deepEqual(options(['-H', 'X-C: 4'], { SERVEKIT_HEADER: 'X-A: 1' }).headers, ['X-C: 4'], 'the flag wins over the variable')
})

test('--auth repeats; its variable is comma-separated', () => {
  assert.deepEqual(options(['--auth', 'ann:one', '--auth', 'bob:t:w:o']).auth, ['ann:one', 'bob:t:w:o'])
  assert.deepEqual(options([], { SERVEKIT_AUTH: 'ann:one, bob:two' }).auth, ['ann:one', 'bob:two'])
})

test('--spa alone means index.html; the word after it is its file unless it is a flag, a port or a folder', () => {
  assert.equal(options(['--spa']).spa, 'index.html')
  assert.equal(options(['--spa', 'app.html']).spa, 'app.html')
  assert.equal(options(['--spa=shell/app.html']).spa, 'shell/app.html')
  const folder = options(['--spa', 'dist', '9000'])
  assert.deepEqual([folder.spa, folder.directory, folder.port], ['index.html', 'dist', 9000])
  const port = options(['--spa', '8080'])
  assert.deepEqual([port.spa, port.port], ['index.html', 8080])
  const flag = options(['--spa', '--dotfiles'])
  assert.deepEqual([flag.spa, flag.dotfiles], ['index.html', true])
})

test('--cors alone allows any origin; with a value only those', () => {
  assert.equal(options(['--cors']).cors, '*')
  assert.equal(options(['--cors', 'http://localhost:3000', 'public']).cors, 'http://localhost:3000')
  assert.equal(options(['--cors', 'public']).cors, '*')
})

test('an optional-value variable: 1/true means the flag alone, 0/false leaves it off, anything else is the value', () => {
  assert.equal(options([], { SERVEKIT_SPA: 'yes' }).spa, 'index.html')
  assert.equal(options([], { SERVEKIT_SPA: 'off' }).spa, undefined)
  assert.equal(options([], { SERVEKIT_SPA: 'app.html' }).spa, 'app.html')
  assert.equal(options([], { SERVEKIT_CORS: 'https://a.example' }).cors, 'https://a.example')
})

test('--help shows optional values in brackets and says which flags repeat', () => {
  const help = helpText()
  assert.match(help, /--spa \[FILE\] +single-page app/)
  assert.match(help, /--cors \[ORIGIN\] /)
  assert.match(help, /-H, --header NAME:VALUE +add this header to every response; repeatable/)
  assert.match(help, /--auth USER:PASSWORD +.*repeatable/)
})

test('an SPA file must lie inside the folder; CORS origins must be origins', async () => {
  await assert.rejects(resolveOptions({ spa: '../index.html' }), /spa "..\/index.html" must be a file inside the served folder/)
  await assert.rejects(resolveOptions({ cors: 'https://a.example/app' }), /cors "https:\/\/a.example\/app" must be an origin/)
  await assert.rejects(resolveOptions({ cors: 'nonsense' }), /cors "nonsense" must be an origin/)
  assert.deepEqual((await resolveOptions({ cors: 'https://a.example, http://localhost:3000' })).cors, ['https://a.example', 'http://localhost:3000'])
  assert.equal((await resolveOptions({ cors: '*' })).cors, '*')
})

test('upload limits only apply with --upload; --auth-writes-only only with a password', async () => {
  await assert.rejects(resolveOptions({ overwrite: true }), /^OptionError: overwrite only applies with upload on \(--upload\)$/)
  await assert.rejects(resolveOptions({ uploadMax: 10 }), /uploadMax only applies with upload on \(--upload\)/)
  await assert.rejects(resolveOptions({ authWritesOnly: true }), /authWritesOnly only applies with auth or authFile/)
  assert.deepEqual((await resolveOptions({ upload: true })).upload, { maxBytes: 4 * 1024 ** 3, overwrite: false })
  assert.deepEqual((await resolveOptions({ upload: true, uploadMax: 1024, overwrite: true })).upload, { maxBytes: 1024, overwrite: true })
  assert.deepEqual((await resolveOptions({ auth: ['a:b'], authWritesOnly: true })).auth, { users: ['a:b'], file: undefined, writesOnly: true })
  assert.equal((await resolveOptions({})).auth, undefined)
})
