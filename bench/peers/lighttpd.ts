// lighttpd 1.4 in the foreground (-D), one process (server.max-worker 0), no
// access log: files, folder listings (mod_dirlisting), CGI under /cgi-bin/
// (mod_cgi, scripts run by their #! line) and TLS (mod_openssl, tickets on by default).
import { join } from 'node:path'
import { certificateOf, type PeerInput, type PeerSpec } from './peer.js'

const quote = (text: string): string => JSON.stringify(text)

/** `path`: the PATH CGI scripts get (mod_cgi passes none of its own environment), so `#!/usr/bin/env python3` finds the bench's interpreter. */
export function lighttpdConfig (root: string, prefix: string, port: number, tls?: { cert: string, key: string }, path?: string): string {
  const modules = ['mod_dirlisting', 'mod_setenv', 'mod_cgi', ...(tls === undefined ? [] : ['mod_openssl'])]
  return `server.modules = ( ${modules.map(quote).join(', ')} )
server.document-root = ${quote(root)}
server.bind = "127.0.0.1"
server.port = ${port}
server.max-worker = 0
# mod_dirlisting answers 503 beyond max-connections / 16 listings in progress;
# explicit limits keep that above any connection count the bench uses.
server.max-fds = 4096
server.max-connections = 1024
server.errorlog = ${quote(join(prefix, 'error.log'))}
server.upload-dirs = ( ${quote(prefix)} )
server.max-keep-alive-requests = 65535
server.network-backend = "sendfile"
dir-listing.activate = "enable"
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".js" => "application/javascript", "" => "application/octet-stream" )
$HTTP["url"] =~ "^/cgi-bin/" {
  dir-listing.activate = "disable"
  cgi.assign = ( ".sh" => "", ".py" => "" )
${path === undefined ? '' : `  setenv.set-environment = ( "PATH" => ${quote(path)} )\n`}}
${tls === undefined
  ? ''
  : `ssl.engine = "enable"
ssl.pemfile = ${quote(tls.cert)}
ssl.privkey = ${quote(tls.key)}
`}`
}

export const LIGHTTPD: PeerSpec = {
  name: 'lighttpd',
  executable: 'lighttpd',
  install: { debian: 'lighttpd' },
  abilities: ['static', 'listing', 'cgi', 'tls'],
  launch: (input: PeerInput) => {
    const config = join(input.prefix, 'lighttpd.conf')
    return {
      command: { command: input.executable, args: ['-D', '-f', config], env: input.ctx.env, cwd: input.ctx.root },
      files: [{ path: config, content: lighttpdConfig(input.ctx.root, input.prefix, input.port, input.tls ? certificateOf(input) : undefined, input.ctx.env.PATH) }],
      folders: [input.prefix]
    }
  }
}
