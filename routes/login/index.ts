// The tutorial's login idea, done properly: a form, a POST that checks the
// credentials, a signed session cookie, 303 redirects after logging in and out,
// and a page that greets the user. Stateless: the cookie is the session, so it
// works across replicas that share the secret.
import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import cookie, { type CookieSerializeOptions } from '@fastify/cookie'
import formbody from '@fastify/formbody'
import { httpError, OptionError } from '../../src/errors.js'
import { errorHandler } from '../../src/error-reply.js'
import { escapeControls } from '../../src/logger.js'
import { credentialCheck } from './credentials.js'
import { greetingPage, loginPage, PAGE_HEADERS } from './pages.js'
import { sessionCodec } from './session.js'

export interface LoginOptions {
  /** Who may log in, name → password. Default: the tutorial's demo user, with a warning. */
  users?: Record<string, string>
  /** Signs the session cookie; 32+ characters. Default: random per start, with a warning. */
  secret?: string
  /** Session lifetime in seconds. Default: 8 hours. */
  maxAge?: number
  /** Session cookie name. Default: `session`. */
  cookieName?: string
}

export const DEMO_USERS: Readonly<Record<string, string>> = { jdoe: 's3cret' }
export const MIN_SECRET_LENGTH = 32
const DEFAULT_MAX_AGE = 8 * 60 * 60

function checkUsers (users: unknown): Record<string, string> | undefined {
  if (users === undefined) return undefined
  const entries = typeof users === 'object' && users !== null ? Object.entries(users) : []
  if (entries.length === 0 || !entries.every(([name, password]) => name !== '' && typeof password === 'string' && password !== '')) {
    throw new OptionError('users', 'login: users must map at least one non-empty name to a non-empty password')
  }
  return Object.fromEntries(entries) as Record<string, string>
}

function checkSecret (secret: unknown): string | undefined {
  if (secret === undefined) return undefined
  if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH) return secret
  throw new OptionError('secret', `login: the secret (SERVEKIT_SECRET) must be at least ${MIN_SECRET_LENGTH} characters, e.g. from \`openssl rand -base64 32\``)
}

function checkMaxAge (maxAge: unknown): number {
  if (maxAge === undefined) return DEFAULT_MAX_AGE
  if (typeof maxAge === 'number' && Number.isSafeInteger(maxAge) && maxAge > 0) return maxAge
  throw new OptionError('maxAge', `login: maxAge must be a positive whole number of seconds (got ${JSON.stringify(maxAge)})`)
}

const login: FastifyPluginAsync<LoginOptions> = async (app, options) => {
  const cookieName = options.cookieName ?? 'session'
  const maxAge = checkMaxAge(options.maxAge)
  let users = checkUsers(options.users)
  if (users === undefined) {
    users = DEMO_USERS
    app.log.warn('login: no users given, so the demo user "jdoe" can log in with password "s3cret"; set SERVEKIT_LOGIN_USERS=name:password,... to choose your own')
  }
  let secret = checkSecret(options.secret)
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url')
    app.log.warn('login: no secret given, so sessions are signed with a random key made for this start: they end when servekit restarts and are not shared between replicas; set SERVEKIT_SECRET to keep them')
  }
  const matches = credentialCheck(users)
  const sessions = sessionCodec(secret, maxAge)
  const known = new Set(Object.keys(users))

  // Both may already come from the app; they are fastify-plugin wrapped, so a
  // second registration would clash with the first one's decorators.
  if (!app.hasDecorator('parseCookie')) await app.register(cookie, { hook: false })
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 8192 })

  const home = app.prefix === '' ? '/' : app.prefix
  const hello = `${app.prefix}/hello`
  const logout = `${app.prefix}/logout`

  function cookieOptions (request: FastifyRequest): CookieSerializeOptions {
    // Secure only over TLS: on plain HTTP the browser would drop the cookie.
    return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' }
  }

  /** The logged-in user (null when the cookie is missing or does not verify), and whether a cookie came. */
  function session (request: FastifyRequest): { user: string | null, sent: boolean } {
    const value = app.parseCookie(request.headers.cookie ?? '')[cookieName]
    const user = sessions.read(value)
    // A user removed from the options is logged out at once.
    return { user: user !== null && known.has(user) ? user : null, sent: value !== undefined }
  }

  function seeOther (reply: FastifyReply, location: string): FastifyReply {
    return reply.code(303).header('location', location).send()
  }

  // Its own, for apps that mount it without servekit's: a refused post is a page in a browser.
  app.setErrorHandler(errorHandler)

  // Fetch metadata (sent by every current browser): a form posted here from
  // another site is login CSRF, answered before any credential is looked at.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && request.headers['sec-fetch-site'] === 'cross-site') throw httpError(403, 'cross-site form posts are not accepted')
  })

  app.get('/', async (request, reply) => {
    if (session(request).user !== null) return seeOther(reply, hello)
    return await reply.headers(PAGE_HEADERS).send(loginPage({ action: home }))
  })

  app.post<{ Body: { username?: unknown, password?: unknown } }>('/', async (request, reply) => {
    const { username, password } = request.body ?? {}
    const name = typeof username === 'string' ? username : ''
    if (!matches(name, typeof password === 'string' ? password : '')) {
      request.log.info({ user: escapeControls(name.slice(0, 64)) }, 'login: wrong user name or password')
      return await reply.code(401).headers(PAGE_HEADERS).send(loginPage({ action: home, failedUser: name }))
    }
    reply.setCookie(cookieName, sessions.issue(name), { ...cookieOptions(request), maxAge })
    return seeOther(reply, hello)
  })

  app.get('/hello', async (request, reply) => {
    const { user, sent } = session(request)
    if (user !== null) return await reply.headers(PAGE_HEADERS).send(greetingPage({ user, logout }))
    if (sent) reply.clearCookie(cookieName, cookieOptions(request))
    return seeOther(reply, home)
  })

  app.post('/logout', async (request, reply) => {
    reply.clearCookie(cookieName, cookieOptions(request))
    return seeOther(reply, home)
  })
}

export default login
