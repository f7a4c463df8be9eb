// The upload plugin's options and their validation, done once at registration, so a
// bad value fails the start with a message naming it.
import { OptionError } from '../../src/errors.js'
import { inBounds, OPTIONS } from '../../src/option-table.js'
import type { Lookup } from '../../src/lookup/index.js'
import { realDirectory } from '../../src/real-directory.js'

export interface UploadOptions {
  /** The served folder; resolved with realpath once, at registration. */
  root: string
  /** The app's file lookup over `root` (buildApp makes one); default: a plain one of this plugin's own. */
  lookup?: Lookup
  /** Accept names starting with `.` (and write into such folders). Default false. */
  dotfiles?: boolean
  /** Real folders never written into, whatever URL leads there (the CGI scripts' folder). */
  exclude?: readonly string[]
  /** First URL segments that belong to another route (`cgi-bin`): never written to. */
  reserved?: readonly string[]
  /** Bytes one uploaded file may have, 0 to 1 TiB; beyond it, 413. Default 4 GiB. */
  maxBytes?: number
  /** Let an upload replace an existing file (atomically). Default false: 409. */
  overwrite?: boolean
}

export interface UploadSettings {
  root: string
  lookup: Lookup | undefined
  dotfiles: boolean
  exclude: string[]
  reserved: readonly string[]
  maxBytes: number
  overwrite: boolean
}

function flag (option: string, value: unknown): boolean {
  if (value === undefined || typeof value === 'boolean') return value === true
  throw new OptionError(option, `${option} must be true or false (got ${JSON.stringify(value)})`)
}

function names (option: string, value: unknown): readonly string[] {
  if (value === undefined) return []
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[]
  throw new OptionError(option, `${option} must be a list of strings`)
}

export async function resolveUploadOptions (options: UploadOptions): Promise<UploadSettings> {
  const spec = OPTIONS.uploadMax
  const maxBytes = options.maxBytes ?? spec.default
  if (typeof maxBytes !== 'number' || !inBounds(spec, maxBytes)) {
    throw new OptionError('maxBytes', `maxBytes must be a whole number of bytes from ${spec.min} to ${spec.max} (got ${JSON.stringify(options.maxBytes)})`)
  }
  const lookup = options.lookup
  if (lookup !== undefined && (typeof lookup !== 'object' || typeof lookup.open !== 'function')) throw new OptionError('lookup', 'lookup must be a lookup made by createLookup')
  return {
    root: await realDirectory(options.root, 'root'),
    lookup,
    dotfiles: flag('dotfiles', options.dotfiles),
    exclude: await Promise.all(names('exclude', options.exclude).map(async (dir) => await realDirectory(dir, 'exclude'))),
    reserved: names('reserved', options.reserved),
    maxBytes,
    overwrite: flag('overwrite', options.overwrite)
  }
}
