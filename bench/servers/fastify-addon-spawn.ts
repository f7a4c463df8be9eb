// The bare spawn route of fastify-spawn.ts with one difference, how the script
// starts: with servekit-spawn (packages/spawn, the accelerator) instead of
// child_process.spawn. Same environment, stdin and stderr on /dev/null, output read
// whole, header block split off. npm install builds the addon.
// Usage: node fastify-addon-spawn.js CGI_DIR PORT
import { Socket } from 'node:net'
import { join } from 'node:path'
import Fastify from 'fastify'
import { envPairs } from '../../plugins/cgi/accelerated-start.js'
import { accelerator } from '../../plugins/cgi/accelerator.js'

const addon = accelerator()
if (addon === undefined) throw new Error('fastify-addon-spawn: servekit-spawn is not built (npm install builds packages/spawn)')
const { spawn } = addon

const [cgiDir = '', port = '0'] = process.argv.slice(2)
const app = Fastify({ logger: false })

// Its exit is not waited for, as fastify-spawn.ts does not wait for 'exit': the addon reaps it.
const ignoreExit = (): void => {}

/** The script's whole stdout; empty when it cannot start. */
async function outputOf (file: string, env: string[]): Promise<string> {
  let fd: number
  try {
    fd = spawn(file, [file], env, null, ignoreExit, false).stdoutFd
  } catch {
    return ''
  }
  const chunks: Buffer[] = []
  for await (const chunk of new Socket({ fd, readable: true, writable: false })) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

app.get<{ Params: { name: string } }>('/cgi-bin/:name', async (request, reply) => {
  // Only plain names: the baseline must not become a way out of its folder.
  if (!/^[\w.-]+$/.test(request.params.name) || request.params.name.startsWith('.')) return await reply.code(404).send()
  const env = envPairs({ PATH: process.env.PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: request.method, SCRIPT_NAME: `/cgi-bin/${request.params.name}`, QUERY_STRING: '' })
  // A script that cannot start answers 502 below, as in fastify-spawn.ts.
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
