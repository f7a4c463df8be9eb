// Requests Node's HTTP parser rejects before they become requests (bad bytes in the
// request line or headers, headers too large, headers too slow): Fastify answers them,
// but nothing reached the log, so an operator could not see a client being refused.
import type { Socket } from 'node:net'
import { STATUS_CODES } from './node-http.js'
import type { ConnectionError, FastifyInstance } from 'fastify'
import { unmappedAddress } from './client-address.js'
import { escapeControls } from './logger.js'

export interface Rejection {
  statusCode: 400 | 408 | 431
  /** The whole answer, status line to body. */
  answer: string
}

// What Fastify 5's default clientErrorHandler answers, byte for byte (a test compares
// them), so that replacing the handler to log changes nothing a client sees.
const ANSWERS = {
  408: 'Client Timeout',
  431: 'Exceeded maximum allowed HTTP header size',
  400: 'Client Error'
} as const

export function rejection (code: string): Rejection {
  const statusCode = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
  const status = STATUS_CODES[statusCode] ?? 'Error'
  const body = `{"error":"${status}","message":"${ANSWERS[statusCode]}","statusCode":${statusCode}}`
  return {
    statusCode,
    answer: `HTTP/1.1 ${statusCode} ${status}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\n\r\n${body}`
  }
}

// A request target can be up to Node's 16 KiB header limit; the log needs its start.
const MAX_TARGET = 512
// Any printable method, even one the parser refused (`G@T`); no controls, no spaces.
const METHOD = /^[!-~]{1,64}$/

/**
 * The target of the request line in the bytes the parser stopped at, if they hold
 * one. Node gives only the chunk being parsed: when the request line was split
 * across packets, the chunk starts mid-line and there is no target to show.
 */
export function rejectedTarget (packet: unknown): string | undefined {
  if (!Buffer.isBuffer(packet)) return undefined
  const line = /^[^\r\n]*/.exec(packet.toString('latin1', 0, MAX_TARGET + 128))?.[0] ?? ''
  const space = line.indexOf(' ')
  if (space === -1 || !METHOD.test(line.slice(0, space))) return undefined
  const rest = line.slice(space + 1)
  const target = rest.slice(0, rest.includes(' ') ? rest.indexOf(' ') : rest.length)
  // `d HTTP/1.1` is the tail of a split request line, not a method and a target.
  if (target.startsWith('HTTP/')) return undefined
  return escapeControls(target.slice(0, MAX_TARGET))
}

/** Fastify's `clientErrorHandler`: one log line, then Fastify's own answer. */
export function clientErrorHandler (this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  // A reset or an already closed socket is a client gone, not a request refused.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const { statusCode, answer } = rejection(error.code)
  const target = rejectedTarget((error as { rawPacket?: unknown }).rawPacket)
  const remoteAddress = unmappedAddress(socket.remoteAddress ?? '')
  this.log.info({ remoteAddress, code: error.code, statusCode, ...(target === undefined ? {} : { target }) },
    `rejected a malformed request from ${remoteAddress}: ${error.code} (${statusCode})`)
  if (socket.writable) socket.write(answer)
  socket.destroy(error)
}
