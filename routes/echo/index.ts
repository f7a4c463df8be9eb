// The echo route: every method, under its prefix, answers with what the request
// carried as JSON: the tutorial's webapp.py, without losing repeated keys or
// bytes. Mounted by `--echo` at /echo; as a route module it shows the shape of
// your own: a default-exported plugin with typed options, its parsers kept inside
// its own encapsulated context so the rest of the app is unchanged.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import cookie from '@fastify/cookie'
import multipart from '@fastify/multipart'
import { OptionError } from '../../src/errors.js'
import { errorHandler } from '../../src/error-reply.js'
import { readFormParts, type FormValue } from './form-parts.js'
import { splitTarget } from '../../src/safe-path.js'
import { cookiePairs, formPairs, headerPairs, mediaType, postData, type Grouped } from './request-data.js'

export interface EchoOptions {
  /** Largest request body in bytes; a larger one gets 413. Default: 1 MiB. */
  bodyLimit?: number
}

export const DEFAULT_BODY_LIMIT = 1_048_576

const EMPTY = Buffer.alloc(0)

const COMMON_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'text/plain']

const RESPONSE_HEADERS = {
  // The answer reflects the request, cookies included: no shared cache may keep
  // it, and no browser may sniff a reflected value into HTML.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff'
}

function checkBodyLimit (value: unknown): number {
  if (value === undefined) return DEFAULT_BODY_LIMIT
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw new OptionError('bodyLimit', `echo: bodyLimit must be a positive whole number of bytes (got ${JSON.stringify(value)})`)
}

const echo: FastifyPluginAsync<EchoOptions> = async (app, options) => {
  const bodyLimit = checkBodyLimit(options.bodyLimit)
  if (app.hasRequestDecorator('parts')) {
    throw new OptionError('echo', 'echo: register it where @fastify/multipart is not registered already; it brings its own')
  }

  // Its own, for apps that mount it without servekit's: a 413 or a broken multipart body
  // is a page in a browser, JSON for everyone else.
  app.setErrorHandler(errorHandler)

  // post_data needs the raw bytes of every body, so the default JSON and text
  // parsers give way to one that keeps the buffer; multipart streams instead.
  app.removeAllContentTypeParsers()
  const keepBuffer = (_request: FastifyRequest, body: Buffer, done: (error: null, body: Buffer) => void): void => { done(null, body) }
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, keepBuffer)
  // Fastify caches the parser found for an exact type, never the catch-all: naming the
  // common types saves parsing their Content-Type on every request.
  app.addContentTypeParser(COMMON_TYPES, { parseAs: 'buffer', bodyLimit }, keepBuffer)
  await app.register(multipart, { limits: { fileSize: bodyLimit, fieldSize: bodyLimit } })
  // Used to decode the Cookie header in the handler only, so no per-request parsing hook;
  // and registered in a context of its own, whose routes are none: its onSend hook (for
  // replies that set cookies, which these never do) ran on every echo reply, 2-3% of its CPU.
  let parseCookie = app.hasDecorator('parseCookie') ? app.parseCookie : undefined
  if (parseCookie === undefined) {
    await app.register(async (parser) => {
      await parser.register(cookie, { hook: false })
      parseCookie = parser.parseCookie
    })
  }
  const parseCookies: (text: string) => Record<string, string> = parseCookie!

  function answer (request: FastifyRequest, reply: FastifyReply, body: Buffer, form: Grouped<FormValue>): object {
    const { path, query } = splitTarget(request.raw.url ?? '/')
    reply.headers(RESPONSE_HEADERS)
    return {
      method: request.method,
      path,
      query_data: formPairs(query),
      ...postData(body),
      form_data: form,
      cookies: cookiePairs(request.headers.cookie, parseCookies),
      headers: headerPairs(request.raw.rawHeaders, request.raw.headers)
    }
  }

  async function multipartAnswer (request: FastifyRequest, reply: FastifyReply): Promise<object> {
    let form: Grouped<FormValue>
    try {
      form = await readFormParts(request, bodyLimit)
    } catch (error) {
      // The rest of the body may still be on its way; closing is cheaper than reading it.
      reply.header('connection', 'close')
      throw error
    }
    return answer(request, reply, EMPTY, form)
  }

  // Synchronous but for multipart bodies: no promise to settle on the common path.
  function handler (request: FastifyRequest, reply: FastifyReply): object {
    if (request.isMultipart()) return multipartAnswer(request, reply)
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY
    const form = mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded' ? formPairs(body.toString('utf8')) : {}
    return answer(request, reply, body, form)
  }

  // `/` without its trailing-slash twin: `/echo/` belongs to the wildcard.
  app.route({ method: app.supportedMethods, url: '/', prefixTrailingSlash: 'no-slash', handler })
  app.route({ method: app.supportedMethods, url: '/*', handler })
}

export default echo
