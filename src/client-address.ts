import type { FastifyRequest } from 'fastify'

/** The client's address as people write it: a dual-stack socket reports IPv4 clients as `::ffff:a.b.c.d`. */
export function clientAddress (request: FastifyRequest): string {
  const ip = request.ip
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
