// The HTTPS options, their validation and their defaults. Which certificate to use
// is decided here, from the options alone; reading and making certificates is
// src/tls/index.ts's job, at start-up.
import { isAbsolute, join, resolve } from 'node:path'
import { OptionError } from '../errors.js'

export const TLS_KEY_TYPES = ['ec', 'rsa'] as const
export type TlsKeyType = typeof TLS_KEY_TYPES[number]

export interface TlsOptions {
  /** Serve HTTPS with a self-signed certificate made once and cached in `tlsCacheDir`. */
  tls?: boolean
  /** PEM certificate (chain) to serve HTTPS with; implies `tls`. Without `tlsKey` the key is read from this file too. */
  tlsCert?: string
  /** PEM private key of `tlsCert`. */
  tlsKey?: string
  /** File holding the passphrase of an encrypted `tlsKey` (surrounding whitespace is ignored). */
  tlsPasswordFile?: string
  /** Key of a generated certificate: `ec` (ECDSA P-256, the default) or `rsa` (2048 bits). Implies `tls`. */
  tlsKeyType?: TlsKeyType
  /**
   * Where generated certificates are cached; default `~/.config/servekit/tls`.
   * The CLI passes `$XDG_CONFIG_HOME/servekit/tls` (see `defaultTlsCacheDir`).
   */
  tlsCacheDir?: string
}

export type TlsSettings =
  | { source: 'generated', keyType: TlsKeyType, cacheDir: string }
  | { source: 'files', certFile: string, keyFile: string | undefined, passwordFile: string | undefined }

/**
 * The XDG base-directory rule: `$XDG_CONFIG_HOME`, else `~/.config`. A relative
 * value is ignored, as the specification asks.
 */
export function defaultTlsCacheDir (env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME
  const base = config !== undefined && isAbsolute(config) ? config : join(home, '.config')
  return join(base, 'servekit', 'tls')
}

function filePath (option: string, flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && value !== '') return resolve(value)
  throw new OptionError(option, `${flag} must be a file path`)
}

export function tlsSettings (input: TlsOptions, home: string): TlsSettings | undefined {
  if (input.tls !== undefined && typeof input.tls !== 'boolean') throw new OptionError('tls', 'tls must be true or false')
  const certFile = filePath('tlsCert', '--tls-cert', input.tlsCert)
  const keyFile = filePath('tlsKey', '--tls-key', input.tlsKey)
  const passwordFile = filePath('tlsPasswordFile', '--tls-password-file', input.tlsPasswordFile)
  const keyType = input.tlsKeyType
  if (keyType !== undefined && !(TLS_KEY_TYPES as readonly unknown[]).includes(keyType)) {
    throw new OptionError('tlsKeyType', `--tls-key-type must be one of ${TLS_KEY_TYPES.join(', ')} (got ${JSON.stringify(keyType)})`)
  }

  if (certFile === undefined) {
    // Python's http.server asks the same: a key or a passphrase belongs to a certificate.
    if (keyFile !== undefined) throw new OptionError('tlsKey', '--tls-key needs --tls-cert, the certificate that goes with the key')
    if (passwordFile !== undefined) throw new OptionError('tlsPasswordFile', '--tls-password-file needs --tls-cert: it unlocks the key of a certificate you give')
    if (input.tls !== true && keyType === undefined) return undefined
    return {
      source: 'generated',
      keyType: keyType ?? 'ec',
      cacheDir: filePath('tlsCacheDir', 'tlsCacheDir', input.tlsCacheDir) ?? defaultTlsCacheDir({}, home)
    }
  }
  if (keyType !== undefined) throw new OptionError('tlsKeyType', '--tls-key-type is for generated certificates; it cannot change the key in --tls-cert')
  return { source: 'files', certFile, keyFile, passwordFile }
}
