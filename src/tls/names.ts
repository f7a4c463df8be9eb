// The names a generated certificate carries (subjectAltName), and the names a
// certificate already has. Pure: the host's facts come in as arguments.
import type { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type { NetworkInterfaceInfo } from 'node:os'

export interface HostFacts {
  hostname: string
  /** The bind address as given; a wildcard (`::`, `0.0.0.0`) adds nothing. */
  bind: string | undefined
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>
}

export interface WantedNames {
  /** A cached certificate lacking one of these is made anew. */
  required: string[]
  /**
   * Put into a new certificate, but not worth a new one when missing: global IPv6
   * addresses include privacy addresses (RFC 8981) that change daily, and a new
   * certificate means a new browser warning.
   */
  optional: string[]
}

const DNS_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/

/** One spelling per name: DNS names in lower case, IPv6 compressed (`0:0:0:0:0:0:0:1` is `::1`). */
export function normalizeName (name: string): string {
  const bare = name.replace(/^\[(.*)\]$/, '$1')
  if (isIP(bare) === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1)
  if (isIP(bare) === 4) return bare
  return bare.toLowerCase().replace(/\.$/, '')
}

function isLinkLocal (address: string): boolean {
  return /^fe[89ab]/i.test(address)
}

function isWildcard (address: string): boolean {
  return address === '::' || address === '0.0.0.0'
}

export function wantedNames ({ hostname, bind, interfaces }: HostFacts): WantedNames {
  const required = ['localhost', '127.0.0.1', '::1']
  const optional: string[] = []
  const host = normalizeName(hostname)
  if (host.length <= 253 && DNS_NAME.test(host)) required.push(host)
  if (bind !== undefined && !isWildcard(bind)) {
    const name = normalizeName(bind)
    if (isIP(name) !== 0 || DNS_NAME.test(name)) required.push(name)
  }
  for (const info of Object.values(interfaces).flatMap((list) => list ?? [])) {
    // Link-local IPv6 needs a zone (`%eth0`) that URLs and certificates cannot carry.
    if (info.family === 'IPv6' && isLinkLocal(info.address)) continue
    const address = normalizeName(info.address)
    const stable = info.family === 'IPv4' ? !address.startsWith('169.254.') : info.internal
    ;(stable ? required : optional).push(address)
  }
  const unique = new Set(required)
  return { required: [...unique], optional: [...new Set(optional)].filter((name) => !unique.has(name)) }
}

/** The DNS and IP subjectAltName entries of a certificate, normalised. */
export function certificateNames (certificate: X509Certificate): string[] {
  const names: string[] = []
  for (const entry of (certificate.subjectAltName ?? '').split(', ')) {
    const match = /^(DNS|IP Address):(.+)$/.exec(entry)
    if (match?.[2] !== undefined) names.push(normalizeName(match[2]))
  }
  return names
}

export function missingNames (have: readonly string[], wanted: readonly string[]): string[] {
  const present = new Set(have)
  return wanted.filter((name) => !present.has(name))
}
