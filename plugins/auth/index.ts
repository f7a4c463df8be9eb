// Passwords (HTTP Basic, RFC 7617) in front of the whole app: registered first, with
// fastify-plugin, its onRequest hook runs before any route, the static files', the
// uploads', CGI's, before a body is read. Everything asks for a user and password, or
// with `writesOnly` only what changes things (anything but GET, HEAD and OPTIONS).
// Always open: CORS preflights when a CORS plugin answers them (they carry no
// credentials, by the Fetch standard) and the health check (it says "ok" and the uptime, and Docker's probe has no
// password). @fastify/basic-auth parses the header; checking is ours: fixed-length
// digests compared in constant time, bcrypt or scrypt for the auth file, the same
// work for an unknown user, and a small cache of verified headers.
import basicAuth from '@fastify/basic-auth'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { OptionError, httpError } from '../../src/errors.js'
import { pathOf } from '../../src/safe-path.js'
import { HEALTH_PATH } from '../../routes/health/index.js'
import { verifyPassword, type Verifier } from './hashes.js'
import { addPlainUsers, readUsersFile, type Users } from './users.js'
import { VerifiedCredentials } from './verified.js'

export { hashPassword } from './hashes.js'

export interface AuthOptions {
  /** Users as `user:password` (the password may hold colons). */
  users?: readonly string[]
  /** A file of `user:hash` lines (bcrypt or scrypt; blank lines and `#` comments allowed), read once at registration. */
  usersFile?: string
  /** Ask only for requests that change things (not GET or HEAD). Default false: every request. */
  writesOnly?: boolean
  /** The realm browsers show in their prompt. Default `servekit`. */
  realm?: string
  /** Paths that GET and HEAD reach without a password. Default: the health check. */
  open?: readonly string[]
  /** Verified headers remembered (0: none). Default 256. */
  cacheSize?: number
  /**
   * Let CORS preflights (OPTIONS with Origin and Access-Control-Request-Method) through
   * without a password, for a CORS plugin registered before this one to answer. Default
   * false: without one, such a request would reach the routes (a CGI script would run).
   */
  preflights?: boolean
  /** What mistakes in `users` and `usersFile` are called in errors, for an app with its own names (buildApp: `auth`, `authFile`). */
  optionNames?: { users?: string, usersFile?: string }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The user who sent this request's password, once it was checked; null when none was asked for. */
    authUser: string | null
  }
}

// OPTIONS is not among them: a route may answer it as it likes (a CGI script runs for
// any method, with the body on its stdin).
const READS = new Set(['GET', 'HEAD'])
// bcrypt and scrypt cost tens of milliseconds each, bcryptjs on the main thread: a
// flood of wrong passwords must not take the server, so checks wait their turn and
// a queue past its bound is turned away (503) rather than served late.
const CHECKS_AT_ONCE = 2
const CHECKS_WAITING_MAX = 64
// One client may have this many checks running or waiting; past it, its own requests are
// turned away, so one flooding client cannot keep everyone else's first login out.
const CHECKS_PER_CLIENT = 4

interface Settings { writesOnly: boolean, open: ReadonlySet<string>, preflights: boolean }

/** Whether this request must carry a password. Pure. */
export function needsPassword (request: Pick<FastifyRequest, 'method' | 'url' | 'headers'>, settings: Settings): boolean {
  const { method, headers } = request
  if ((method === 'GET' || method === 'HEAD') && settings.open.has(pathOf(request.url))) return false
  // A preflight asks whether the real request may be sent; it never carries credentials.
  if (settings.preflights && method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined) return false
  return !(settings.writesOnly && READS.has(method))
}

function validate (options: AuthOptions): { users: Users, settings: Settings, realm: string, cacheSize: number } {
  const users: Users = new Map()
  const { users: usersName = 'users', usersFile: fileName = 'usersFile' } = options.optionNames ?? {}
  if (options.users !== undefined && !Array.isArray(options.users)) throw new OptionError(usersName, `${usersName} must be a list of user:password strings`)
  addPlainUsers(users, options.users ?? [], usersName)
  if (options.usersFile !== undefined) {
    if (typeof options.usersFile !== 'string' || options.usersFile === '') throw new OptionError(fileName, `${fileName} must be the path of a file of user:hash lines`)
    readUsersFile(users, options.usersFile, fileName)
  }
  if (users.size === 0) throw new OptionError(usersName, `${usersName} or ${fileName} must name at least one user`)
  const { writesOnly = false, realm = 'servekit', open = [HEALTH_PATH], cacheSize = 256, preflights = false } = options
  if (typeof writesOnly !== 'boolean') throw new OptionError('writesOnly', 'writesOnly must be true or false')
  if (typeof preflights !== 'boolean') throw new OptionError('preflights', 'preflights must be true or false')
  if (typeof realm !== 'string' || realm === '' || /["\\\x00-\x1f\x7f]/.test(realm)) throw new OptionError('realm', 'realm must be text without quotes, backslashes or control characters') // eslint-disable-line no-control-regex
  if (!Array.isArray(open) || !open.every((path) => typeof path === 'string' && path.startsWith('/'))) throw new OptionError('open', 'open must be a list of paths starting with /')
  if (!Number.isInteger(cacheSize) || cacheSize < 0 || cacheSize > 100_000) throw new OptionError('cacheSize', 'cacheSize must be a whole number from 0 to 100000')
  return { users, settings: { writesOnly, open: new Set(open), preflights }, realm, cacheSize }
}

/** Runs slow checks a few at a time; undefined when too many wait already. */
function turns (atOnce: number, waitingMax: number): <T>(work: () => Promise<T>) => Promise<T> | undefined {
  let running = 0
  const waiting: Array<() => void> = []
  return (work) => {
    if (running >= atOnce && waiting.length >= waitingMax) return undefined
    const start = async (): Promise<void> => {
      if (running < atOnce) { running++; return }
      await new Promise<void>((resolve) => { waiting.push(resolve) })
    }
    return start().then(work).finally(() => {
      const next = waiting.shift()
      if (next === undefined) running--
      else next()
    })
  }
}

const auth: FastifyPluginAsync<AuthOptions> = async (app, options) => {
  const { users, settings, realm, cacheSize } = validate(options)
  const challenge = `Basic realm="${realm}", charset="UTF-8"`
  const verified = new VerifiedCredentials(cacheSize)
  const inTurn = turns(CHECKS_AT_ONCE, CHECKS_WAITING_MAX)
  const perClient = new Map<string, number>()
  // An unknown user is checked against a real verifier, the slowest kind there is, so
  // the time taken does not tell whether the name exists.
  const all = [...users.values()]
  const decoy: Verifier = all.find((v) => v.scheme !== 'plain') ?? all[0]!

  const refuse = (): Error => Object.assign(httpError(401, 'This server needs a user name and password; those given are wrong or missing.'), { headers: { 'www-authenticate': challenge } })

  app.decorateRequest('authUser', null)
  await app.register(basicAuth, {
    // Every failure is our 401, with the challenge, through the error reply.
    authenticate: false,
    validate: async (user, password, request) => {
      const verifier = users.get(user)
      const client = request.ip
      const mine = perClient.get(client) ?? 0
      const check = mine >= CHECKS_PER_CLIENT ? undefined : inTurn(async () => await verifyPassword(password, verifier ?? decoy))
      if (check === undefined) throw Object.assign(httpError(503, 'Too many password checks at once; try again shortly.'), { headers: { 'retry-after': '1' }, logLevel: 'debug' })
      perClient.set(client, mine + 1)
      const right = await check.finally(() => {
        const left = (perClient.get(client) ?? 1) - 1
        if (left === 0) perClient.delete(client)
        else perClient.set(client, left)
      })
      if (!right || verifier === undefined) throw refuse()
      verified.set(request.headers.authorization!, user)
      request.authUser = user
    }
  })

  app.addHook('onRequest', async (request, reply) => {
    if (!needsPassword(request, settings)) return
    const header = request.headers.authorization
    if (typeof header !== 'string') throw refuse()
    const known = verified.get(header)
    if (known !== undefined) {
      request.authUser = known
      return
    }
    await new Promise<void>((resolve, reject) => {
      app.basicAuth(request, reply, (error?: Error) => {
        if (error === undefined) resolve()
        else reject((error as { statusCode?: number }).statusCode === 401 && !('headers' in error) ? refuse() : error)
      })
    })
  })
}

export default fp(auth, { name: 'servekit-auth', fastify: '5.x' })
