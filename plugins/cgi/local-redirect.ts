// RFC 3875 6.2.2: `Location: /path` asks the server to answer as if the client had
// requested that path. The request is re-dispatched inside the app as a GET (HEAD
// stays HEAD): the body was the script's, and 6.2.2 warns it is not there to pass on.
// How deep we are travels in async context, not in a header a client could forge.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** The connection a request came in on; an injected request has none of its own. */
export interface Connection {
  remoteAddress: string
  remotePort: number | undefined
  localAddress: string
  localPort: number
  tls: boolean
}

export interface Origin {
  /** Local redirects followed to get here. */
  depth: number
  connection: Connection
}

/** As Apache's LimitInternalRecursion: a script that redirects to itself stops here. */
export const MAX_LOCAL_REDIRECTS = 10

const origins = new AsyncLocalStorage<Origin>()

/** Set while serving a local redirect, for the request being served. */
export function currentOrigin (): Origin | undefined {
  return origins.getStore()
}

// Fields that described the original body or connection, not the new request.
const DROPPED_REQUEST_FIELDS = new Set(['content-length', 'content-type', 'transfer-encoding', 'expect', 'connection', 'keep-alive', 'upgrade', 'te'])
const DROPPED_RESPONSE_FIELDS = new Set(['connection', 'keep-alive', 'transfer-encoding'])

function without (headers: Record<string, string | string[] | number | undefined>, dropped: Set<string>): Record<string, string | string[] | number> {
  const kept: Record<string, string | string[] | number> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !dropped.has(name)) kept[name] = value
  }
  return kept
}

/** Serves `location` for the client; `origin` describes the request being redirected. */
export async function redirectLocally (app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, location: string, origin: Origin): Promise<FastifyReply> {
  const abort = new AbortController()
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort() })
  const response = await origins.run({ depth: origin.depth + 1, connection: origin.connection }, async () => await app.inject({
    method: request.method === 'HEAD' ? 'HEAD' : 'GET',
    url: location,
    headers: without(request.headers, DROPPED_REQUEST_FIELDS) as Record<string, string>,
    remoteAddress: origin.connection.remoteAddress,
    payloadAsStream: true,
    signal: abort.signal
  }))
  return await reply.code(response.statusCode)
    .headers(without(response.headers, DROPPED_RESPONSE_FIELDS))
    .send(response.stream())
}
