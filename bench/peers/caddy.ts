// Caddy 2.6 from a Caddyfile: file_server with browse, no admin endpoint, no
// automatic HTTPS (the bench certificate instead), access logs off (the default),
// GOMAXPROCS=1. Its state (certificates, autosave) stays in the run's folder.
import { join } from 'node:path'
import { certificateOf, oneCoreGo, type PeerInput, type PeerSpec } from './peer.js'

export function caddyfile (root: string, port: number, tls?: { cert: string, key: string }): string {
  return `{
  admin off
  auto_https off
}
${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port} {
  root * ${root}
  file_server browse
${tls === undefined ? '' : `  tls ${tls.cert} ${tls.key}\n`}}
`
}

export const CADDY: PeerSpec = {
  name: 'caddy',
  executable: 'caddy',
  install: { debian: 'caddy' },
  abilities: ['static', 'listing', 'tls'],
  launch: (input: PeerInput) => {
    const config = join(input.prefix, 'Caddyfile')
    const env = { ...oneCoreGo(input.ctx.env), HOME: input.prefix, XDG_DATA_HOME: join(input.prefix, 'data'), XDG_CONFIG_HOME: join(input.prefix, 'config') }
    return {
      command: { command: input.executable, args: ['run', '--config', config, '--adapter', 'caddyfile'], env, cwd: input.ctx.root },
      files: [{ path: config, content: caddyfile(input.ctx.root, input.port, input.tls ? certificateOf(input) : undefined) }],
      folders: [input.prefix]
    }
  }
}
