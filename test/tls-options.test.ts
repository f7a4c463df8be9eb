import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCli } from '../src/args.js'
import { OptionError } from '../src/errors.js'
import { defaultTlsCacheDir, tlsSettings } from '../src/tls/settings.js'

const HOME = '/home/ada'

function serveOptions (argv: string[], env: NodeJS.ProcessEnv = { HOME }): Record<string, unknown> {
  const command = parseCli(argv, { env, isTTY: false })
  assert.equal(command.kind, 'serve')
  return command.kind === 'serve' ? { ...command.options } : {}
}

test('--tls asks for a generated ECDSA certificate cached under ~/.config/servekit/tls', () => {
  const options = serveOptions(['--tls'])
  assert.deepEqual(tlsSettings(options, HOME), { source: 'generated', keyType: 'ec', cacheDir: '/home/ada/.config/servekit/tls' })
})

test('the CLI caches under $XDG_CONFIG_HOME when it is absolute, and ignores a relative one', () => {
  assert.equal(serveOptions(['--tls'], { HOME, XDG_CONFIG_HOME: '/xdg' }).tlsCacheDir, '/xdg/servekit/tls')
  assert.equal(defaultTlsCacheDir({ XDG_CONFIG_HOME: 'relative/config' }, HOME), '/home/ada/.config/servekit/tls')
})

test('--tls-key-type rsa implies --tls', () => {
  assert.deepEqual(tlsSettings(serveOptions(['--tls-key-type', 'rsa']), HOME), { source: 'generated', keyType: 'rsa', cacheDir: '/home/ada/.config/servekit/tls' })
})

test('no TLS flag means plain HTTP', () => {
  assert.equal(tlsSettings(serveOptions([]), HOME), undefined)
})

test('--tls-cert implies --tls, and the key may come from the same file', () => {
  assert.deepEqual(tlsSettings(serveOptions(['--tls-cert', '/certs/both.pem']), HOME),
    { source: 'files', certFile: '/certs/both.pem', keyFile: undefined, passwordFile: undefined })
})

test('--tls-cert, --tls-key and --tls-password-file resolve against the current folder', () => {
  const settings = tlsSettings(serveOptions(['--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--tls-password-file', 'pw']), HOME)
  assert.deepEqual(settings, { source: 'files', certFile: `${process.cwd()}/c.pem`, keyFile: `${process.cwd()}/k.pem`, passwordFile: `${process.cwd()}/pw` })
})

test('--tls-key without --tls-cert is refused', () => {
  assert.throws(() => tlsSettings(serveOptions(['--tls-key', 'k.pem']), HOME), { name: 'OptionError', message: /^--tls-key needs --tls-cert/ })
})

test('--tls-password-file without --tls-cert is refused', () => {
  assert.throws(() => tlsSettings(serveOptions(['--tls', '--tls-password-file', 'pw']), HOME), { name: 'OptionError', message: /^--tls-password-file needs --tls-cert/ })
})

test('--tls-key-type with --tls-cert is refused', () => {
  assert.throws(() => tlsSettings(serveOptions(['--tls-cert', 'c.pem', '--tls-key-type', 'rsa']), HOME), { name: 'OptionError', message: /^--tls-key-type is for generated certificates/ })
})

test('an unknown --tls-key-type names the choices', () => {
  assert.throws(() => serveOptions(['--tls-key-type', 'dsa']), (error: unknown) =>
    error instanceof OptionError && error.message === '--tls-key-type "dsa" must be one of ec, rsa')
})

test('library options are checked too', () => {
  assert.throws(() => tlsSettings({ tls: 'yes' as unknown as boolean }, HOME), { name: 'OptionError' })
  assert.throws(() => tlsSettings({ tlsCert: '' }, HOME), { name: 'OptionError', message: '--tls-cert must be a file path' })
})
