// Which peers may speak for the client through X-Forwarded-For, -Proto and -Host.
// Only a list of addresses: Fastify's `trustProxy: true` or a hop count would let
// any client that reaches servekit directly forge its address and its scheme
// (and with it the login cookie's Secure flag and CGI's REMOTE_ADDR and HTTPS).
import { isIP } from 'node:net'
import { OptionError } from './errors.js'

/** proxy-addr's names for the loopback, link-local and private (RFC 1918, RFC 4193) ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

const EXAMPLE = 'such as 172.30.80.2, 10.0.0.0/8 or loopback'

function checkEntry (entry: string): string {
  if (RANGE_NAMES.includes(entry)) return entry
  const slash = entry.indexOf('/')
  const address = slash === -1 ? entry : entry.slice(0, slash)
  const family = isIP(address)
  if (family === 0) {
    throw new OptionError('trustProxy', `--trust-proxy takes the addresses or CIDR ranges of your proxies, ${EXAMPLE} (got ${JSON.stringify(entry)})`)
  }
  if (slash === -1) return entry
  const bits = entry.slice(slash + 1)
  const max = family === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) {
    throw new OptionError('trustProxy', `--trust-proxy: ${JSON.stringify(entry)} needs a prefix length from 1 to ${max}`)
  }
  if (Number(bits) === 0) {
    throw new OptionError('trustProxy', `--trust-proxy: ${entry} would trust every address, so any client could forge its own; name your proxies, ${EXAMPLE}`)
  }
  return entry
}

/** Comma-separated text or a list in; the checked entries out, empty when nobody is trusted. */
export function trustedProxies (value: unknown): string[] {
  if (value === undefined) return []
  const entries = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined
  if (entries === undefined || !entries.every((entry) => typeof entry === 'string')) {
    throw new OptionError('trustProxy', `--trust-proxy must be a list of proxy addresses or CIDR ranges, ${EXAMPLE}`)
  }
  return (entries as string[]).map((entry) => entry.trim()).filter((entry) => entry !== '').map(checkEntry)
}
