// The echo route: every method, under its prefix, answers with what the request
// carried as JSON: the tutorial's webapp.py, without losing repeated keys or
// bytes. Mounted by `--echo` at /echo; as a route module it shows the shape of
// your own: a default-exported plugin with typed options, its parsers kept inside
// its own encapsulated context so the rest of the app is unchanged.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import cookie from '@fastify/cookie'
import multipart from '@fastify/multipart'
import { OptionError } from '../../src/errors.js'
import { readFormParts, type FormValue } from './form-parts.js'
import { splitTarget } from '../../src/safe-path.js'
import { cookiePairs, formPairs, headerPairs, mediaType, postData, type Grouped } from './request-data.js'

export interface EchoOptions {
  /** Largest request body in bytes; a larger one gets 413. Default: 1 MiB. */
  bodyLimit?: number
}

export const DEFAULT_BODY_LIMIT = 1_048_576

const EMPTY = Buffer.alloc(0)

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

  // post_data needs the raw bytes of every body, so the default JSON and text
  // parsers give way to one that keeps the buffer; multipart streams instead.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => { done(null, body) })
  await app.register(multipart, { limits: { fileSize: bodyLimit, fieldSize: bodyLimit } })
  // Used to decode the Cookie header in the handler only, so no per-request parsing hook.
  if (!app.hasDecorator('parseCookie')) await app.register(cookie, { hook: false })
  const parseCookies = (text: string): Record<string, string> => app.parseCookie(text)

  async function formData (request: FastifyRequest, body: Buffer): Promise<Grouped<FormValue>> {
    if (request.isMultipart()) return await readFormParts(request, bodyLimit)
    if (mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded') return formPairs(body.toString('utf8'))
    return {}
  }

  async function handler (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { path, query } = splitTarget(request.raw.url ?? '/')
    const body = Buffer.isBuffer(request.body) ? request.body : EMPTY
    let form: Grouped<FormValue>
    try {
      form = await formData(request, body)
    } catch (error) {
      // The rest of the body may still be on its way; closing is cheaper than reading it.
      reply.header('connection', 'close')
      throw error
    }
    return await reply.headers(RESPONSE_HEADERS).send({
      method: request.method,
      path,
      query_data: formPairs(query),
      ...postData(body),
      form_data: form,
      cookies: cookiePairs(request.headers.cookie, parseCookies),
      headers: headerPairs(request.raw.rawHeaders)
    })
  }

  // `/` without its trailing-slash twin: `/echo/` belongs to the wildcard.
  app.route({ method: app.supportedMethods, url: '/', prefixTrailingSlash: 'no-slash', handler })
  app.route({ method: app.supportedMethods, url: '/*', handler })
}

export default echo
