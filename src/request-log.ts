// One line per request, written when it completes.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import { clientAddress } from './client-address.js'
import { escapeControls } from './logger.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Level of this route's request lines (errors stay errors); default `info`. */
    requestLogLevel?: 'info' | 'debug' | 'trace'
  }
}

/**
 * True for the errors a client leaving causes on our side: a stream cut short, or a
 * local redirect's inner request aborted because the client has gone (its signal is
 * aborted for that reason only). Neither is a server fault.
 */
export function isClientLeaving (error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR'
}

export class RequestLog extends LogController {
  // Read while the socket is open: Node keeps the peer's address once read, so the
  // line can still name a client that hangs up before its response has ended.
  override incomingRequest (request: FastifyRequest): void {
    void request.raw.socket?.remoteAddress
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error != null && isClientLeaving(error)) error = null
    const level = error ? 'error' : request.routeOptions?.config?.requestLogLevel ?? 'info'
    // Skip building the line when the level drops it: this runs on every request.
    if (this.isLogDisabled(request) || (request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) === false) return
    const url = escapeControls(request.raw.url ?? '')
    const method = escapeControls(request.method)
    const line = {
      method,
      url,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
      remoteAddress: clientAddress(request)
    }
    const msg = `${method} ${url} ${reply.statusCode} ${line.responseTime} ms`
    if (error) request.log.error({ ...line, err: error }, msg)
    else request.log[level](line, msg)
  }

  // A client may hang up before a streamed body has ended on this side, even as its
  // last byte arrives (a request with Connection: close). Fastify then reports the
  // stream and never completes the request, which still deserves its one line.
  override streamError (error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (isClientLeaving(error)) this.requestCompleted(null, request, reply)
    else super.streamError(error, request, reply)
  }

  // A 4xx is the client's doing and already in the request line; only server
  // faults deserve their own entry, with the error.
  override defaultErrorLog (error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request) || reply.statusCode < 500) return
    request.log.error({ err: error, url: escapeControls(request.raw.url ?? '') }, error.message)
  }
}
