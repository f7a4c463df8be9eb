import { realpath, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { OptionError } from './errors.js'

/**
 * Resolves a folder option once, at start-up: containment checks compare real
 * paths, so the root itself must be real (it may be a symlink, e.g. /tmp on macOS).
 */
export async function realDirectory (path: string, option: string): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new OptionError(option, `${option} must be a folder path`)
  let real: string
  try {
    real = await realpath(resolve(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new OptionError(option, code === 'ENOENT' ? `${option} ${path} does not exist` : `${option} ${path} cannot be read (${code})`)
  }
  if (!(await stat(real)).isDirectory()) throw new OptionError(option, `${option} ${path} is not a folder`)
  return real
}
