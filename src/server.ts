// Listening, the start-up line, and a graceful stop.
import { networkInterfaces } from 'node:os'
import type { AddressInfo } from 'node:net'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp, type AppOptions } from './app.js'
import { ListenError, OptionError } from './errors.js'
import { resolveOptions, type ResolvedOptions } from './options.js'
import type { CertificateInfo } from './tls/index.js'
import { loadTlsOnDemand } from './tls/on-demand.js'

export interface StartOptions extends AppOptions {
  /** Stop gracefully on SIGINT/SIGTERM and exit 0 (the CLI does; a library user may not want it). */
  handleSignals?: boolean
  /** Log the start-up line (default true); a cluster worker leaves it to the primary. */
  announce?: boolean
}

export interface RunningServer {
  app: FastifyInstance
  /** A URL a browser on this machine can open. */
  url: string
  /** URLs other machines on the network can use (a wildcard bind only). */
  network: string[]
  /** The address really bound, e.g. `::` or `127.0.0.1`. */
  address: string
  port: number
  /** Stops accepting, lets requests in flight finish (up to 10 s), then closes. */
  close: () => Promise<void>
}

export { ListenError }

export const SHUTDOWN_GRACE_MS = 10_000

const FAULT_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP', 'SIGABRT'] as const

function hasIPv6 (): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6'))
}

function isWildcard (address: string): boolean {
  return address === '::' || address === '0.0.0.0'
}

function urlOf (address: string, port: number, scheme = 'http'): string {
  const host = isWildcard(address) ? 'localhost' : address.includes(':') ? `[${address}]` : address
  return `${scheme}://${host}:${port}/`
}

/** URLs under which other machines on the LAN can reach a wildcard bind. */
function networkUrls (address: string, port: number, scheme: string): string[] {
  if (!isWildcard(address)) return []
  return Object.values(networkInterfaces()).flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (address === '::' || i.family === 'IPv4') && !i.address.startsWith('fe80:'))
    .map((i) => urlOf(i.address, port, scheme))
}

function listenError (error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(`port ${port} is already in use on ${host}; try another port, e.g. \`servekit ${port === 65535 ? 8000 : port + 1}\`, or \`servekit 0\` for any free port`)
    case 'EACCES':
      return new ListenError(`port ${port} is privileged and needs root; use a port from 1024 up, e.g. \`servekit 8000\``)
    case 'EADDRNOTAVAIL':
      return new ListenError(`cannot listen on ${host}: it is not an address of this machine`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new OptionError('bind', `cannot resolve bind address ${host}`)
    default:
      return error
  }
}

export interface StartupLine {
  url: string
  network: string[]
  fields: Record<string, unknown>
  msg: string
}

/** The first log line: what was bound and where to point a browser. */
export function startupLine (bound: Pick<AddressInfo, 'address' | 'port'>, tls: boolean, certificate?: CertificateInfo): StartupLine {
  const scheme = tls ? 'https' : 'http'
  const url = urlOf(bound.address, bound.port, scheme)
  const network = networkUrls(bound.address, bound.port, scheme)
  return {
    url,
    network,
    fields: { url, port: bound.port, address: bound.address, tls, network, ...(certificate === undefined ? {} : { certificate }) },
    msg: `Serving ${scheme.toUpperCase()} on ${bound.address} port ${bound.port} (${url}) ...`
  }
}

/** A warning when anyone the server can be reached by may write to the folder. */
export function openToWrite (options: Pick<ResolvedOptions, 'upload' | 'auth'>, address: string): string | undefined {
  if (options.upload === undefined || options.auth !== undefined || isLoopback(address)) return undefined
  return `uploads are on without a password: anyone who can reach ${address} may write to the folder; add --auth USER:PASSWORD, or -b 127.0.0.1 to keep it to this machine`
}

function isLoopback (address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1'
}

async function drain (app: FastifyInstance): Promise<void> {
  // Past the grace period, connections still busy are cut so the process can exit.
  const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS)
  try {
    await app.close()
  } finally {
    clearTimeout(cut)
  }
}

export async function startServer (input: StartOptions = {}): Promise<RunningServer> {
  // The certificate is settled before the app is built, so the start-up line can describe it.
  const resolved = input.resolved ?? await resolveOptions(input)
  const tls = input.https === undefined ? await loadTlsOnDemand(resolved) : undefined
  const https = input.https ?? tls?.https
  const app = await buildApp({ ...input, https, resolved })
  const { port, bind } = app.servekit
  const host = bind ?? (hasIPv6() ? '::' : '0.0.0.0')
  // Fastify logs its own "Server listening" line; ours below must be the first.
  const level = app.log.level
  app.log.level = 'silent'
  try {
    // `::` with ipv6Only off accepts IPv4 too (dual stack).
    await app.listen({ port, host, ipv6Only: false })
  } catch (error) {
    await app.close().catch(() => {})
    throw listenError(error as NodeJS.ErrnoException, host, port)
  } finally {
    app.log.level = level
  }

  // Installed before the start-up line, so a signal sent as soon as it appears is handled.
  const close = async (): Promise<void> => { await drain(app) }
  if (input.handleSignals === true) {
    // Faults (SIGSEGV, SIGBUS, ...) keep their default action: a JavaScript handler cannot
    // resume the faulting instruction, so close-with-grace's default list made a fault
    // spin at full CPU forever (seen after a terminal closed under a running servekit).
    closeWithGrace({ delay: SHUTDOWN_GRACE_MS + 2_000, logger: app.log, skip: [...FAULT_SIGNALS] }, async ({ signal, err }) => {
      if (err !== undefined) app.log.error({ err }, 'unexpected error, shutting down')
      else app.log.info({ signal }, `${signal ?? 'exit'} received, finishing requests in flight (up to ${SHUTDOWN_GRACE_MS / 1000} s)`)
      await close()
    })
  }

  const bound = app.server.address() as AddressInfo
  const certificate = https === undefined ? undefined : tls?.certificate ?? (await import('./tls/index.js')).describeCertificate(https.cert)
  const line = startupLine(bound, https !== undefined, certificate)
  if (input.announce !== false) {
    app.log.info(line.fields, line.msg)
    for (const note of tls?.notes ?? []) app.log[note.level](note.msg)
    const open = openToWrite(resolved, bound.address)
    if (open !== undefined) app.log.warn(open)
  }

  return { app, url: line.url, network: line.network, address: bound.address, port: bound.port, close }
}
