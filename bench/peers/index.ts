// Every peer --peers measures where installed, in the order they appear in the tables.
import type { Peer, PeerAbility } from '../scenarios.js'
import { APACHE } from './apache.js'
import { CADDY } from './caddy.js'
import { GO } from './go.js'
import { LIGHTTPD } from './lighttpd.js'
import { NGINX } from './nginx.js'
import { FASTIFY_STATIC, HTTP_SERVER, SERVE, SIRV } from './node-peers.js'
import type { PeerSpec } from './peer.js'

export const PEERS: readonly PeerSpec[] = [HTTP_SERVER, SERVE, SIRV, FASTIFY_STATIC, NGINX, LIGHTTPD, CADDY, APACHE, GO]

export function peerSpec (name: Peer): PeerSpec {
  const spec = PEERS.find((peer) => peer.name === name)
  if (spec === undefined) throw new Error(`no peer ${name}`)
  return spec
}

const CANNOT: Record<PeerAbility, string> = {
  static: 'serve files',
  listing: 'list folders',
  cgi: 'run CGI',
  tls: 'serve HTTPS here'
}

/** Which peers take part in a scenario needing `ability`, and one note naming those that cannot. */
export function peersFor (ability: PeerAbility): { able: PeerSpec[], note: string | undefined } {
  const able = PEERS.filter((peer) => peer.abilities.includes(ability))
  const unable = PEERS.filter((peer) => !peer.abilities.includes(ability)).map(({ name }) => name)
  return { able, note: unable.length === 0 ? undefined : `absent, as they do not ${CANNOT[ability]} in this bench: ${unable.join(', ')}` }
}
