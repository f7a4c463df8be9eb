// A client that leaves while a script is still working is normal: the pipeline logs
// it once, at info ("client went away; killed"), and kills the script. Fastify sees
// it a second time. Once the script's output is handed over, it destroys that stream
// when the response closes, and if no byte of the body had gone out yet, the
// destroyed stream's ERR_STREAM_PREMATURE_CLOSE reaches the error handler as a
// server fault: an error line with a stack per client that hangs up (450 of them in
// a 10-minute fuzz run). Errors of the server's own, or with the client still there,
// pass on as before. A local redirect's inner request, aborted when the client
// leaves, echoes it as ABORT_ERR.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { isClientLeaving } from '../../src/request-log.js'

/** True when `error` is only the echo of a client that has gone. */
export function echoOfClientLeaving (error: unknown, clientGone: boolean): boolean {
  return clientGone && isClientLeaving(error)
}

/** A route's `errorHandler`: drops that echo (nobody is left to answer), passes the rest to the app's. */
export function quietWhenClientLeft (error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const socket = request.raw.socket as { destroyed?: boolean } | null
  if (echoOfClientLeaving(error, reply.raw.destroyed || socket?.destroyed !== false)) return
  throw error
}
