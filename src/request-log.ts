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

export class RequestLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
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
    // Guarded: writing a log line must not throw, however little of the request is there.
    else request.log[request.routeOptions?.config?.requestLogLevel ?? 'info'](line, msg)
  }

  // A 4xx is the client's doing and already in the request line; only server
  // faults deserve their own entry, with the error.
  override defaultErrorLog (error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request) || reply.statusCode < 500) return
    request.log.error({ err: error, url: escapeControls(request.raw.url ?? '') }, error.message)
  }
}
