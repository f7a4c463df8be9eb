// Baseline for the echo scenario: a bare Fastify route doing the same work as
// servekit's --echo (query, form body and cookies parsed, repeated keys as
// arrays, echoed as JSON under the tutorial's keys), with nothing else around it.
// Usage: node fastify-echo.js PORT
import { parse as parseQuery } from 'node:querystring'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'

type Values = Record<string, string | string[]>

function parseCookies (header: string | undefined): Values {
  const cookies: Values = {}
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at < 1) continue
    const name = pair.slice(0, at).trim()
    const value = decodeURIComponent(pair.slice(at + 1).trim())
    const seen = cookies[name]
    cookies[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value]
  }
  return cookies
}

const app = Fastify({ logger: false })
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => { done(null, body) })

async function echo (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const body = typeof request.body === 'string' ? request.body : ''
  const form = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true ? parseQuery(body) : {}
  void reply.type('application/json')
  return {
    method: request.method,
    path: request.url.split('?')[0],
    query_data: request.query,
    post_data: body,
    form_data: form,
    cookies: parseCookies(request.headers.cookie),
    headers: request.headers
  }
}

app.all('/echo', echo)
app.all('/echo/*', echo)
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) })
