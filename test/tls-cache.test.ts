import assert from 'node:assert/strict'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { after, test } from 'node:test'
import { cachedCertificate, RENEW_WITHIN_DAYS } from '../src/tls/cache.js'
import { certificateNames, type WantedNames } from '../src/tls/names.js'
import { loadTls } from '../src/tls/index.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { testCertificate } from './helpers/tls.js'

const DAY_MS = 86_400_000
const NAMES: WantedNames = { required: ['localhost', '127.0.0.1', '::1', 'ada'], optional: ['2001:db8::1'] }
// DER of the signature algorithm OIDs: ecdsa-with-SHA256 and sha256WithRSAEncryption.
const ECDSA_SHA256 = Buffer.from('06082a8648ce3d040302', 'hex')
const RSA_SHA256 = Buffer.from('06092a864886f70d01010b', 'hex')

const fixtures: Fixture[] = []
after(async () => { await Promise.all(fixtures.map(async (f) => { await f.cleanup() })) })

async function tempDir (): Promise<Fixture> {
  const fixture = await makeTree({})
  fixtures.push(fixture)
  return fixture
}

async function cacheIn (fixture: Fixture, names = NAMES, now = new Date(), keyType: 'ec' | 'rsa' = 'ec'): ReturnType<typeof cachedCertificate> {
  return await cachedCertificate({ cacheDir: fixture.path('config', 'servekit', 'tls'), keyType, names, now })
}

async function mode (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

test('a first start makes an ECDSA P-256 certificate signed with SHA-256, for a year, naming every wanted name', async () => {
  const fixture = await tempDir()
  const made = await cacheIn(fixture)
  const x509 = new X509Certificate(made.cert)
  assert.deepEqual(certificateNames(x509), ['localhost', '127.0.0.1', '::1', 'ada', '2001:db8::1'])
  assert.equal(x509.publicKey.asymmetricKeyType, 'ec')
  assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  assert.ok(x509.raw.includes(ECDSA_SHA256))
  assert.equal(x509.ca, false)
  assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1'])
  const days = (Date.parse(x509.validTo) - Date.now()) / DAY_MS
  assert.ok(days > 364 && days <= 365, `valid for ${days} days`)
  assert.match(made.madeBecause ?? '', /does not exist yet/)
})

test('the cache folder is 0700 and the key and certificate files 0600', async () => {
  const fixture = await tempDir()
  const made = await cacheIn(fixture)
  assert.equal(await mode(fixture.path('config')), 0o700)
  assert.equal(await mode(fixture.path('config', 'servekit', 'tls')), 0o700)
  assert.equal(await mode(made.file), 0o600)
  assert.equal(await mode(made.certFile), 0o600)
  assert.deepEqual((await readdir(fixture.path('config', 'servekit', 'tls'))).sort(), ['ec.crt', 'ec.pem'])
})

test('the cache file holds the key and its certificate; the .crt file the certificate alone', async () => {
  const fixture = await tempDir()
  const made = await cacheIn(fixture)
  assert.equal(await readFile(made.file, 'utf8'), made.key + made.cert)
  assert.equal(await readFile(made.certFile, 'utf8'), made.cert)
  assert.match(made.key, /^-----BEGIN PRIVATE KEY-----/)
})

test('a second start reuses the certificate', async () => {
  const fixture = await tempDir()
  const first = await cacheIn(fixture)
  const second = await cacheIn(fixture)
  assert.equal(second.madeBecause, undefined)
  assert.equal(new X509Certificate(second.cert).fingerprint256, new X509Certificate(first.cert).fingerprint256)
  assert.equal(second.key, first.key)
})

test('a certificate that would expire within 30 days is made anew', async () => {
  const fixture = await tempDir()
  const old = await cacheIn(fixture, NAMES, new Date(Date.now() - (365 - RENEW_WITHIN_DAYS + 5) * DAY_MS))
  const renewed = await cacheIn(fixture)
  assert.match(renewed.madeBecause ?? '', /expires on .*, within 30 days/)
  assert.notEqual(new X509Certificate(renewed.cert).fingerprint256, new X509Certificate(old.cert).fingerprint256)
  assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > Date.now() + 364 * DAY_MS)
})

test('an expired certificate in the cache is made anew', async () => {
  const fixture = await tempDir()
  const expired = await testCertificate({ names: NAMES.required, notBefore: new Date(Date.now() - 400 * DAY_MS), notAfter: new Date(Date.now() - 35 * DAY_MS) })
  await cacheIn(fixture)
  await writeFile(fixture.path('config', 'servekit', 'tls', 'ec.pem'), expired.key + expired.cert)
  const renewed = await cacheIn(fixture)
  assert.match(renewed.madeBecause ?? '', /expired on/)
  assert.notEqual(renewed.cert, expired.cert)
  assert.equal(await readFile(renewed.certFile, 'utf8'), renewed.cert)
})

test('a certificate not valid yet (the clock went back) is made anew', async () => {
  const fixture = await tempDir()
  await cacheIn(fixture, NAMES, new Date(Date.now() + 2 * DAY_MS))
  assert.match((await cacheIn(fixture)).madeBecause ?? '', /^the cached certificate is not valid until /)
})

test('a certificate lacking a needed name is made anew, keeping the names it had', async () => {
  const fixture = await tempDir()
  await cacheIn(fixture, { required: ['localhost', '192.168.1.20'], optional: [] })
  const moved = await cacheIn(fixture, { required: ['localhost', '10.0.0.5'], optional: [] })
  assert.equal(moved.madeBecause, 'the cached certificate lacks 10.0.0.5')
  assert.deepEqual(certificateNames(new X509Certificate(moved.cert)), ['localhost', '10.0.0.5', '192.168.1.20'])
  const back = await cacheIn(fixture, { required: ['localhost', '192.168.1.20'], optional: [] })
  assert.equal(back.madeBecause, undefined)
})

test('a missing optional name does not force a new certificate', async () => {
  const fixture = await tempDir()
  await cacheIn(fixture)
  const again = await cacheIn(fixture, { required: NAMES.required, optional: ['2001:db8::99'] })
  assert.equal(again.madeBecause, undefined)
})

test('a damaged cache file is replaced', async () => {
  const fixture = await tempDir()
  await cacheIn(fixture)
  await writeFile(fixture.path('config', 'servekit', 'tls', 'ec.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')
  const made = await cacheIn(fixture)
  assert.match(made.madeBecause ?? '', /ec\.pem is incomplete$/)
})

test('a key that does not match its certificate is replaced', async () => {
  const fixture = await tempDir()
  const made = await cacheIn(fixture)
  const other = await testCertificate({ names: NAMES.required })
  await writeFile(made.file, other.key + made.cert)
  assert.match((await cacheIn(fixture)).madeBecause ?? '', /holds a key that does not match its certificate$/)
})

test('a stale .crt copy is brought back in line with the certificate served', async () => {
  const fixture = await tempDir()
  const made = await cacheIn(fixture)
  await writeFile(made.certFile, 'stale')
  await cacheIn(fixture)
  assert.equal(await readFile(made.certFile, 'utf8'), made.cert)
})

test('--tls-key-type rsa makes an RSA 2048 certificate signed with SHA-256, cached beside the ECDSA one', async () => {
  const fixture = await tempDir()
  await cacheIn(fixture)
  const made = await cacheIn(fixture, NAMES, new Date(), 'rsa')
  const x509 = new X509Certificate(made.cert)
  assert.equal(x509.publicKey.asymmetricKeyType, 'rsa')
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048)
  assert.ok(x509.raw.includes(RSA_SHA256))
  assert.deepEqual((await readdir(fixture.path('config', 'servekit', 'tls'))).sort(), ['ec.crt', 'ec.pem', 'rsa.crt', 'rsa.pem'])
})

test('two servers starting at once leave one whole key and certificate pair', async () => {
  const fixture = await tempDir()
  const results = await Promise.all([cacheIn(fixture), cacheIn(fixture), cacheIn(fixture)])
  const text = await readFile(results[0].file, 'utf8')
  assert.ok(results.some((r) => text === r.key + r.cert), 'the file is one of the pairs made')
  assert.deepEqual((await readdir(fixture.path('config', 'servekit', 'tls'))).sort(), ['ec.crt', 'ec.pem'])
  assert.equal((await cacheIn(fixture)).madeBecause, undefined)
})

test('a cache that cannot be written still gives a certificate, with a warning', async () => {
  const fixture = await makeTree({ 'not-a-folder': 'x' })
  fixtures.push(fixture)
  const made = await cachedCertificate({ cacheDir: fixture.path('not-a-folder', 'tls'), keyType: 'ec', names: NAMES, now: new Date() })
  assert.ok(new X509Certificate(made.cert).checkPrivateKey(createPrivateKey(made.key)))
  assert.match(made.warnings[0] ?? '', /^could not cache the certificate in .*not-a-folder\/tls \(ENOTDIR\); the next start will make another one$/)
})

test('the cache is refused inside the served folder when it would be served', async () => {
  const fixture = await makeTree({ 'site/index.html': 'hi' })
  fixtures.push(fixture)
  const root = fixture.path('site')
  const tls = { source: 'generated', keyType: 'ec', cacheDir: fixture.path('site', 'certs') } as const
  await assert.rejects(loadTls({ root, dotfiles: false, bind: '127.0.0.1', tls }),
    { name: 'OptionError', message: `the certificate cache ${root}/certs lies inside the served folder ${root}, where anyone could download it; set XDG_CONFIG_HOME to a folder outside it, or do not give --dotfiles` })
  assert.deepEqual(await readdir(root), ['index.html'], 'nothing was written')
})

test('the cache may sit under a dot folder of the served folder, which is never served, unless --dotfiles', async () => {
  const fixture = await makeTree({ 'home/notes.txt': 'hi' })
  fixtures.push(fixture)
  const root = fixture.path('home')
  const tls = { source: 'generated', keyType: 'ec', cacheDir: fixture.path('home', '.config', 'servekit', 'tls') } as const
  const material = await loadTls({ root, dotfiles: false, bind: '127.0.0.1', tls })
  assert.equal(material?.certificate.generated, true)
  await assert.rejects(loadTls({ root, dotfiles: true, bind: '127.0.0.1', tls }), { name: 'OptionError', message: /lies inside the served folder/ })
})
