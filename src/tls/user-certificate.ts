// A certificate the user gives (--tls-cert, --tls-key, --tls-password-file): read and
// checked before anything listens, each problem one line that names the file. As in
// Python's http.server, the key may sit in the certificate file.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { OptionError } from '../errors.js'
import { certificatesIn, isEncrypted, privateKeyIn } from './pem.js'
import { FileTooLargeError, readSmallFile } from './read-small-file.js'

export interface UserFiles {
  certFile: string
  keyFile: string | undefined
  passwordFile: string | undefined
}

export interface UserCertificate {
  /** The private key, PEM, as found (possibly encrypted). */
  key: string
  /** The certificate chain, PEM, server's certificate first. */
  cert: string
  passphrase: string | undefined
  leaf: X509Certificate
  /** The file the key came from: `keyFile`, or `certFile` when it holds both. */
  keySource: string
}

// A long chain is a few tens of kilobytes.
const PEM_LIMIT = 1024 * 1024

const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ELOOP: 'too many levels of symbolic links'
}

async function readText (path: string, option: string, what: string): Promise<string> {
  try {
    return await readSmallFile(path, PEM_LIMIT)
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new OptionError(option, `${what} ${path} is too large to be a PEM file`)
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new OptionError(option, `${what} ${path} does not exist`)
    throw new OptionError(option, `cannot read ${what} ${path}: ${READ_ERRORS[code] ?? code}`)
  }
}

async function readPassphrase (path: string): Promise<string> {
  // Python strips the password file's content the same way.
  const passphrase = (await readText(path, 'tlsPasswordFile', 'password file')).trim()
  if (passphrase === '') throw new OptionError('tlsPasswordFile', `password file ${path} is empty`)
  return passphrase
}

function unlock (keyPem: string, keySource: string, passphrase: string | undefined, passwordFile: string | undefined): KeyObject {
  const encrypted = isEncrypted(keyPem)
  if (encrypted && passphrase === undefined) {
    throw new OptionError('tlsPasswordFile', `the private key in ${keySource} is encrypted; give its passphrase with --tls-password-file FILE`)
  }
  try {
    return createPrivateKey({ key: keyPem, passphrase })
  } catch {
    throw encrypted
      ? new OptionError('tlsPasswordFile', `wrong passphrase for the private key in ${keySource} (read from ${passwordFile ?? ''})`)
      : new OptionError('tlsKey', `the private key in ${keySource} cannot be read: it is damaged or of an unsupported type`)
  }
}

export async function userCertificate ({ certFile, keyFile, passwordFile }: UserFiles): Promise<UserCertificate> {
  const certText = await readText(certFile, 'tlsCert', 'certificate file')
  const chain = certificatesIn(certText)
  if (chain[0] === undefined) {
    throw new OptionError('tlsCert', `certificate file ${certFile} holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)`)
  }
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(chain[0])
  } catch {
    throw new OptionError('tlsCert', `certificate file ${certFile} holds a certificate that cannot be parsed`)
  }

  const keySource = keyFile ?? certFile
  const keyPem = privateKeyIn(keyFile === undefined ? certText : await readText(keyFile, 'tlsKey', 'key file'))
  if (keyPem === undefined) {
    throw keyFile === undefined
      ? new OptionError('tlsKey', `certificate file ${certFile} holds no private key; give the key with --tls-key FILE`)
      : new OptionError('tlsKey', `key file ${keyFile} holds no PEM private key (a "-----BEGIN PRIVATE KEY-----" block)`)
  }
  const passphrase = passwordFile === undefined ? undefined : await readPassphrase(passwordFile)
  const key = unlock(keyPem, keySource, passphrase, passwordFile)
  if (!leaf.checkPrivateKey(key)) {
    throw new OptionError('tlsKey', `the private key in ${keySource} does not match the certificate in ${certFile}`)
  }
  return { key: keyPem, cert: chain.join(''), passphrase, leaf, keySource }
}
