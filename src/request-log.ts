// One line per request, written when it completes.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'
import { clientAddress } from './client-address.js'
import { escapeControls } from './logger.js'

export class RequestLog extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Skip building the line when the level drops it: this runs on every request.
    if (this.isLogDisabled(request) || (request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(error ? 'error' : 'info') === false) return
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
    else request.log.info(line, msg)
  }

  // A 4xx is the client's doing and already in the request line; only server
  // faults deserve their own entry, with the error.
  override defaultErrorLog (error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request) || reply.statusCode < 500) return
    request.log.error({ err: error, url: escapeControls(request.raw.url ?? '') }, error.message)
  }
}
