// The cache of generated certificates: reused while valid and covering the names
// needed, made anew otherwise, so a browser exception granted once keeps working.
// One file holds key and certificate together: with two files, two servers
// starting at once could leave one's key beside the other's certificate.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-write.js'
import { makeCertificate, type KeyAndCertificate } from './generate.js'
import { certificateNames, missingNames, type WantedNames } from './names.js'
import { certificatesIn, privateKeyIn } from './pem.js'
import type { TlsKeyType } from './settings.js'

export const RENEW_WITHIN_DAYS = 30
const DAY_MS = 86_400_000
const FILE_MODE = 0o600
const FOLDER_MODE = 0o700

export interface CacheRequest {
  /** Absolute; created (mode 0700) when missing. */
  cacheDir: string
  keyType: TlsKeyType
  names: WantedNames
  now: Date
}

export interface CachedCertificate extends KeyAndCertificate {
  /** `<keyType>.pem`: private key, then certificate. What servekit reads. */
  file: string
  /** `<keyType>.crt`: the certificate alone, to import into trust stores. */
  certFile: string
  /** Why a new certificate was made; undefined when the cached one was reused. */
  madeBecause: string | undefined
  /** Trouble with the cache that did not stop the server. */
  warnings: string[]
}

interface Cached extends KeyAndCertificate {
  x509: X509Certificate
}

/** The cache file's content as a key and its certificate, or what is wrong with it. */
export function parseCached (text: string, keyType: TlsKeyType): Cached | string {
  const key = privateKeyIn(text)
  const cert = certificatesIn(text)[0]
  if (key === undefined || cert === undefined) return 'is incomplete'
  try {
    const x509 = new X509Certificate(cert)
    const keyObject = createPrivateKey(key)
    if (keyObject.asymmetricKeyType !== keyType) return `holds an ${keyObject.asymmetricKeyType ?? 'unknown'} key, not ${keyType}`
    if (!x509.checkPrivateKey(keyObject)) return 'holds a key that does not match its certificate'
    return { key, cert, x509 }
  } catch {
    return 'cannot be parsed'
  }
}

export interface ExpiryProblem {
  /** E.g. "expired on 2026-01-02T03:04:05.000Z". */
  text: string
  /** Outside its validity period: clients reject it now, not just soon. */
  invalid: boolean
}

/** Why a certificate cannot serve (much) longer, or undefined while it can. */
export function expiryProblem (x509: X509Certificate, now: Date): ExpiryProblem | undefined {
  const from = Date.parse(x509.validFrom)
  const to = Date.parse(x509.validTo)
  if (from > now.getTime()) return { text: `is not valid until ${new Date(from).toISOString()}`, invalid: true }
  if (to <= now.getTime()) return { text: `expired on ${new Date(to).toISOString()}`, invalid: true }
  if (to - now.getTime() < RENEW_WITHIN_DAYS * DAY_MS) {
    return { text: `expires on ${new Date(to).toISOString()}, within ${RENEW_WITHIN_DAYS} days`, invalid: false }
  }
  return undefined
}

function errorCode (error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error)
}

/** The file's text, or what keeps it from being used. */
async function readCache (file: string): Promise<string | { problem: string }> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = errorCode(error)
    return { problem: code === 'ENOENT' ? 'does not exist yet' : `cannot be read (${code})` }
  }
}

/** Keeps `<keyType>.crt` equal to the certificate really served (a concurrent start may have raced it). */
async function syncCertificateCopy (certFile: string, cert: string, warnings: string[]): Promise<void> {
  if (await readCache(certFile) === cert) return
  try {
    await writeFileAtomic(certFile, cert, FILE_MODE)
  } catch (error) {
    warnings.push(`could not update ${certFile} (${errorCode(error)})`)
  }
}

export async function cachedCertificate ({ cacheDir, keyType, names, now }: CacheRequest): Promise<CachedCertificate> {
  const file = join(cacheDir, `${keyType}.pem`)
  const certFile = join(cacheDir, `${keyType}.crt`)
  const warnings: string[] = []
  const read = await readCache(file)
  const cached = typeof read === 'string' ? parseCached(read, keyType) : read.problem

  let reason: string
  let keptNames: string[] = []
  if (typeof cached === 'string') {
    reason = `${file} ${cached}`
  } else {
    const expiry = expiryProblem(cached.x509, now)
    const missing = missingNames(certificateNames(cached.x509), names.required)
    if (expiry === undefined && missing.length === 0) {
      await syncCertificateCopy(certFile, cached.cert, warnings)
      return { key: cached.key, cert: cached.cert, file, certFile, madeBecause: undefined, warnings }
    }
    reason = `the cached certificate ${expiry?.text ?? `lacks ${missing.join(', ')}`}`
    // A laptop that moves between networks then settles on one certificate with
    // all its addresses, instead of a new one (and a new warning) at every move.
    if (expiry === undefined) keptNames = certificateNames(cached.x509)
  }

  const made = await makeCertificate([...new Set([...names.required, ...keptNames, ...names.optional])], keyType, now)
  try {
    await mkdir(cacheDir, { recursive: true, mode: FOLDER_MODE })
    await writeFileAtomic(file, made.key + made.cert, FILE_MODE)
    await writeFileAtomic(certFile, made.cert, FILE_MODE)
  } catch (error) {
    // Serving matters more than caching (a read-only home, a full disk).
    warnings.push(`could not cache the certificate in ${cacheDir} (${errorCode(error)}); the next start will make another one`)
  }
  return { ...made, file, certFile, madeBecause: reason, warnings }
}
