// The app factory: validated options in, a Fastify instance (not listening) out,
// with one plugin per capability.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import cgi from '../plugins/cgi/index.js'
import staticFiles from '../plugins/static/index.js'
import { createLogger } from './logger.js'
import { resolveOptions, type ResolvedOptions, type ServekitOptions } from './options.js'
import { RequestLog } from './request-log.js'

export interface AppOptions extends ServekitOptions {
  /** A pino-compatible logger; default: one built from `logLevel` and `logFormat`. */
  logger?: FastifyBaseLogger
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
  keepAlive: 10_000
} as const

export async function buildApp (input: AppOptions = {}): Promise<FastifyInstance> {
  const options = await resolveOptions(input)
  const app = Fastify({
    loggerInstance: input.logger ?? createLogger({ level: options.logLevel, format: options.logFormat }),
    logController: new RequestLog(),
    requestTimeout: TIMEOUTS.request,
    connectionTimeout: TIMEOUTS.idle,
    keepAliveTimeout: TIMEOUTS.keepAlive,
    forceCloseConnections: 'idle',
    return503OnClosing: true
  })
  app.server.headersTimeout = TIMEOUTS.headers
  app.decorate('servekit', options)

  const { cgi: cgiOptions } = options
  await app.register(staticFiles, {
    root: options.root,
    dotfiles: options.dotfiles,
    followSymlinks: options.followSymlinks,
    // With CGI on, a script's source must never go out as a file, whatever path reaches it.
    exclude: cgiOptions === undefined ? [] : [cgiOptions.dir]
  })
  if (cgiOptions !== undefined) {
    await app.register(cgi, {
      dir: cgiOptions.dir,
      documentRoot: options.root,
      timeout: cgiOptions.timeoutSeconds * 1000,
      maxConcurrent: cgiOptions.maxConcurrent,
      queue: cgiOptions.queue,
      env: cgiOptions.env,
      dotfiles: options.dotfiles
    })
  }
  return app
}
