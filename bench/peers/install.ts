// --install-peers: what to install for the peers that are missing, from Debian
// (apt-get) and npm, as a list of commands. Pure; bench/run.ts runs and prints them.
import type { PeerSpec } from './peer.js'

export interface InstallStep {
  command: string
  args: string[]
}

/** Debian packages a peer needs beyond its main one. */
const DEBIAN_EXTRAS: Record<string, string[]> = {
  // mod_openssl, for the HTTPS scenarios, is its own package in Debian 12.
  lighttpd: ['lighttpd-mod-openssl']
}

export interface InstallContext {
  /** Running as root; else apt-get goes through sudo and npm installs into `npmPrefix`. */
  root: boolean
  /** Where npm installs without root (its bin folder is searched for peers). */
  npmPrefix: string
}

export function installPlan (missing: readonly PeerSpec[], { root, npmPrefix }: InstallContext): InstallStep[] {
  const debian = missing.flatMap(({ install }) => 'debian' in install ? [install.debian, ...(DEBIAN_EXTRAS[install.debian] ?? [])] : [])
  const npm = missing.flatMap(({ install }) => 'npm' in install ? [install.npm] : [])
  const elevated = (args: string[]): InstallStep => root ? { command: 'apt-get', args } : { command: 'sudo', args: ['apt-get', ...args] }
  return [
    ...(debian.length === 0 ? [] : [elevated(['update']), elevated(['install', '-y', ...debian])]),
    ...(npm.length === 0 ? [] : [{ command: 'npm', args: root ? ['install', '-g', ...npm] : ['install', '--prefix', npmPrefix, ...npm] }])
  ]
}
