import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { loadTls } from '../src/tls/index.js'
import type { TlsSettings } from '../src/tls/settings.js'
import { runCli } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { encryptKey, testCertificate, type TestCertificate } from './helpers/tls.js'

const DAY_MS = 86_400_000
let fixture: Fixture
let good: TestCertificate
let other: TestCertificate

before(async () => {
  good = await testCertificate()
  other = await testCertificate()
  const expired = await testCertificate({ notBefore: new Date(Date.now() - 60 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) })
  const expiring = await testCertificate({ notAfter: new Date(Date.now() + 10 * DAY_MS) })
  const ca = await testCertificate({ names: ['ca.test'] })
  fixture = await makeTree({
    'certs/cert.pem': good.cert,
    'certs/key.pem': good.key,
    'certs/both.pem': good.key + good.cert,
    'certs/chain.pem': good.cert + ca.cert,
    'certs/encrypted-key.pem': encryptKey(good.key, 'correct horse'),
    'certs/password.txt': 'correct horse\n',
    'certs/wrong-password.txt': 'battery staple\n',
    'certs/empty-password.txt': '\n',
    'certs/other-key.pem': other.key,
    'certs/expired.pem': expired.key + expired.cert,
    'certs/expiring.pem': expiring.key + expiring.cert,
    'certs/notes.txt': 'not a certificate\n',
    'certs/folder': null,
    'site/index.html': '<p>hi</p>',
    'site/key.pem': good.key
  })
})
after(async () => { await fixture.cleanup() })

function files (cert: string, key?: string, password?: string): Extract<TlsSettings, { source: 'files' }> {
  return {
    source: 'files',
    certFile: fixture.path('certs', cert),
    keyFile: key === undefined ? undefined : fixture.path('certs', key),
    passwordFile: password === undefined ? undefined : fixture.path('certs', password)
  }
}

async function load (tls: TlsSettings): ReturnType<typeof loadTls> {
  return await loadTls({ root: fixture.path('site'), dotfiles: false, bind: '127.0.0.1', tls })
}

describe('certificates given on the command line', () => {
  test('a certificate and its key in two files', async () => {
    const material = await load(files('cert.pem', 'key.pem'))
    assert.equal(material?.https.cert, good.cert)
    assert.equal(material?.https.key, good.key)
    assert.equal(material?.certificate.fingerprint256, new X509Certificate(good.cert).fingerprint256)
    assert.deepEqual(material?.certificate.names, ['localhost', '127.0.0.1'])
    assert.equal(material?.certificate.generated, false)
    assert.deepEqual(material?.notes, [])
  })

  test('a key in the certificate file, as Python allows', async () => {
    const material = await load(files('both.pem'))
    assert.equal(material?.https.key, good.key)
    assert.equal(material?.https.cert, good.cert)
  })

  test('a chain is served whole, its first certificate described', async () => {
    const material = await load(files('chain.pem', 'key.pem'))
    assert.equal((material?.https.cert as string).match(/BEGIN CERTIFICATE/g)?.length, 2)
    assert.deepEqual(material?.certificate.names, ['localhost', '127.0.0.1'])
  })

  test('an encrypted key with its passphrase from --tls-password-file', async () => {
    const material = await load(files('cert.pem', 'encrypted-key.pem', 'password.txt'))
    assert.equal(material?.https.passphrase, 'correct horse')
    assert.match(material?.https.key as string, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/)
  })

  test('an expired certificate is served, with a warning', async () => {
    const material = await load(files('expired.pem'))
    assert.equal(material?.notes.length, 1)
    assert.equal(material?.notes[0]?.level, 'warn')
    assert.match(material?.notes[0]?.msg ?? '', /^the certificate in .*expired\.pem expired on .*; clients will reject it until it is renewed$/)
  })

  test('a certificate about to expire is served, with a warning to renew it', async () => {
    const material = await load(files('expiring.pem'))
    assert.match(material?.notes[0]?.msg ?? '', /expiring\.pem expires on .*, within 30 days; renew it soon$/)
  })
})

describe('mistakes are one line on stderr and exit 2', { concurrency: 4 }, () => {
  const cases: Array<[string, () => string[], (f: Fixture) => string]> = [
    ['a missing certificate file', () => ['--tls-cert', fixture.path('certs', 'missing.pem')],
      (f) => `certificate file ${f.path('certs', 'missing.pem')} does not exist`],
    ['a missing key file', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'missing.pem')],
      (f) => `key file ${f.path('certs', 'missing.pem')} does not exist`],
    ['an unreadable certificate file', () => ['--tls-cert', fixture.path('certs', 'folder')],
      (f) => `cannot read certificate file ${f.path('certs', 'folder')}: it is a folder`],
    ['a certificate file that is not PEM', () => ['--tls-cert', fixture.path('certs', 'notes.txt')],
      (f) => `certificate file ${f.path('certs', 'notes.txt')} holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)`],
    ['a key file that is not PEM', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'notes.txt')],
      (f) => `key file ${f.path('certs', 'notes.txt')} holds no PEM private key (a "-----BEGIN PRIVATE KEY-----" block)`],
    ['a certificate file without a key and no --tls-key', () => ['--tls-cert', fixture.path('certs', 'cert.pem')],
      (f) => `certificate file ${f.path('certs', 'cert.pem')} holds no private key; give the key with --tls-key FILE`],
    ['a key that does not match the certificate', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'other-key.pem')],
      (f) => `the private key in ${f.path('certs', 'other-key.pem')} does not match the certificate in ${f.path('certs', 'cert.pem')}`],
    ['a wrong passphrase', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'encrypted-key.pem'), '--tls-password-file', fixture.path('certs', 'wrong-password.txt')],
      (f) => `wrong passphrase for the private key in ${f.path('certs', 'encrypted-key.pem')} (read from ${f.path('certs', 'wrong-password.txt')})`],
    ['an encrypted key without --tls-password-file', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'encrypted-key.pem')],
      (f) => `the private key in ${f.path('certs', 'encrypted-key.pem')} is encrypted; give its passphrase with --tls-password-file FILE`],
    ['an empty password file', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('certs', 'encrypted-key.pem'), '--tls-password-file', fixture.path('certs', 'empty-password.txt')],
      (f) => `password file ${f.path('certs', 'empty-password.txt')} is empty`],
    ['--tls-key without --tls-cert', () => ['--tls-key', fixture.path('certs', 'key.pem')],
      () => '--tls-key needs --tls-cert, the certificate that goes with the key'],
    ['a key inside the served folder', () => ['--tls-cert', fixture.path('certs', 'cert.pem'), '--tls-key', fixture.path('site', 'key.pem')],
      (f) => `the private key ${f.path('site', 'key.pem')} lies inside the served folder ${f.path('site')}, where anyone could download it; move it elsewhere`]
  ]
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const run = runCli(['-d', fixture.path('site'), '-b', '127.0.0.1', ...args(), '0'])
      const { code, stderr, stdout } = await run.exited
      assert.equal(stderr, `servekit: ${message(fixture)}\n`)
      assert.equal(code, 2)
      assert.equal(stdout, '')
    })
  }
})
