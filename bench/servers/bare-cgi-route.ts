// What the two bare CGI baselines (fastify-spawn.ts, fastify-addon-spawn.ts) share:
// a Fastify app on PORT whose one route runs CGI_DIR/<name> with a minimal
// environment, reads its whole stdout, splits off the header block and sends the
// body. Only how the script is started differs, given as `outputOf`.
// Usage of either: node <server>.js CGI_DIR PORT
import { join } from 'node:path'
import Fastify from 'fastify'

/** The script's whole stdout; empty when it cannot start (answered 502). */
export type OutputOf = (file: string, env: Record<string, string | undefined>) => Promise<string>

export async function serveBareCgi (outputOf: OutputOf): Promise<void> {
  const [cgiDir = '', port = '0'] = process.argv.slice(2)
  const app = Fastify({ logger: false })
  app.get<{ Params: { name: string } }>('/cgi-bin/:name', async (request, reply) => {
    // Only plain names: the baseline must not become a way out of its folder.
    if (!/^[\w.-]+$/.test(request.params.name) || request.params.name.startsWith('.')) return await reply.code(404).send()
    const env = { PATH: process.env.PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: request.method, SCRIPT_NAME: `/cgi-bin/${request.params.name}`, QUERY_STRING: '' }
    const output = await outputOf(join(cgiDir, request.params.name), env)
    const end = output.indexOf('\n\n')
    if (end < 0) return await reply.code(502).send()
    for (const line of output.slice(0, end).split('\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) void reply.header(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    }
    return output.slice(end + 2)
  })
  await app.listen({ host: '127.0.0.1', port: Number(port) })
}
