// The login demo (`--login`): form, credentials, signed stateless session, redirects.
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import pino from 'pino'
import { buildApp } from '../src/app.js'
import { OptionError } from '../src/errors.js'
import { parseCli } from '../src/args.js'
import login from '../routes/login/index.js'
import { sessionCodec } from '../routes/login/session.js'
import { runCli } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const SECRET = 'a-test-secret-that-is-long-enough-0123456789'
const USERS = { jdoe: 's3cret', '<b>ada</b>': 'lovelace' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

let fixture: Fixture
let app: FastifyInstance

before(async () => {
  fixture = await makeTree({ 'index.html': 'home' })
  app = await buildApp({ directory: fixture.dir, login: true, loginUsers: USERS, secret: SECRET, logLevel: 'silent' })
})
after(async () => {
  await app.close()
  await fixture.cleanup()
})

async function logIn (target: FastifyInstance, username: string, password: string): Promise<LightMyRequestResponse> {
  return await target.inject({ method: 'POST', url: '/login', headers: FORM, payload: new URLSearchParams({ username, password }).toString() })
}

/** The `name=value` part of the response's Set-Cookie, ready for a Cookie header. */
function sessionCookie (res: LightMyRequestResponse): string {
  return String(res.headers['set-cookie']).split(';', 1)[0]!
}

test('GET /login is the form, guarded against framing and caching', async () => {
  const res = await app.inject({ url: '/login' })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.match(res.body, /<form method="post" action="\/login">/)
  assert.match(res.body, /name="password" type="password"/)
})

test('a wrong password is 401 with the form again, and no cookie', async () => {
  const res = await logIn(app, 'jdoe', 'guess')
  assert.equal(res.statusCode, 401)
  assert.equal(res.headers['set-cookie'], undefined)
  assert.match(res.body, /Wrong user name or password/)
  assert.match(res.body, /value="jdoe"/)
})

test('an unknown user is refused the same way', async () => {
  const res = await logIn(app, 'mallory', 's3cret')
  assert.equal(res.statusCode, 401)
  assert.equal(res.headers['set-cookie'], undefined)
})

test('what the client typed is escaped in the page', async () => {
  const res = await logIn(app, '"><script>alert(1)</script>', 'x')
  assert.doesNotMatch(res.body, /<script>/)
  assert.match(res.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/)
})

test('the right password: 303 to the greeting with a signed, HttpOnly, SameSite=Lax cookie', async () => {
  const res = await logIn(app, 'jdoe', 's3cret')
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/login/hello')
  const setCookie = String(res.headers['set-cookie'])
  assert.match(setCookie, /^session=[^;]+\.[^;]+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax$/)
  assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP: a Secure cookie would never come back')
})

test('the greeting page greets the logged-in user, escaped', async () => {
  const jdoe = await app.inject({ url: '/login/hello', headers: { cookie: sessionCookie(await logIn(app, 'jdoe', 's3cret')) } })
  assert.equal(jdoe.statusCode, 200)
  assert.match(jdoe.body, /<h1>Hello, jdoe!<\/h1>/)
  assert.match(jdoe.body, /<form method="post" action="\/login\/logout">/)

  const ada = await app.inject({ url: '/login/hello', headers: { cookie: sessionCookie(await logIn(app, '<b>ada</b>', 'lovelace')) } })
  assert.match(ada.body, /<h1>Hello, &lt;b&gt;ada&lt;\/b&gt;!<\/h1>/)
})

test('the form sends a logged-in user on to the greeting', async () => {
  const res = await app.inject({ url: '/login', headers: { cookie: sessionCookie(await logIn(app, 'jdoe', 's3cret')) } })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/login/hello')
})

test('without a session the greeting sends you to the form', async () => {
  const res = await app.inject({ url: '/login/hello' })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/login')
  assert.equal(res.headers['set-cookie'], undefined)
})

describe('a tampered cookie is rejected', () => {
  test('another user name under the old signature', async () => {
    const [value, signature] = decodeURIComponent(sessionCookie(await logIn(app, 'jdoe', 's3cret')).slice('session='.length)).split('.')
    const claims = JSON.parse(Buffer.from(value!, 'base64url').toString()) as { sub: string, exp: number }
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '<b>ada</b>' })).toString('base64url')
    const res = await app.inject({ url: '/login/hello', headers: { cookie: `session=${encodeURIComponent(`${forged}.${signature!}`)}` } })
    assert.equal(res.statusCode, 303)
    assert.equal(res.headers.location, '/login')
    assert.match(String(res.headers['set-cookie']), /^session=; Max-Age=0;/, 'the bad cookie is cleared')
  })

  test('a cookie signed with another secret', async () => {
    const cookie = `session=${encodeURIComponent(sessionCodec('another-secret-that-is-long-enough-000000', 3600).issue('jdoe'))}`
    assert.equal((await app.inject({ url: '/login/hello', headers: { cookie } })).statusCode, 303)
  })

  test('the tutorial\'s unsigned session value', async () => {
    assert.equal((await app.inject({ url: '/login/hello', headers: { cookie: 'session=d7f2cf106764' } })).statusCode, 303)
  })
})

test('an expired session is refused even if the browser still sends it', () => {
  const codec = sessionCodec(SECRET, 60)
  const issued = Date.UTC(2026, 0, 1)
  const value = codec.issue('jdoe', issued)
  assert.equal(codec.read(value, issued + 59_000), 'jdoe')
  assert.equal(codec.read(value, issued + 60_000), null)
})

test('logging out clears the cookie and redirects to the form with 303', async () => {
  const cookie = sessionCookie(await logIn(app, 'jdoe', 's3cret'))
  const res = await app.inject({ method: 'POST', url: '/login/logout', headers: { cookie } })
  assert.equal(res.statusCode, 303)
  assert.equal(res.headers.location, '/login')
  assert.match(String(res.headers['set-cookie']), /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/)
})

test('a form posted from another site is refused (login CSRF)', async () => {
  const res = await app.inject({ method: 'POST', url: '/login', headers: { ...FORM, 'sec-fetch-site': 'cross-site' }, payload: 'username=jdoe&password=s3cret' })
  assert.equal(res.statusCode, 403)
  assert.equal(res.headers['set-cookie'], undefined)
})

test('replicas that share the secret share the sessions', async () => {
  const replica = await buildApp({ directory: fixture.dir, login: true, loginUsers: USERS, secret: SECRET, logLevel: 'silent' })
  try {
    const cookie = sessionCookie(await logIn(app, 'jdoe', 's3cret'))
    assert.equal((await replica.inject({ url: '/login/hello', headers: { cookie } })).statusCode, 200)
  } finally {
    await replica.close()
  }
})

test('the cookie is Secure when the request came over TLS', async () => {
  // trustProxy lets X-Forwarded-Proto stand in for a TLS socket, as behind a proxy.
  const behindProxy = Fastify({ trustProxy: true })
  await behindProxy.register(login, { prefix: '/login', users: USERS, secret: SECRET })
  try {
    const res = await behindProxy.inject({ method: 'POST', url: '/login', headers: { ...FORM, 'x-forwarded-proto': 'https' }, payload: 'username=jdoe&password=s3cret' })
    assert.equal(res.statusCode, 303)
    assert.match(String(res.headers['set-cookie']), /; HttpOnly; Secure; SameSite=Lax$/)
  } finally {
    await behindProxy.close()
  }
})

test('without users and secret: the demo user, a random secret, and a warning for each', async () => {
  const lines: string[] = []
  const logger = pino({ level: 'warn' }, new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done() } }))
  const demo = await buildApp({ directory: fixture.dir, login: true, logger })
  try {
    assert.equal((await logIn(demo, 'jdoe', 's3cret')).statusCode, 303)
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg)
    assert.equal(messages.length, 2)
    assert.match(messages[0]!, /demo user "jdoe"/)
    assert.match(messages[1]!, /no secret given.*random key/)
  } finally {
    await demo.close()
  }
})

test('a short secret is an option error', async () => {
  await assert.rejects(buildApp({ directory: fixture.dir, login: true, secret: 'short', logLevel: 'silent' }), OptionError)
})

test('the CLI takes the secret and the users from the environment', () => {
  const command = parseCli(['--login'], { env: { SERVEKIT_SECRET: SECRET, SERVEKIT_LOGIN_USERS: 'jdoe:s3cret,ada:a:b:c' }, isTTY: false })
  assert.equal(command.kind, 'serve')
  assert.ok(command.kind === 'serve')
  assert.equal(command.options.login, true)
  assert.equal(command.options.secret, SECRET)
  assert.deepEqual({ ...command.options.loginUsers }, { jdoe: 's3cret', ada: 'a:b:c' })
})

test('the CLI refuses a short SERVEKIT_SECRET with one line and exit 2', async () => {
  const { code, stderr } = await runCli(['--login', '-d', fixture.dir, '-b', '127.0.0.1', '0'], { SERVEKIT_SECRET: 'short' }).exited
  assert.equal(code, 2)
  assert.match(stderr, /^servekit: login: the secret \(SERVEKIT_SECRET\) must be at least 32 characters.*\n$/)
})
