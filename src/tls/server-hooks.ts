// What a TLS server does differently from a plain one: a failed handshake is logged.
import type { FastifyInstance } from 'fastify'
import type { TLSSocket } from 'node:tls'

export function hookTlsServer (app: FastifyInstance): void {
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
