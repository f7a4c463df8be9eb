// Go 1.19's net/http: bench/servers/go-peer.go (FileServer, cgi.Handler,
// ListenAndServeTLS), built once per source hash, on one core (GOMAXPROCS=1).
import { oneCoreGo, simple, type PeerInput, type PeerSpec } from './peer.js'

export function goPeerArgs (root: string, port: number, tls?: { cert: string, key: string }): string[] {
  return [root, `127.0.0.1:${port}`, ...(tls === undefined ? [] : [tls.cert, tls.key])]
}

export const GO: PeerSpec = {
  name: 'go',
  executable: 'go',
  install: { debian: 'golang-go' },
  abilities: ['static', 'listing', 'cgi', 'tls'],
  launch: (input: PeerInput) => simple(input, goPeerArgs(input.ctx.root, input.port, input.tls ? input.ctx.certificate : undefined), oneCoreGo(input.ctx.env))
}
