// HTTPS at start-up: the certificate the options ask for, found or made, checked,
// and described for the start-up line. It runs before the app is built, so a bad
// certificate stops servekit before anything listens.
import { X509Certificate } from 'node:crypto'
import { hostname, networkInterfaces } from 'node:os'
import { OptionError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { cachedCertificate, expiryProblem } from './cache.js'
import { futureRealPath, isServed } from './exposure.js'
import { certificateNames, wantedNames } from './names.js'
import type { TlsSettings } from './settings.js'
import { userCertificate } from './user-certificate.js'

/** What Fastify's `https` server option takes. */
export interface HttpsOptions {
  key: string | Buffer
  /** The server's certificate first, then its chain. */
  cert: string | Buffer
  /** Of an encrypted `key`. */
  passphrase?: string
  /**
   * Keys of TLS session tickets (48 bytes). Each server makes its own by default; the
   * workers of one servekit share the primary's, so a client resumes its session on
   * whichever worker accepts its next connection instead of a full handshake.
   */
  ticketKeys?: Buffer
}

export interface CertificateInfo {
  /** SHA-256 fingerprint as browsers show it, `AB:CD:…`. */
  fingerprint256: string
  /** The DNS and IP subjectAltName entries. */
  names: string[]
  /** ISO 8601. */
  expires: string
  /** The certificate's file; for a generated one, the copy to import into trust stores. */
  file?: string
  /** Made by servekit (self-signed), not given. */
  generated: boolean
}

export interface LogNote {
  level: 'info' | 'warn'
  msg: string
}

export interface TlsMaterial {
  https: HttpsOptions
  certificate: CertificateInfo
  /** For the log, once there is one: a certificate made and why, one expired. */
  notes: LogNote[]
}

type TlsContext = Pick<ResolvedOptions, 'root' | 'dotfiles' | 'bind'>

export function describeCertificate (cert: string | Buffer, origin: Pick<CertificateInfo, 'file' | 'generated'> = { generated: false }): CertificateInfo {
  const x509 = new X509Certificate(cert)
  return {
    fingerprint256: x509.fingerprint256,
    names: certificateNames(x509),
    expires: new Date(Date.parse(x509.validTo)).toISOString(),
    ...origin
  }
}

async function refuseIfServed (context: TlsContext, path: string, option: string, what: string, remedy: string): Promise<void> {
  if (isServed(context.root, await futureRealPath(path), context.dotfiles)) {
    throw new OptionError(option, `${what} ${path} lies inside the served folder ${context.root}, where anyone could download it; ${remedy}`)
  }
}

async function generated (settings: Extract<TlsSettings, { source: 'generated' }>, context: TlsContext): Promise<TlsMaterial> {
  await refuseIfServed(context, settings.cacheDir, 'tlsCacheDir', 'the certificate cache', 'set XDG_CONFIG_HOME to a folder outside it, or do not give --dotfiles')
  const names = wantedNames({ hostname: hostname(), bind: context.bind, interfaces: networkInterfaces() })
  const cached = await cachedCertificate({ cacheDir: settings.cacheDir, keyType: settings.keyType, names, now: new Date() })
  const notes: LogNote[] = cached.warnings.map((msg) => ({ level: 'warn', msg }))
  if (cached.madeBecause !== undefined) {
    notes.unshift({ level: 'info', msg: `made a new self-signed certificate because ${cached.madeBecause}; browsers warn about it until you trust it (see README, HTTPS)` })
  }
  return {
    https: { key: cached.key, cert: cached.cert },
    certificate: describeCertificate(cached.cert, { file: cached.certFile, generated: true }),
    notes
  }
}

async function given (settings: Extract<TlsSettings, { source: 'files' }>, context: TlsContext): Promise<TlsMaterial> {
  const user = await userCertificate(settings)
  await refuseIfServed(context, user.keySource, 'tlsKey', 'the private key', 'move it elsewhere')
  if (settings.passwordFile !== undefined) {
    await refuseIfServed(context, settings.passwordFile, 'tlsPasswordFile', 'the password file', 'move it elsewhere')
  }
  const expiry = expiryProblem(user.leaf, new Date())
  return {
    https: { key: user.key, cert: user.cert, ...(user.passphrase === undefined ? {} : { passphrase: user.passphrase }) },
    certificate: describeCertificate(user.cert, { file: settings.certFile, generated: false }),
    // Still served: the user may be testing exactly this, and a client can be told to accept it.
    notes: expiry === undefined
      ? []
      : [{ level: 'warn', msg: `the certificate in ${settings.certFile} ${expiry.text}; ${expiry.invalid ? 'clients will reject it until it is renewed' : 'renew it soon'}` }]
  }
}

/** The certificate for `options.tls`; undefined when HTTPS is off. */
export async function loadTls (options: TlsContext & Pick<ResolvedOptions, 'tls'>): Promise<TlsMaterial | undefined> {
  const settings = options.tls
  if (settings === undefined) return undefined
  return settings.source === 'generated' ? await generated(settings, options) : await given(settings, options)
}
