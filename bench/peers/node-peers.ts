// The Node servers a user would pick instead: http-server, serve, sirv (npm
// executables) and a bare Fastify app with @fastify/static (bench/servers/fastify-static.ts).
import { join } from 'node:path'
import { simple, type PeerSpec } from './peer.js'

export const HTTP_SERVER: PeerSpec = {
  name: 'http-server',
  executable: 'http-server',
  install: { npm: 'http-server@14' },
  abilities: ['static', 'listing'],
  launch: (input) => simple(input, [input.ctx.root, '-a', '127.0.0.1', '-p', String(input.port), '--silent'])
}

export const SERVE: PeerSpec = {
  name: 'serve',
  executable: 'serve',
  install: { npm: 'serve@14' },
  abilities: ['static', 'listing'],
  launch: (input) => simple(
    input,
    ['--no-clipboard', '--no-request-logging', '--listen', `tcp://127.0.0.1:${input.port}`, input.ctx.root],
    { ...input.ctx.env, NO_UPDATE_CHECK: '1' }
  )
}

/** sirv in production mode: it indexes the folder at start-up and lists no folders. */
export const SIRV: PeerSpec = {
  name: 'sirv',
  executable: 'sirv',
  install: { npm: 'sirv-cli@3' },
  abilities: ['static'],
  launch: (input) => simple(input, [input.ctx.root, '--host', '127.0.0.1', '--port', String(input.port), '--quiet'])
}

/** Runs on the bench's own Node; found when the devDependency resolves. */
export const FASTIFY_STATIC: PeerSpec = {
  name: 'fastify-static',
  executable: 'node',
  install: { devDependency: '@fastify/static@^10' },
  abilities: ['static', 'listing'],
  launch: (input) => ({
    command: { command: input.ctx.node, args: [join(input.ctx.baselines, 'fastify-static.js'), input.ctx.root, String(input.port)], env: input.ctx.env, cwd: input.ctx.root },
    files: [],
    folders: []
  })
}
