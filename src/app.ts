// The app factory: validated options in, a Fastify instance (not listening) out,
// with one plugin per capability.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import staticFiles from '../plugins/static/index.js'
import health from '../routes/health/index.js'
import { clientErrorHandler } from './client-errors.js'
import { errorHandler, useErrorReplies } from './error-reply.js'
import { createLogger } from './logger.js'
import { createLookup } from './lookup/index.js'
import type { CacheLimits } from './lookup/cached.js'
import { resolveOptions, type ResolvedOptions, type ServekitOptions } from './options.js'
import { RequestLog } from './request-log.js'
import { originForm } from './request-target.js'
import { lazyCompilers, markDefaultValidator } from './schema-compilers.js'
import { urlPathOf } from './safe-path.js'
import type { HttpsOptions } from './tls/index.js'
import { loadTlsOnDemand } from './tls/on-demand.js'

export interface AppOptions extends ServekitOptions {
  /** A pino-compatible logger; default: one built from `logLevel` and `logFormat`. */
  logger?: FastifyBaseLogger
  /** Key and certificate to serve HTTPS with; default: found or made from the `tls*` options. */
  https?: HttpsOptions
  /** The options above, already resolved (startServer does it first, for TLS): not checked twice. */
  resolved?: ResolvedOptions
  /**
   * The file lookup's cache: false for the plain lookup (every request reads the
   * disk, nothing is kept), else limits for the cached one (default).
   */
  lookupCache?: false | Partial<CacheLimits>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The validated options the app was built from. */
    servekit: ResolvedOptions
  }
}

// Fastify's requestTimeout defaults to 0, which lets a client that never finishes
// its request hold a connection forever. These bound every phase of a request.
export const TIMEOUTS = {
  /** Whole request (headers and body) must arrive within this. */
  request: 120_000,
  /** Request headers must arrive within this (slowloris). */
  headers: 30_000,
  /** A socket with no traffic either way is closed after this. */
  idle: 120_000,
  /** An idle keep-alive connection is closed after this. */
  keepAlive: 10_000,
  // Node enforces `headers` only when it sweeps its connections, by default every 30 s,
  // so a slow client was cut anywhere up to 60 s; swept this often, within 30.5 s.
  /** How often connections are checked against the limits above. */
  sweep: 500,
  /** With uploads on, the whole request is given the time its largest body takes at this rate (bytes/s). */
  slowestUpload: 1024 * 1024
} as const

/**
 * The time a whole request may take: 120 s, unless uploads are on, when the largest
 * upload must fit at 1 MiB/s (4 GiB: about 68 minutes), up to a day. A client that
 * stops sending is still cut by the idle timeout.
 */
export function requestTimeout (options: Pick<ResolvedOptions, 'upload'>): number {
  if (options.upload === undefined) return TIMEOUTS.request
  return Math.min(Math.max(TIMEOUTS.request, Math.ceil(options.upload.maxBytes / TIMEOUTS.slowestUpload) * 1000), 86_400_000)
}

/**
 * Node's `headersTimeout` runs from a request's first byte, not from the connection:
 * a client silent for 29 s, then sending a header byte a second, held its connection
 * for 59 s. Until its first request is complete, a connection is given `headersTimeout`
 * from the moment it was accepted (or, over TLS, secured), then refused as Node
 * refuses a slow request: a `clientError` (408, one log line).
 */
export function boundFirstHeaders (server: Server, tls: boolean): void {
  const pending = new WeakMap<Socket, NodeJS.Timeout>()
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      pending.delete(socket)
      if (socket.destroyed) return
      server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket)
    }, server.headersTimeout)
    timer.unref()
    pending.set(socket, timer)
    socket.once('close', () => { clearTimeout(timer) })
  })
  server.on('request', (request: { socket: Socket }) => {
    const timer = pending.get(request.socket)
    if (timer === undefined) return
    clearTimeout(timer)
    pending.delete(request.socket)
  })
}

export async function buildApp (input: AppOptions = {}): Promise<FastifyInstance> {
  const options = input.resolved ?? await resolveOptions(input)
  const tls = input.https === undefined ? await loadTlsOnDemand(options) : undefined
  const https = input.https ?? tls?.https
  const sweep = { connectionsCheckingInterval: TIMEOUTS.sweep }
  // HTTP/1.1 over TLS only: an http2 server lacks closeAllConnections and
  // headersTimeout, which shutdown and the slowloris limit rely on.
  const app = Fastify({
    ...(https === undefined ? { http: sweep } : { https: { ...https, ...sweep } }),
    rewriteUrl: (request) => originForm(request.url ?? '/'),
    clientErrorHandler,
    // A URL Fastify cannot decode (`/%`) is answered before any route: without this, its own
    // JSON in another shape, even to a browser.
    frameworkErrors: (error, request, reply) => { void errorHandler(error, request, reply) },
    loggerInstance: input.logger ?? await createLogger({ level: options.logLevel, format: options.logFormat }),
    logController: new RequestLog(),
    requestTimeout: requestTimeout(options),
    connectionTimeout: TIMEOUTS.idle,
    keepAliveTimeout: TIMEOUTS.keepAlive,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    schemaController: lazyCompilers(),
    ...(options.trustProxy.length === 0 ? {} : { trustProxy: options.trustProxy })
  })
  markDefaultValidator(app)
  app.server.headersTimeout = TIMEOUTS.headers
  boundFirstHeaders(app.server, https !== undefined)
  app.decorate('servekit', options)
  const added = Object.entries(options.headers)
  // onSend, after every handler and error reply: the user's -H wins over a plugin's own value.
  if (added.length > 0) app.addHook('onSend', async (_request, reply, payload) => { for (const [name, value] of added) reply.header(name, value); return payload })
  // Before any plugin: each inherits the handlers of the context it is registered in.
  useErrorReplies(app)
  if (https !== undefined) (await import('./tls/server-hooks.js')).hookTlsServer(app)
  for (const note of tls?.notes ?? []) app.log[note.level](note.msg)

  const { cgi: cgiOptions } = options
  // With CGI on, a script's source must never go out as a file, whatever path reaches it,
  // nor be written over by an upload.
  const exclude = cgiOptions === undefined ? [] : [cgiOptions.dir]
  // Caching is chosen once, here: the plugins only ever see a lookup.
  const lookup = await createLookup({
    root: options.root,
    dotfiles: options.dotfiles,
    followSymlinks: options.followSymlinks,
    exclude
  }, { cache: input.lookupCache, warn: (message) => { app.log.warn(message) } })
  app.addHook('onClose', async () => { lookup.close() })
  const reserved = cgiOptions === undefined ? [] : ['cgi-bin']
  // An error page's way back: the deepest folder on the failed URL's path that is there to be
  // listed (not /cgi-bin/, nor a folder that was never made). Walked from the top and stopped at
  // the first miss, so a URL of a thousand made-up segments costs one lookup, not a thousand.
  // Behind a password, only a client that gave it has the disk looked at: to anyone else, or
  // before the password is checked (a URL Fastify cannot decode), whether /secret/ is there
  // would show in the way back of a 401 for /secret/x.
  app.decorate('errorWayBack', async (folder: string, request: FastifyRequest): Promise<string> => {
    if (options.auth !== undefined && typeof request.authUser !== 'string') return '/'
    const segments = folder.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment))
    if (segments.length === 0 || reserved.includes(segments[0]!)) return '/'
    let found = 0
    while (found < segments.length) {
      const opened = await lookup.open(segments.slice(0, found + 1)).catch(() => undefined)
      if (opened === undefined) break
      opened.descriptor.release()
      if (opened.kind !== 'folder') break
      found++
    }
    return urlPathOf(segments.slice(0, found), true)
  })
  // Before everything that answers: a 401 or a 404 still carries the CORS headers,
  // and the password guards every route, files, CGI and route modules alike.
  if (options.cors !== undefined) await app.register((await import('../plugins/cors/index.js')).default, { origin: options.cors })
  if (options.auth !== undefined) {
    await app.register((await import('../plugins/auth/index.js')).default, {
      users: options.auth.users,
      usersFile: options.auth.file,
      writesOnly: options.auth.writesOnly,
      optionNames: { users: 'auth', usersFile: 'authFile' },
      // With --cors, @fastify/cors (registered above) answers preflights before any route.
      preflights: options.cors !== undefined
    })
  }
  const archive = options.archive ? (await import('../plugins/archive/index.js')).folderArchive({ reserved }) : undefined
  // Loaded only when on, like CGI: multipart parsing is not paid for by a read-only server.
  const uploads = options.upload === undefined ? undefined : await import('../plugins/upload/index.js')
  await app.register(staticFiles, {
    root: options.root,
    dotfiles: options.dotfiles,
    lookup,
    readme: options.readme,
    maxAge: options.cache,
    spa: options.spa,
    compress: options.compress,
    precompressed: options.precompressed,
    reserved,
    // @fastify/cors answers preflights with a route of its own.
    writeMethods: [...(uploads === undefined ? [] : uploads.UPLOAD_METHODS), ...(options.cors === undefined ? [] : ['OPTIONS'])],
    archive,
    listingActions: { upload: uploads !== undefined, archive: options.archive }
  })
  if (uploads !== undefined && options.upload !== undefined) {
    await app.register(uploads.default, {
      root: options.root,
      lookup,
      dotfiles: options.dotfiles,
      exclude,
      reserved,
      maxBytes: options.upload.maxBytes,
      overwrite: options.upload.overwrite
    })
  }
  if (cgiOptions !== undefined) {
    // Every CGI option of the table arrives under the plugin's own name and unit.
    const { default: cgi } = await import('../plugins/cgi/index.js')
    await app.register(cgi, { ...cgiOptions, documentRoot: options.root, dotfiles: options.dotfiles })
  }
  // Routes below are more specific than the static plugin's `/*`, so they win
  // in Fastify's router whatever the order.
  await app.register(health)
  // Imported only when on: a server that does not use them does not pay for loading
  // them (multipart, cookies, autoload) before its first answer.
  if (options.echo) await app.register((await import('../routes/echo/index.js')).default, { prefix: '/echo' })
  if (options.login) await app.register((await import('../routes/login/index.js')).default, { prefix: '/login', users: options.loginUsers, secret: options.secret })
  if (options.routes !== undefined) await app.register((await import('./route-modules.js')).default, { dir: options.routes })
  return app
}
