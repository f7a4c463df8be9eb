import type { FastifyRequest } from 'fastify'

/** An address as people write it: a dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`. */
export function unmappedAddress (address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}

/** The client's address as people write it; empty once the socket is gone (Node then forgets it). */
export function clientAddress (request: FastifyRequest): string {
  return unmappedAddress(request.ip ?? '')
}
