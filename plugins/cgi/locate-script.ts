// From request target to script: the URL path is decoded and normalised once by
// safe-path, then walked segment by segment inside the CGI folder through the plain
// file lookup (nothing cached: no cache may skip the check of a file about to run).
// The first segment that is a file is the script (SCRIPT_NAME); what follows is
// PATH_INFO. The script's descriptor is held until its process has started, so that
// what was started can be compared with what was checked.
import { realpathSync, statSync } from 'node:fs'
import { httpError } from '../../src/errors.js'
import type { Descriptor } from '../../src/lookup/descriptor.js'
import type { Lookup } from '../../src/lookup/index.js'
import { parseUrlPath, splitTarget } from '../../src/safe-path.js'
import type { CgiScript } from './environment.js'

export interface ScriptFolder {
  /** URL path segments the folder is mounted at, e.g. `['cgi-bin']`. */
  mount: readonly string[]
  /** Run names starting with `.`. */
  dotfiles: boolean
  /** The plain lookup rooted at the CGI folder, symlinks leaving it refused. */
  lookup: Lookup
}

export interface LocatedScript extends CgiScript {
  /** The checked script, open: the caller releases it once the process has started. */
  descriptor: Descriptor
}

export async function locateScript (target: string, folder: ScriptFolder): Promise<LocatedScript> {
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
    const found = await folder.lookup.open(segments.slice(mount.length, end))
    if (found.kind === 'folder') {
      found.descriptor.release()
      continue
    }
    if ((found.stats.mode & 0o111) === 0) {
      found.descriptor.release()
      throw httpError(403, 'not an executable CGI script')
    }
    const rest = segments.slice(end)
    return {
      scriptName: '/' + segments.slice(0, end).join('/'),
      pathInfo: rest.length === 0 && !trailingSlash ? '' : '/' + rest.join('/') + (rest.length > 0 && trailingSlash ? '/' : ''),
      filename: found.real,
      descriptor: found.descriptor
    }
  }
  throw httpError(403, 'CGI folders are not listed')
}

/**
 * Whether the script's path still leads, with no symlink on the way, to the file
 * that was checked. Asked as soon as the process has started and before it is given
 * anything: the kernel resolved the path again to run it, and a swap in between
 * (the script replaced by a link to /bin/sh) would run another program. Synchronous
 * on purpose: no turn of the event loop may pass before the script's output is
 * read, or Node would discard the output of a script that exits meanwhile; two
 * system calls on a path just opened, cheaper than the spawn around them.
 */
export function scriptUnchanged (script: LocatedScript): boolean {
  const checked = script.descriptor.stats
  try {
    if (realpathSync.native(script.filename) !== script.filename) return false
    const stats = statSync(script.filename)
    return stats.dev === checked.dev && stats.ino === checked.ino
  } catch {
    return false
  }
}
