// nginx as one process (no master) with no access log: the closest match to one
// Node process. Over TLS it resumes sessions both ways: tickets and a session cache.
import { join } from 'node:path'
import { certificateOf, type PeerInput, type PeerSpec } from './peer.js'

export function nginxConfig (root: string, prefix: string, port: number, tls?: { cert: string, key: string }): string {
  const listen = tls === undefined
    ? `listen 127.0.0.1:${port};`
    : `listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
    ssl_session_tickets on;
    ssl_session_cache shared:SSL:1m;`
  return `daemon off;
master_process off;
worker_processes 1;
error_log ${join(prefix, 'error.log')} warn;
pid ${join(prefix, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  types { text/html html; text/plain txt; application/javascript js; }
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  server {
    ${listen}
    root ${root};
    autoindex on;
  }
}
`
}

export const NGINX: PeerSpec = {
  name: 'nginx',
  executable: 'nginx',
  install: { debian: 'nginx-light' },
  abilities: ['static', 'listing', 'tls'],
  launch: (input: PeerInput) => {
    const { prefix } = input
    return {
      command: { command: input.executable, args: ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', join(prefix, 'nginx.conf')], env: input.ctx.env, cwd: input.ctx.root },
      files: [{ path: join(prefix, 'nginx.conf'), content: nginxConfig(input.ctx.root, prefix, input.port, input.tls ? certificateOf(input) : undefined) }],
      folders: [prefix]
    }
  }
}
