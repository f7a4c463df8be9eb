// Peer for the static scenarios: a bare Fastify app with @fastify/static 10, as
// its README sets it up, with HTML folder listings. Nothing else around it.
// Usage: node fastify-static.js ROOT PORT
import fastifyStatic from '@fastify/static'
import Fastify from 'fastify'

const [root = '.', port = '0'] = process.argv.slice(2)
const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

const app = Fastify({ logger: false })
await app.register(fastifyStatic, {
  root,
  // As its README pairs them: with no index file looked for, a folder URL lists the folder.
  index: false,
  list: {
    format: 'html',
    render: (dirs, files) => `<html><body><ul>${[...dirs, ...files]
      .map(({ href, name }) => `<li><a href="${escape(href)}">${escape(name)}</a></li>`).join('')}</ul></body></html>\n`
  }
})
await app.listen({ host: '127.0.0.1', port: Number(port) })
