// The bare spawn route of fastify-spawn.ts with one difference, how the script
// starts: with servekit-spawn (packages/spawn, the accelerator) instead of
// child_process.spawn. Same environment, stdin and stderr on /dev/null, output read
// whole, header block split off (bare-cgi-route.ts). npm install builds the addon.
// Usage: node fastify-addon-spawn.js CGI_DIR PORT
import { Socket } from 'node:net'
import { envPairs } from '../../plugins/cgi/accelerated-start.js'
import { accelerator } from '../../plugins/cgi/accelerator.js'
import { serveBareCgi } from './bare-cgi-route.js'

const addon = accelerator()
if (addon === undefined) throw new Error('fastify-addon-spawn: servekit-spawn is not built (npm install builds packages/spawn)')
const { spawn } = addon

// Its exit is not waited for, as fastify-spawn.ts does not wait for 'exit': the addon reaps it.
const ignoreExit = (): void => {}

await serveBareCgi(async (file, env) => {
  let fd: number
  try {
    fd = spawn(file, [file], envPairs(env), null, ignoreExit, false).stdoutFd
  } catch {
    return ''
  }
  const chunks: Buffer[] = []
  for await (const chunk of new Socket({ fd, readable: true, writable: false })) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
})
