// The environment a CGI script runs in (RFC 3875 section 4.1), built from plain
// values so the rules can be tested without a socket. Nothing of the server's own
// environment gets in except what `inheritedEnvironment` picks.
import { splitTarget } from '../../src/safe-path.js'

/** PATH for scripts when the server has none to pass on. */
export const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin'

/** What the environment needs to know about the request. */
export interface CgiRequest {
  method: string
  /** Request target exactly as received (path and query, still percent-encoded). */
  target: string
  /** `1.0` or `1.1`, as the client spoke. */
  httpVersion: string
  /** Names and values alternating, as received (Node's `rawHeaders`). */
  rawHeaders: readonly string[]
  /** The Host header's name without the port, if any. */
  hostname: string | undefined
  /** Client address, IPv4 unmapped (`clientAddress`). */
  remoteAddress: string
  remotePort: number | undefined
  /** Address the connection arrived on, IPv4 unmapped. */
  localAddress: string
  localPort: number
  tls: boolean
  /** Length of the body the script gets on stdin; undefined when the request has none. */
  contentLength: number | undefined
  /** The user whose password the server checked (HTTP Basic); undefined when none was. */
  user?: string | undefined
}

/** The script a URL resolved to. */
export interface CgiScript {
  /** URL path of the script, decoded, e.g. `/cgi-bin/hello.py`. */
  scriptName: string
  /** Decoded path after the script, e.g. `/extra/path`, or `''`. */
  pathInfo: string
  /** Real path of the script file. */
  filename: string
}

export interface CgiHost {
  /** Real path of the served folder: DOCUMENT_ROOT and the base of PATH_TRANSLATED. */
  documentRoot: string
  serverSoftware: string
  /** Server variables every script gets (PATH, locale); the protocol's own variables win. */
  baseEnv: Readonly<Record<string, string>>
}

// RFC 3875 4.1.18: no variables for fields carrying credentials, or already given
// as CONTENT_*. `Proxy` would become HTTP_PROXY, which HTTP clients in scripts take
// as their proxy setting (httpoxy, CVE-2016-5385). Transfer-Encoding describes the
// framing on the wire, not the body the script reads.
const EXCLUDED_HEADERS = new Set([
  'HTTP_AUTHORIZATION',
  'HTTP_PROXY_AUTHORIZATION',
  'HTTP_PROXY',
  'HTTP_CONTENT_TYPE',
  'HTTP_CONTENT_LENGTH',
  'HTTP_TRANSFER_ENCODING'
])

// Only letters, digits and '-' make a variable: `X_Forwarded_For` would otherwise
// land in the same HTTP_X_FORWARDED_FOR a proxy sets from `X-Forwarded-For`, so a
// client could smuggle a value past it. Apache 2.4 and nginx drop such headers too.
const PLAIN_HEADER_NAME = /^[A-Za-z0-9-]+$/

// RFC 3986 reg-name or IP literal: anything else in Host is not a name to pass on.
const HOST_NAME = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)$/

/** RFC 3875 4.1.14: the name the client addressed, else the address it connected to. */
export function serverName (hostname: string | undefined, localAddress: string): string {
  if (hostname !== undefined && HOST_NAME.test(hostname)) return hostname
  return localAddress.includes(':') ? `[${localAddress}]` : localAddress
}

/**
 * One HTTP_* variable per request header (RFC 3875 4.1.18): repeated fields joined
 * with ", " (RFC 9110 5.3), repeated Cookie fields with "; " (RFC 6265 5.4).
 */
export function headerVariables (rawHeaders: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {}
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (!PLAIN_HEADER_NAME.test(name)) continue
    const key = 'HTTP_' + name.toUpperCase().replaceAll('-', '_')
    if (EXCLUDED_HEADERS.has(key)) continue
    const value = rawHeaders[i + 1] as string
    const seen = variables[key]
    variables[key] = seen === undefined ? value : seen + (key === 'HTTP_COOKIE' ? '; ' : ', ') + value
  }
  return variables
}

function headerValue (rawHeaders: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === lowerName) return rawHeaders[i + 1]
  }
  return undefined
}

export function cgiEnvironment (request: CgiRequest, script: CgiScript, host: CgiHost): Record<string, string> {
  const { query } = splitTarget(request.target)
  const env: Record<string, string> = {
    ...host.baseEnv,
    // RFC 3875 4.1.1, 4.1.11: the scheme and user the server itself checked; NULL
    // (empty) otherwise. The credentials themselves never reach a script.
    AUTH_TYPE: request.user === undefined ? '' : 'Basic',
    GATEWAY_INTERFACE: 'CGI/1.1',
    PATH_INFO: script.pathInfo,
    // 4.1.6: the path info mapped onto the document root; NULL when there is none.
    PATH_TRANSLATED: script.pathInfo === '' ? '' : host.documentRoot + script.pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: request.remoteAddress,
    // 4.1.9: the address may stand in for a name we do not look up.
    REMOTE_HOST: request.remoteAddress,
    REMOTE_USER: request.user ?? '',
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: script.scriptName,
    SERVER_NAME: serverName(request.hostname, request.localAddress),
    SERVER_PORT: String(request.localPort),
    SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
    SERVER_SOFTWARE: host.serverSoftware,
    // Common extensions (Apache, nginx, Go).
    DOCUMENT_ROOT: host.documentRoot,
    REQUEST_SCHEME: request.tls ? 'https' : 'http',
    REQUEST_URI: request.target,
    SCRIPT_FILENAME: script.filename,
    ...headerVariables(request.rawHeaders)
  }
  if (request.remotePort !== undefined) env.REMOTE_PORT = String(request.remotePort)
  if (request.tls) env.HTTPS = 'on'
  // 4.1.2: if and only if there is a body; 4.1.3: no default type.
  if (request.contentLength !== undefined) env.CONTENT_LENGTH = String(request.contentLength)
  const contentType = headerValue(request.rawHeaders, 'content-type')
  if (contentType !== undefined) env.CONTENT_TYPE = contentType
  return env
}

const LOCALE = /^(?:LANG|LANGUAGE|TZ|LC_[A-Z_]+)$/

/**
 * The server variables a script inherits: PATH (with a default) and the locale.
 * Everything else, proxies and credentials included, stays with the server.
 */
export function inheritedEnvironment (env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = { PATH: env.PATH !== undefined && env.PATH !== '' ? env.PATH : DEFAULT_PATH }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && LOCALE.test(name)) picked[name] = value
  }
  return picked
}
