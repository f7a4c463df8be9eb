// Passwords (HTTP Basic): on everything or on writes only, 401 with the challenge
// through the error reply, the auth file's bcrypt and scrypt lines, its mistakes
// refused at start-up naming the line and never the password, and what stays open
// (the health check, CORS preflights).
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import bcrypt from 'bcryptjs'
import Fastify, { type FastifyInstance } from 'fastify'
import auth, { hashPassword, needsPassword, type AuthOptions } from '../plugins/auth/index.js'
import { parseHash, verifyPassword } from '../plugins/auth/hashes.js'
import staticFiles from '../plugins/static/index.js'
import health from '../routes/health/index.js'
import { useErrorReplies } from '../src/error-reply.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const CHALLENGE = 'Basic realm="servekit", charset="UTF-8"'

function basic (user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64')
}

let fixture: Fixture

before(async () => {
  fixture = await makeTree({ 'root/a.txt': 'alpha', 'users.txt': '' })
})
after(async () => { await fixture.cleanup() })

async function appWith (options: AuthOptions): Promise<FastifyInstance> {
  const app = Fastify()
  useErrorReplies(app)
  await app.register(auth, options)
  await app.register(staticFiles, { root: fixture.path('root') })
  await app.register(health)
  return app
}

function usersFile (text: string): string {
  const path = fixture.path(`users-${Math.random().toString(36).slice(2)}.txt`)
  writeFileSync(path, text)
  return path
}

describe('a password on everything', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ users: ['me:s3cret:with:colons', 'ünï:pässword'] }) })
  after(async () => { await app.close() })

  test('no password: 401 with the challenge, in the JSON shape', async () => {
    const res = await app.inject({ url: '/a.txt' })
    assert.equal(res.statusCode, 401)
    assert.equal(res.headers['www-authenticate'], CHALLENGE)
    assert.equal(res.json().error, 'Unauthorized')
    assert.equal(res.body.includes('alpha'), false)
  })

  test('a browser gets the 401 as a page', async () => {
    const res = await app.inject({ url: '/a.txt', headers: { accept: 'text/html' } })
    assert.equal(res.statusCode, 401)
    assert.equal(res.headers['www-authenticate'], CHALLENGE)
    assert.match(String(res.headers['content-type']), /^text\/html/)
  })

  test('the right user and password get the file, colons and UTF-8 included', async () => {
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic('me', 's3cret:with:colons') } })).body, 'alpha')
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic('ünï', 'pässword') } })).body, 'alpha')
  })

  test('a wrong password, an unknown user, a malformed header: 401', async () => {
    for (const authorization of [basic('me', 's3cret'), basic('you', 's3cret:with:colons'), 'Basic', 'Bearer abc', basic('me', 's3cret:with:colonsX')]) {
      const res = await app.inject({ url: '/a.txt', headers: { authorization } })
      assert.equal(res.statusCode, 401, authorization)
      assert.equal(res.headers['www-authenticate'], CHALLENGE)
    }
  })

  test('a header verified once is remembered exactly: another password is still refused', async () => {
    const good = basic('me', 's3cret:with:colons')
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: good } })).statusCode, 200)
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: good } })).statusCode, 200)
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic('me', 'guess') } })).statusCode, 401)
  })

  test('writes need it too: a PUT without one is 401 before any route sees it', async () => {
    assert.equal((await app.inject({ method: 'PUT', url: '/a.txt', payload: 'x' })).statusCode, 401)
    assert.equal((await app.inject({ method: 'PUT', url: '/a.txt', payload: 'x', headers: { authorization: basic('me', 's3cret:with:colons') } })).statusCode, 405)
  })

  test('the health check stays open, for container probes; only it', async () => {
    assert.equal((await app.inject({ url: '/.well-known/servekit/health' })).statusCode, 200)
    assert.equal((await app.inject({ url: '/.well-known/servekit/health?x=1' })).statusCode, 200)
    assert.equal((await app.inject({ url: '/.well-known/servekit/health/' })).statusCode, 401)
    assert.equal((await app.inject({ method: 'POST', url: '/.well-known/servekit/health' })).statusCode, 401)
  })

  test('a preflight-shaped OPTIONS needs the password too when no CORS plugin answers it (a route would run it)', async () => {
    const preflight = { origin: 'https://app.example', 'access-control-request-method': 'GET' }
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/a.txt', headers: preflight })).statusCode, 401)
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/missing', headers: preflight })).statusCode, 401, 'nor does it tell what exists')
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/a.txt' })).statusCode, 401)
  })

  test('with preflights on (a CORS plugin answers them), a preflight carries no credentials and is not asked for them', async () => {
    const open = await appWith({ users: ['me:s3cret'], preflights: true })
    try {
      const res = await open.inject({ method: 'OPTIONS', url: '/a.txt', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } })
      assert.notEqual(res.statusCode, 401)
      assert.equal((await open.inject({ method: 'OPTIONS', url: '/a.txt' })).statusCode, 401)
    } finally {
      await open.close()
    }
  })
})

describe('a password on writes only', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ users: ['me:s3cret'], writesOnly: true }) })
  after(async () => { await app.close() })

  test('reading stays open', async () => {
    assert.equal((await app.inject({ url: '/a.txt' })).body, 'alpha')
    assert.equal((await app.inject({ method: 'HEAD', url: '/a.txt' })).statusCode, 200)
  })

  test('anything else asks for it, OPTIONS included (a CGI script answers any method)', async () => {
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH', 'MKCOL', 'OPTIONS'] as const) {
      const res = await app.inject({ method: method as 'PUT', url: '/a.txt', payload: 'x' })
      assert.equal(res.statusCode, 401, method)
      assert.equal(res.headers['www-authenticate'], CHALLENGE)
    }
    assert.equal((await app.inject({ method: 'PUT', url: '/a.txt', payload: 'x', headers: { authorization: basic('me', 's3cret') } })).statusCode, 405)
  })
})

describe('the auth file', () => {
  let app: FastifyInstance
  before(async () => {
    // htpasswd -nbB writes $2y$, the same algorithm as bcryptjs's $2b$.
    const bcryptLine = 'ann:' + bcrypt.hashSync('ann-pass', 4).replace(/^\$2b\$/, '$2y$')
    const scryptLine = 'bob:' + await hashPassword('bob-pass', { ln: 10 })
    app = await appWith({ usersFile: usersFile(`# users\n\n${bcryptLine}\r\n  ${scryptLine}\n`), users: ['cy:cy-pass'] })
  })
  after(async () => { await app.close() })

  test('bcrypt ($2y$, as htpasswd writes it) and scrypt lines let their users in, beside --auth users', async () => {
    for (const [user, password] of [['ann', 'ann-pass'], ['bob', 'bob-pass'], ['cy', 'cy-pass']] as const) {
      assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic(user, password) } })).statusCode, 200, user)
      assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic(user, password + 'x') } })).statusCode, 401, user)
    }
  })
})

describe('a flood of wrong passwords', () => {
  let app: FastifyInstance
  before(async () => { app = await appWith({ usersFile: usersFile('ann:' + await hashPassword('ann-pass', { ln: 14 })), cacheSize: 0 }) })
  after(async () => { await app.close() })

  // ln 14: a check takes tens of milliseconds, far longer than sending all 80 takes.
  test('is checked two at a time with 64 waiting; the rest are turned away with 503, then all is well again', async () => {
    // Two guesses from each of 40 clients: within each client's own bound.
    const guesses = await Promise.all(Array.from({ length: 80 }, async (_, i) => await app.inject({ url: '/a.txt', remoteAddress: `10.0.0.${i >> 1}`, headers: { authorization: basic(i % 2 === 0 ? 'ann' : 'nobody', `guess${i}`) } })))
    const statuses = guesses.map((res) => res.statusCode)
    assert.equal(statuses.filter((status) => status === 401).length, 66)
    assert.equal(statuses.filter((status) => status === 503).length, 14)
    assert.equal(guesses.find((res) => res.statusCode === 503)?.headers['retry-after'], '1')
    assert.equal((await app.inject({ url: '/a.txt', headers: { authorization: basic('ann', 'ann-pass') } })).statusCode, 200)
  })

  test('one client flooding gets four checks at a time and 503s past them; another client still logs in meanwhile', async () => {
    const flood = Promise.all(Array.from({ length: 40 }, async (_, i) => await app.inject({ url: '/a.txt', remoteAddress: '10.9.9.9', headers: { authorization: basic('ann', `guess${i}`) } })))
    const other = await app.inject({ url: '/a.txt', remoteAddress: '10.1.1.1', headers: { authorization: basic('ann', 'ann-pass') } })
    assert.equal(other.statusCode, 200)
    const statuses = (await flood).map((res) => res.statusCode)
    assert.equal(statuses.filter((status) => status === 401).length, 4)
    assert.equal(statuses.filter((status) => status === 503).length, 36)
  })
})

describe('mistakes stop the start, in one line that names them and never shows a password', () => {
  const refused = async (options: AuthOptions, message: RegExp): Promise<void> => {
    await assert.rejects(appWith(options), (error: Error) => {
      assert.match(error.message, message)
      assert.equal(error.message.includes('hunter2'), false, error.message)
      assert.equal(error.message.includes('\n'), false)
      return true
    })
  }

  test('a plain-text password in the file, naming the file and the line', async () => {
    const path = usersFile('# ok\nann:$2y$04$abcdefghijklmnopqrstuuA8gjYwL8IcDoH1eKzP0sS.7YhXNqnbu\nbob:hunter2\n')
    await refused({ usersFile: path }, new RegExp(`^usersFile ${path} line 3: the password is not hashed`))
  })

  test('an unknown scheme, a line without a colon, an empty user, a user twice', async () => {
    await refused({ usersFile: usersFile('bob:{SHA}hunter2') }, /line 1: the password is not hashed/)
    await refused({ usersFile: usersFile('\nbob hunter2') }, /line 2 must be user:hash/)
    await refused({ usersFile: usersFile(':$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA') }, /line 1: the user name is empty/)
    await refused({ usersFile: usersFile('$2y$ broken'), users: [] }, /line 1 must be user:hash|not a well-formed/)
    // 128 × 2^20 × 32 bytes: 4 GiB a check, 8 with two at once.
    await refused({ usersFile: usersFile('bob:$scrypt$ln=20,r=32,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA') }, /line 1: scrypt parameters ln 20, r 32 would take 4096 MiB per check; at most 256 MiB/)
    await refused({ users: ['bob:hunter2'], usersFile: usersFile('bob:$scrypt$ln=10,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA') }, /user "bob" is given twice/)
  })

  test('a malformed hash of a known scheme', async () => {
    await refused({ usersFile: usersFile('bob:$2y$10$hunter2') }, /not a well-formed bcrypt hash/)
    await refused({ usersFile: usersFile('bob:$scrypt$ln=99,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA') }, /scrypt parameters must be/)
  })

  test('a file that cannot be read', async () => {
    await refused({ usersFile: fixture.path('missing.txt') }, /^usersFile .*missing\.txt cannot be read \(ENOENT\)$/)
  })

  test('named as the app names its options', async () => {
    await refused({ users: ['hunter2'], optionNames: { users: 'auth', usersFile: 'authFile' } }, /^auth entry 1 must be user:password$/)
    await refused({ usersFile: usersFile('bob:hunter2'), optionNames: { users: 'auth', usersFile: 'authFile' } }, /^authFile .* line 1: the password is not hashed/)
  })

  test('users given as options', async () => {
    await refused({ users: ['hunter2'] }, /^users entry 1 must be user:password$/)
    await refused({ users: ['me:'] }, /^users entry 1: the password is empty$/)
    await refused({ users: [] }, /^users or usersFile must name at least one user$/)
    await refused({ users: ['me:x'], realm: 'a"b' }, /^realm must be/)
  })
})

test('hashPassword writes a scrypt line that verifies, and only for its password', async () => {
  const hash = await hashPassword('correct horse', { ln: 10 })
  assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
  const verifier = parseHash(hash)
  assert.ok(typeof verifier !== 'string')
  assert.equal(await verifyPassword('correct horse', verifier), true)
  assert.equal(await verifyPassword('correct horsf', verifier), false)
  assert.notEqual(await hashPassword('correct horse', { ln: 10 }), hash, 'a new salt each time')
})

test('which requests need a password', () => {
  const all = { writesOnly: false, open: new Set(['/health']), preflights: false }
  const writes = { ...all, writesOnly: true }
  const cors = { ...all, preflights: true }
  const ask = (method: string, url: string, settings: typeof all, headers = {}): boolean => needsPassword({ method, url, headers }, settings)
  assert.equal(ask('GET', '/a', all), true)
  assert.equal(ask('GET', '/health?x', all), false)
  assert.equal(ask('OPTIONS', '/a', all, { origin: 'https://x.example', 'access-control-request-method': 'PUT' }), true)
  assert.equal(ask('OPTIONS', '/a', cors, { origin: 'https://x.example', 'access-control-request-method': 'PUT' }), false)
  assert.equal(ask('OPTIONS', '/a', cors), true)
  assert.equal(ask('GET', '/a', writes), false)
  assert.equal(ask('OPTIONS', '/a', writes), true)
  assert.equal(ask('PUT', '/a', writes), true)
  assert.equal(ask('POST', '/health', writes), true)
})
