// Two things a TLS server does differently from a plain one, taken care of.
import type { FastifyInstance } from 'fastify'
import type { TLSSocket } from 'node:tls'

export function hookTlsServer (app: FastifyInstance): void {
  // A TLS socket forgets its peer once closed, and a client that hangs up right
  // after the response can close it before the request is logged. Reading the
  // address once, now, makes Node keep it for the socket's lifetime.
  app.server.on('secureConnection', (socket: TLSSocket) => { void socket.remoteAddress })

  // The most common failed handshake is a browser asked for http:// on the HTTPS
  // port. Node can only close that connection (the browser shows an empty
  // response), so the log says why.
  app.server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    const remoteAddress = socket.remoteAddress
    if (error.code === 'ERR_SSL_HTTP_REQUEST') {
      app.log.warn({ remoteAddress }, 'a client sent plain HTTP to this HTTPS port and was disconnected; use an https:// URL')
    } else {
      app.log.debug({ remoteAddress, code: error.code }, 'TLS handshake failed')
    }
  })
}
