// Makes a self-signed server certificate with selfsigned. It is imported here, on
// demand: loading it and its WebCrypto/ASN.1 stack costs ~125 ms, which a start-up
// with a cached certificate must not pay.
import { isIP } from 'node:net'
import type { TlsKeyType } from './settings.js'

export interface KeyAndCertificate {
  /** PKCS#8 PEM. */
  key: string
  /** PEM. */
  cert: string
}

export const VALIDITY_DAYS = 365
const DAY_MS = 86_400_000
// Other machines on the LAN may run a little behind; a certificate that starts
// "now" would be "not yet valid" for them for a while.
const BACKDATE_MS = 3_600_000

export async function makeCertificate (names: readonly string[], keyType: TlsKeyType, now: Date): Promise<KeyAndCertificate> {
  const { generate } = await import('selfsigned')
  const host = names.find((name) => name !== 'localhost' && isIP(name) === 0) ?? 'localhost'
  const pems = await generate([{ name: 'commonName', value: `servekit self-signed (${host})` }], {
    ...(keyType === 'rsa' ? { keyType: 'rsa', keySize: 2048 } : { keyType: 'ec', curve: 'P-256' }),
    // selfsigned signs with SHA-1 unless told otherwise, and browsers reject SHA-1.
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
    // Giving `extensions` replaces all of selfsigned's defaults, so this is the whole list.
    extensions: [
      // A leaf, not a CA: Firefox refuses a CA certificate as a server's
      // (MOZILLA_PKIX_ERROR_CA_CERT_USED_AS_END_ENTITY).
      { name: 'basicConstraints', cA: false, critical: true },
      // RSA key exchange (TLS 1.2 without ECDHE) encrypts with the key; ECDSA only signs.
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: keyType === 'rsa', critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      // Browsers match only subjectAltName, never the common name (RFC 6125, CA/B Forum).
      { name: 'subjectAltName', altNames: names.map((name) => isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name }) }
    ]
  })
  // PEM blocks end with a newline, so key and certificate concatenate into one file.
  return { key: endLine(pems.private), cert: endLine(pems.cert) }
}

function endLine (pem: string): string {
  return pem.endsWith('\n') ? pem : pem + '\n'
}
