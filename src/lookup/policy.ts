// What may be served once a descriptor is open: decided on the real path of the
// opened file itself, never on the path that was asked for. Pure.
import { sep } from 'node:path'
import { isInside } from '../safe-path.js'

export interface LookupPolicy {
  /** Real path of the folder served. */
  root: string
  /** Serve and list names starting with `.` (`/.well-known/` at the root always). */
  dotfiles: boolean
  /** Serve files whose real path lies outside the root (symlinks pointing out). */
  followSymlinks: boolean
  /** Real folders never served from, whatever path leads there (the CGI scripts' folder). */
  exclude: readonly string[]
  /**
   * `/.well-known/` passes the dotfile rule (RFC 8615: it speaks for the site). Default
   * true; false for writes, which must not reach it through a link either.
   */
  wellKnown?: boolean
}

/**
 * The prefix of the temporary files uploads are written to before they are put in
 * place: never served, listed or written by URL, dotfiles or not, so nobody reads or
 * replaces someone else's upload half-way.
 */
export const IN_PROGRESS_PREFIX = '.servekit-upload-'

export function inProgress (name: string): boolean {
  return name.startsWith(IN_PROGRESS_PREFIX)
}

/**
 * Whether the file or folder whose real path is `real` may be served. Inside the
 * root, its path below the root must pass the dotfile rule too, so a link such as
 * `notes -> .git/config` hides what it points at, as the URL `/.git/config` would.
 */
export function allowsReal (policy: LookupPolicy, real: string): boolean {
  if (policy.exclude.some((dir) => isInside(dir, real))) return false
  if (!isInside(policy.root, real)) return policy.followSymlinks
  if (real.length === policy.root.length) return true
  const below = real.slice(policy.root.length + (policy.root.endsWith(sep) ? 0 : 1)).split(sep)
  if (below.some(inProgress)) return false
  if (policy.dotfiles) return true
  const wellKnown = policy.wellKnown ?? true
  return below.every((name, i) => name[0] !== '.' || (wellKnown && i === 0 && name === '.well-known'))
}

/** A file or folder that can be served at all: FIFOs, sockets and devices could hang or never end. */
export function servableKind (mode: { isFile: () => boolean, isDirectory: () => boolean }): 'file' | 'folder' | undefined {
  if (mode.isFile()) return 'file'
  if (mode.isDirectory()) return 'folder'
  return undefined
}

// The kernel's file times come from a coarse clock (one tick, up to 10 ms; some file
// systems keep 1 or 2 s): a file changed twice within one tick keeps the same times.
// What was read from a file changed this recently is not kept, only served.
export const RECENT_CHANGE_MS = 2_000

/** Identity of a file's content as its stat shows it: equal identities, equal bytes (if not recently changed). */
export function identityOf (stats: { dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number }): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
}

/** Whether what was read from a file stat-ed as `stats` may be kept, at time `now` (ms since the epoch). */
export function settled (stats: { ctimeMs: number, mtimeMs: number }, now: number): boolean {
  return now - Math.max(stats.ctimeMs, stats.mtimeMs) > RECENT_CHANGE_MS
}
