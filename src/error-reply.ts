// Every error servekit answers, in one place: browsers (clients whose Accept prefers
// HTML) get a page, everyone else the JSON shape `{"statusCode","error","message"}`.
// A 4xx keeps its message, which tells the client what to fix. A 5xx from an
// unexpected error says nothing of how it failed (a path or an errno is a map of the
// server for an attacker): the detail goes to the log, once, under the request id the
// body quotes. Plugins may use it on their own: `app.setErrorHandler(errorHandler)`,
// or `sendError` for an error they answer as data.
import { STATUS_CODES } from './node-http.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import { ERROR_PAGE_CSP, nearestFolder, renderErrorPage } from './error-page.js'
import { FAVICON, FAVICON_HEADERS } from './favicon.js'
import { escapeControls } from './logger.js'
import { pathOf } from './safe-path.js'

const OFFERED = ['application/json', 'text/html']

/** From the parent folder of a failed URL (`/a/b/`), the nearest one that is there to be listed. */
export type WayBack = (folder: string, request: FastifyRequest) => Promise<string>

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApp from its lookup; without it, an error page links to the URL's parent. */
    errorWayBack?: WayBack
  }
}

async function wayBack (request: FastifyRequest, url: string): Promise<string> {
  const parent = nearestFolder(url)
  const find = request.server.errorWayBack
  if (find === undefined || parent === '/') return parent
  return await find(parent, request).catch(() => '/')
}

/** True when `Accept` ranks HTML above JSON: browsers do, `curl` and `fetch` (`*∕*`) do not. */
export function prefersHtml (accept: string | undefined): boolean {
  if (accept === undefined || !accept.includes('html')) return false
  return new Negotiator({ headers: { accept } }).mediaType(OFFERED) === 'text/html'
}

export interface ErrorDecision {
  statusCode: number
  message: string
  /** The error's own message was withheld: its cause is in the log only. */
  unexpected: boolean
}

function ownStatus (error: { statusCode?: unknown, status?: unknown }): number | undefined {
  const status = error.statusCode ?? error.status
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined
}

/**
 * The status and text a thrown error earns. A message reaches the client only when whoever
 * threw it chose the status (a 4xx of its own) or marked it as written for clients
 * (`httpError`); anything else may carry a path, an errno or a library's internals.
 */
export function decideError (error: unknown, replyStatus: number, requestId: string): ErrorDecision {
  const fields = typeof error === 'object' && error !== null ? error as { statusCode?: unknown, status?: unknown, message?: unknown, expose?: unknown } : {}
  const own = ownStatus(fields)
  const statusCode = own ?? (replyStatus >= 400 && replyStatus <= 599 ? replyStatus : 500)
  const text = typeof fields.message === 'string' && fields.message !== '' ? fields.message : undefined
  const shown = text !== undefined && own !== undefined && (own < 500 || fields.expose === true)
  if (shown) return { statusCode, message: text, unexpected: false }
  if (statusCode < 500) return { statusCode, message: STATUS_CODES[statusCode] ?? 'Error', unexpected: false }
  return { statusCode, message: `The server could not answer this request; its log has the details (request ${requestId}).`, unexpected: true }
}

/** The JSON body every non-HTML client gets, in the contract's key order. */
export function errorJson (statusCode: number, message: string): string {
  return JSON.stringify({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message })
}

/** Headers of a file response that an error in its place must not keep. */
const FILE_HEADERS = ['etag', 'last-modified', 'accept-ranges', 'content-disposition', 'content-encoding', 'content-length']

/**
 * Answers `statusCode` with `message` in the client's preferred form. The message must be
 * fit for clients; causes are the caller's to log. A 404 for `/favicon.ico` is answered
 * with servekit's own icon instead: the folder has none.
 */

export async function sendError (request: FastifyRequest, reply: FastifyReply, statusCode: number, message: string): Promise<FastifyReply> {
  const url = request.url
  if (statusCode === 404 && (request.method === 'GET' || request.method === 'HEAD') && pathOf(url) === '/favicon.ico') {
    return await reply.code(200).headers(FAVICON_HEADERS).send(FAVICON)
  }
  reply.code(statusCode).header('vary', 'Accept').header('x-content-type-options', 'nosniff')
  // A file's validators, set before its read failed, describe a body this is not: a
  // cache must not store the error under the file's ETag.
  for (const name of FILE_HEADERS) reply.removeHeader(name)
  if (prefersHtml(request.headers.accept)) {
    return await reply.header('content-security-policy', ERROR_PAGE_CSP).type('text/html; charset=utf-8')
      .send(renderErrorPage({ statusCode, message, url, back: await wayBack(request, url) }))
  }
  return await reply.type('application/json; charset=utf-8').send(errorJson(statusCode, message))
}

/** For `setErrorHandler`: decides, logs a server fault once (with the request id), answers. */
export async function errorHandler (error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const decision = decideError(error, reply.statusCode, String(request.id))
  // Every server fault, expected or not, as before this handler: a 4xx is the client's
  // doing and already in the request line.
  if (decision.statusCode >= 500) {
    const detail = error instanceof Error ? error.message : String(error)
    // Shedding load on purpose (a flood of password checks) is said quietly, without a
    // stack: logged at error once per request, the flood would flood the log as well.
    const quiet = (error as { logLevel?: unknown } | null)?.logLevel
    if (quiet === 'debug' || quiet === 'warn') request.log[quiet]({ url: escapeControls(request.raw.url ?? '') }, escapeControls(detail))
    else request.log.error({ err: error, url: escapeControls(request.raw.url ?? '') }, escapeControls(detail))
  }
  // Too late for an error page once the response has begun: end it short, so the client
  // sees a failure rather than a complete-looking truncated body.
  if (reply.raw.headersSent) {
    reply.raw.destroy()
    return reply
  }
  const headers = (error as { headers?: unknown } | null)?.headers
  if (typeof headers === 'object' && headers !== null) reply.headers(headers as Record<string, string>)
  return await sendError(request, reply, decision.statusCode, decision.message)
}

export async function notFoundHandler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return await sendError(request, reply, 404, 'Not Found')
}

/** Installs both handlers on `app`; call it before registering plugins, which inherit them. */
export function useErrorReplies (app: FastifyInstance): void {
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
}
