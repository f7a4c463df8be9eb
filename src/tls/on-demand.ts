// HTTPS code, imported only by a server that serves HTTPS: a plain one starts without
// reading the certificate, cache and key modules (nor selfsigned).
import type { ResolvedOptions } from '../options.js'
import type { TlsMaterial } from './index.js'

/** `loadTls`, without loading its module when `options.tls` is off. */
export async function loadTlsOnDemand (options: Pick<ResolvedOptions, 'tls' | 'root' | 'dotfiles' | 'bind'>): Promise<TlsMaterial | undefined> {
  if (options.tls === undefined) return undefined
  return await (await import('./index.js')).loadTls(options)
}
