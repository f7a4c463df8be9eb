// Baseline for the CGI scenario ("the bare spawn rate"): a Fastify route that
// spawns the script with a minimal environment, reads its output, splits off the
// header block and sends the body. The floor servekit's CGI host can approach.
// Usage: node fastify-spawn.js CGI_DIR PORT
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Fastify from 'fastify'

const [cgiDir = '', port = '0'] = process.argv.slice(2)
const app = Fastify({ logger: false })

app.get<{ Params: { name: string } }>('/cgi-bin/:name', async (request, reply) => {
  // Only plain names: the baseline must not become a way out of its folder.
  if (!/^[\w.-]+$/.test(request.params.name) || request.params.name.startsWith('.')) return await reply.code(404).send()
  const child = spawn(join(cgiDir, request.params.name), [], {
    env: { PATH: process.env.PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: request.method, SCRIPT_NAME: `/cgi-bin/${request.params.name}`, QUERY_STRING: '' },
    stdio: ['ignore', 'pipe', 'ignore']
  })
  // A script that cannot start ends its stdout empty, which answers 502 below.
  child.once('error', () => {})
  const chunks: Buffer[] = []
  for await (const chunk of child.stdout) chunks.push(chunk as Buffer)
  const output = Buffer.concat(chunks).toString('utf8')
  const end = output.indexOf('\n\n')
  if (end < 0) return await reply.code(502).send()
  for (const line of output.slice(0, end).split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) void reply.header(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return output.slice(end + 2)
})

await app.listen({ host: '127.0.0.1', port: Number(port) })
