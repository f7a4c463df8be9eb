// Headers the user adds to every response (-H "Name: value"). Pure: checked once,
// at start-up, so a header that would break HTTP framing never reaches a reply.
import { OptionError } from './errors.js'

// RFC 9110 section 5.6.2: a field name is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Hop-by-hop fields (RFC 9110 section 7.6.1) and the ones that frame or route the
// message: set by hand they desynchronise the connection or lie to a proxy.
const REFUSED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'host'])

/** `Name: value` as typed after `flag` → the name and value, or an error naming both. */
export function parseHeader (text: string, flag = '--header'): [name: string, value: string] {
  const refuse = (why: string): never => { throw new OptionError('headers', `${flag} ${JSON.stringify(text)} ${why}`) }
  const colon = text.indexOf(':')
  if (colon === -1) return refuse('must be "Name: value"')
  const name = text.slice(0, colon).trim()
  const value = text.slice(colon + 1).trim()
  if (!TOKEN.test(name)) return refuse('must start with a header name (letters, digits and !#$%&\'*+-.^_`|~) before the colon')
  // CR or LF would end the header early and let the value write headers of its own.
  if (/[\r\n\0]/.test(value)) return refuse('must not hold a line break or NUL in its value')
  const lower = name.toLowerCase()
  if (REFUSED.has(lower) || lower.startsWith('proxy-')) return refuse(`sets ${name}, which servekit manages for each connection and response`)
  return [name, value]
}

/** Every `-H` given, in order; a name given twice keeps its last value. */
export function parseHeaders (texts: readonly string[], flag = '--header'): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const text of texts) {
    const [name, value] = parseHeader(text, flag)
    headers[name.toLowerCase()] = value
  }
  return headers
}
