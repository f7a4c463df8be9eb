// Keys and passphrases must never be downloadable from the server they protect:
// a secret file that the static files would serve is refused at start-up.
import { realpath } from 'node:fs/promises'
import { basename, dirname, join, relative, sep } from 'node:path'
import { isInside, parseUrlPath, urlPathOf } from '../safe-path.js'

/** The real path of `path`, which need not exist yet: its nearest existing ancestor is resolved. */
export async function futureRealPath (path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const parent = dirname(path)
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === path) throw error
    return join(await futureRealPath(parent), basename(path))
  }
}

/**
 * Whether the file at real path `real` can be downloaded from `root`. The dotfile
 * rule is src/safe-path.ts's own, so `~/.config/servekit` stays private when the
 * home folder is served, unless `--dotfiles` is given.
 */
export function isServed (root: string, real: string, dotfiles: boolean): boolean {
  if (!isInside(root, real)) return false
  const segments = relative(root, real).split(sep).filter((segment) => segment !== '')
  return parseUrlPath(urlPathOf(segments, false), dotfiles).ok
}
