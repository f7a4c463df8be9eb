// From request target to script: the URL path is decoded and normalised once by
// safe-path, then walked segment by segment inside the CGI folder. The first
// segment that is a file is the script (SCRIPT_NAME); what follows is PATH_INFO.
import type { Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { performance } from 'node:perf_hooks'
import { httpError } from '../../src/errors.js'
import { ResolutionCache } from '../../src/resolution-cache.js'
import { parseUrlPath, resolveInRoot, splitTarget } from '../../src/safe-path.js'
import type { CgiScript } from './environment.js'

export interface ScriptFolder {
  /** Real path of the CGI folder. */
  dir: string
  /** URL path segments the folder is mounted at, e.g. `['cgi-bin']`. */
  mount: readonly string[]
  /** Run names starting with `.`. */
  dotfiles: boolean
  /** Scripts found before, by their path inside the folder. */
  cache: ResolutionCache
}

const statOrNull = async (path: string): Promise<Stats | null> => await stat(path).catch(() => null)

type Found =
  /** `fresh`: the stats of a script just resolved, to remember it by. */
  | { kind: 'script', real: string, fresh?: Stats }
  | { kind: 'folder' }
  | { kind: 'not a script' }

function kindOf (stats: Stats): 'script' | 'folder' | 'not a script' {
  if (stats.isDirectory()) return 'folder'
  return stats.isFile() && (stats.mode & 0o111) !== 0 ? 'script' : 'not a script'
}

/**
 * What `segments` name inside the folder. A script remembered before is trusted
 * without a look while hot, else while a stat still shows the same file. A folder
 * moved away keeps its inode, so a stat cannot vouch for one: a remembered folder
 * (key with a trailing `/`) is trusted only while hot, and turns hot when a full
 * resolution made after its watches began lands on the same real path and inode.
 */
async function resolve (folder: ScriptFolder, segments: readonly string[]): Promise<Found | null> {
  const key = segments.join('/')
  const { cache } = folder
  const hot = cache.hotEntry(key)
  if (hot !== undefined) return { kind: 'script', real: hot.real }
  if (cache.hotEntry(key + '/') !== undefined) return { kind: 'folder' }
  const entry = cache.get(key)
  if (entry !== undefined) {
    const statStartedAt = performance.now()
    const stats = await statOrNull(entry.real)
    if (stats !== null && ResolutionCache.holds(entry, stats) && kindOf(stats) === 'script') {
      cache.confirm(key, statStartedAt)
      return { kind: 'script', real: entry.real }
    }
    cache.forget(key)
  }
  // Symlinks are followed only while they stay inside the CGI folder, whatever
  // --follow-symlinks says: a link to /usr/bin/python3 would run any POSTed code.
  const resolveStartedAt = performance.now()
  const real = await resolveInRoot(folder.dir, segments, false)
  if (real === null) return null
  const stats = await statOrNull(real)
  if (stats === null) return null
  const kind = kindOf(stats)
  if (kind === 'folder') rememberFolder(folder, key + '/', real, stats, resolveStartedAt)
  return kind === 'script' ? { kind, real, fresh: stats } : { kind }
}

function rememberFolder (folder: ScriptFolder, key: string, real: string, stats: Stats, resolveStartedAt: number): void {
  const known = folder.cache.get(key)
  if (known !== undefined && known.real === real && ResolutionCache.holds(known, stats)) folder.cache.confirm(key, resolveStartedAt)
  else folder.cache.remember(key, real, stats, foldersOnTheWay(folder.dir, real))
}

/** The CGI folder and each folder below it down to `real`'s own: a change in any of them may change what `real`'s path leads to. */
function foldersOnTheWay (dir: string, real: string): string[] {
  const folders = [dir]
  const inside = relative(dir, real).split(sep).slice(0, -1)
  for (const name of inside) folders.push(join(folders[folders.length - 1]!, name))
  return folders
}

export async function locateScript (target: string, folder: ScriptFolder): Promise<CgiScript> {
  // Dotfiles are checked below for the script's own path only: PATH_INFO is data
  // for the script, not a path servekit opens.
  const parsed = parseUrlPath(splitTarget(target).path, true)
  if (!parsed.ok) throw httpError(parsed.status)
  const { segments, trailingSlash } = parsed
  const { mount } = folder
  // `/cgi-bin/../x` normalises to `/x`: it climbed out of the CGI folder.
  if (!mount.every((segment, i) => segments[i] === segment)) throw httpError(404)

  for (let end = mount.length + 1; end <= segments.length; end++) {
    const name = segments[end - 1] as string
    if (!folder.dotfiles && name.startsWith('.')) throw httpError(404)
    const inside = segments.slice(mount.length, end)
    const found = await resolve(folder, inside)
    if (found === null) throw httpError(404)
    if (found.kind === 'folder') continue
    if (found.kind === 'not a script') throw httpError(403, 'not an executable CGI script')
    const { real, fresh } = found
    if (fresh !== undefined) folder.cache.remember(inside.join('/'), real, fresh, foldersOnTheWay(folder.dir, real))

    const rest = segments.slice(end)
    return {
      scriptName: '/' + segments.slice(0, end).join('/'),
      pathInfo: rest.length === 0 && !trailingSlash ? '' : '/' + rest.join('/') + (rest.length > 0 && trailingSlash ? '/' : ''),
      filename: real
    }
  }
  throw httpError(403, 'CGI folders are not listed')
}
