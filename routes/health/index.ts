// The health endpoint for container health checks and proxies. It costs nothing:
// no disk, no listing, so a probe every few seconds cannot load the server, and it
// answers even when the served folder is gone. It lives under /.well-known/ (RFC
// 8615, site-wide metadata), in servekit's own folder: an exact route beats the
// static plugin's `/*`, so a file at that path cannot stand in for it.
import type { FastifyPluginAsync } from 'fastify'

export const HEALTH_PATH = '/.well-known/servekit/health'

const READ_METHODS = ['GET', 'HEAD']
const ALLOW = READ_METHODS.join(', ')

const health: FastifyPluginAsync = async (app) => {
  // A probe sent with a body, whatever its type, still gets its 405.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })

  app.route({
    method: 'GET',
    url: HEALTH_PATH,
    // Probes every few seconds would bury the requests people care about.
    config: { requestLogLevel: 'debug' },
    handler: async (_request, reply) => {
      // A cached "ok" could hide a server that has since stopped.
      return await reply.header('cache-control', 'no-store').send({ status: 'ok', uptime: Math.round(process.uptime()) })
    }
  })

  app.route({
    method: app.supportedMethods.filter((m) => !READ_METHODS.includes(m)),
    url: HEALTH_PATH,
    handler: async (request, reply) => {
      return await reply.code(405).header('allow', ALLOW).send({ statusCode: 405, error: 'Method Not Allowed', message: `${request.method} is not allowed here; use ${ALLOW}` })
    }
  })
}

export default health
