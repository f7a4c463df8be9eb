// CORS (`--cors [ORIGIN]`) for pages on another origin that fetch what servekit
// serves: any origin (`*`) or only those listed. @fastify/cors does the protocol,
// preflights included, in its onRequest hook: registered with fastify-plugin, its
// hook covers every route and every error reply (a 404 carries
// Access-Control-Allow-Origin too, so a page can tell a missing file from a blocked
// one). Only these are translated here: the origin list, and Vary: Origin kept on
// every answer for a list, which handlers that set their own Vary (listings and error
// replies: Accept) would otherwise replace.
//
// @fastify/cors answers preflights (204) from its hook and adds an `OPTIONS *` route
// for them to reach it: the static plugin must leave OPTIONS to it (its
// `writeMethods`), else the two `/*` routes collide at start-up.
import cors from '@fastify/cors'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { OptionError } from '../../src/errors.js'

export interface CorsOptions {
  /** `*` for any origin, else the origins allowed (`https://app.example`), as a list or comma-separated. */
  origin: string | readonly string[]
  /** Seconds a browser may reuse a preflight's answer. Default 600. */
  maxAge?: number
}

// What a page may read of an answer beyond the safelisted headers: enough to resume
// a download, name a file, or revalidate.
const EXPOSED = ['Accept-Ranges', 'Content-Range', 'Content-Disposition', 'ETag']

/** The origins allowed: `*`, or each checked to be an origin (scheme, host, port; no path). */
export function parseOrigins (value: unknown): '*' | string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value as unknown[] : undefined
  if (items === undefined || !items.every((item) => typeof item === 'string')) throw new OptionError('origin', 'origin must be * or origins such as https://app.example, comma-separated')
  const origins = (items as string[]).map((item) => item.trim()).filter((item) => item !== '')
  if (origins.length === 0) throw new OptionError('origin', 'origin must be * or at least one origin such as https://app.example')
  if (origins.includes('*')) {
    if (origins.length > 1) throw new OptionError('origin', 'origin is * (any origin) or a list of origins, not both')
    return '*'
  }
  for (const origin of origins) {
    let parsed: URL | undefined
    try { parsed = new URL(origin) } catch {}
    if (parsed === undefined || parsed.origin === 'null' || parsed.origin !== origin) throw new OptionError('origin', `origin ${JSON.stringify(origin)} must be an origin such as https://app.example or http://localhost:3000, without a path`)
  }
  return origins
}

/** `vary` (a header value, a list of them, or none) with Origin among its names. Exported for tests. */
export function withOrigin (vary: unknown): string {
  const text = Array.isArray(vary) ? vary.join(',') : typeof vary === 'string' ? vary : ''
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '')
  return names.some((name) => name.toLowerCase() === 'origin' || name === '*') ? names.join(', ') : [...names, 'Origin'].join(', ')
}

const corsPlugin: FastifyPluginAsync<CorsOptions> = async (app, options) => {
  const origin = parseOrigins(options.origin)
  const maxAge = options.maxAge ?? 600
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86_400) throw new OptionError('maxAge', 'maxAge must be a whole number of seconds from 0 to 86400')
  await app.register(cors, {
    origin,
    maxAge,
    exposedHeaders: EXPOSED,
    // Any OPTIONS is answered, a preflight or not: a 204 is the right answer to OPTIONS.
    strictPreflight: false
  })
  // The answer depends on the request's Origin only when some origins are refused.
  if (origin !== '*') {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('vary', withOrigin(reply.getHeader('vary')))
      return payload
    })
  }
}

export default fp(corsPlugin, { name: 'servekit-cors', fastify: '5.x' })
