import type { FastifyRequest } from 'fastify'

/**
 * The client's address as people write it: a dual-stack socket reports IPv4 clients
 * as `::ffff:a.b.c.d`. Empty when the socket is already gone (a client that hung up
 * before its request line was logged), which must not throw in a log call.
 */
export function clientAddress (request: FastifyRequest): string {
  const ip = (request.ip as string | undefined) ?? ''
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
