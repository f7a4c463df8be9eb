// The names an upload may create, decided without touching the disk. Every one of
// them is attacker-controlled: a multipart `filename` is whatever the client wrote
// (`../../x`, `C:\x`, NUL, ten thousand characters), and so is each segment of a
// folder's relative path from the page. Pure; the table in test/upload-names.test.ts
// is the specification.
import { IN_PROGRESS_PREFIX, inProgress } from '../../src/lookup/policy.js'

/** The longest name most Linux file systems store (ext4, xfs, btrfs): 255 bytes of UTF-8. */
export const MAX_NAME_BYTES = 255
/** Folders a dropped folder's relative path may create below the target, at most. */
export const MAX_DEPTH = 32

export type NameCheck = { ok: true, name: string } | { ok: false, message: string }
export type PathCheck = { ok: true, folders: string[], name: string } | { ok: false, message: string }

// C0 and C1 controls and DEL: they corrupt terminals and logs, and no real name needs one.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/ // eslint-disable-line no-control-regex
// Half of a UTF-16 pair alone has no UTF-8 form: the name on disk would not be the one asked for.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * One entry name, normalised to NFC (the form browsers and Linux tools type; macOS
 * sends NFD), so two spellings of `é` are one name. Refused: empty, `.` and `..`,
 * separators (`/`, and `\` which is one elsewhere), control characters, names over
 * 255 bytes, names starting with `.` unless `dotfiles`, and uploads' own temporary names.
 */
export function checkName (raw: string, dotfiles: boolean): NameCheck {
  if (LONE_SURROGATE.test(raw)) return refuse('names must be valid Unicode')
  const name = raw.normalize('NFC')
  if (name === '') return refuse('a name is needed')
  if (name === '.' || name === '..') return refuse(`"${name}" cannot be a name`)
  if (name.includes('/') || name.includes('\\')) return refuse('names cannot contain / or \\')
  if (CONTROL.test(name)) return refuse('names cannot contain control characters')
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return refuse(`names are limited to ${MAX_NAME_BYTES} bytes of UTF-8`)
  if (!dotfiles && name.startsWith('.')) return refuse('names starting with "." are not accepted here')
  if (inProgress(name)) return refuse(`names starting with "${IN_PROGRESS_PREFIX}" are servekit's uploads in progress`)
  return { ok: true, name }
}

/**
 * The name a multipart part's `filename` stands for: its last component, whichever
 * separator the client's system uses (`C:\photos\a.jpg` is `a.jpg`, `../../x` is `x`).
 * A `filename` never makes folders by itself; only the page's separate `path` field does.
 */
export function partFileName (filename: string, dotfiles: boolean): NameCheck {
  const last = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1)
  return checkName(last, dotfiles)
}

/**
 * A dropped folder's file as the page sends it beside the file (`photos/2026/a.jpg`,
 * the browser's webkitRelativePath): the folders to create on the way and the name.
 * Every segment must pass `checkName`; `\` is refused rather than split, and empty
 * segments (`a//b`, a leading `/`) are refused rather than skipped.
 */
export function relativePath (path: string, dotfiles: boolean): PathCheck {
  const parts = path.split('/')
  if (parts.length > MAX_DEPTH + 1) return { ok: false, message: `relative paths are limited to ${MAX_DEPTH} folders` }
  const names: string[] = []
  for (const part of parts) {
    const checked = checkName(part, dotfiles)
    if (!checked.ok) return checked
    names.push(checked.name)
  }
  return { ok: true, folders: names.slice(0, -1), name: names[names.length - 1]! }
}

/**
 * The existing entry that is `name` under NFC, if any: a name written by another
 * program in another normal form (NFD from macOS, or U+212A KELVIN SIGN for `K`)
 * is the same name, and must not get a look-alike twin beside it.
 */
export function sameName (existing: Iterable<string>, name: string): string | undefined {
  for (const entry of existing) if (entry === name || entry.normalize('NFC') === name) return entry
  return undefined
}

function refuse (message: string): NameCheck {
  return { ok: false, message }
}
