// Who may come in: `user:password` entries given as options and `user:hash` lines
// of an auth file, each turned into a verifier once, at start-up. A mistake stops
// the start with one line naming the option (and the file's line), never quoting a
// password or a hash.
import { readFileSync } from 'node:fs'
import { OptionError } from '../../src/errors.js'
import { parseHash, plainVerifier, type Verifier } from './hashes.js'

export type Users = Map<string, Verifier>

// RFC 7617: a user-id holds no colon; neither holds a control character.
const CONTROL = /[\x00-\x1f\x7f]/ // eslint-disable-line no-control-regex

function checkUser (user: string, where: () => string, option: string): void {
  if (user === '') throw new OptionError(option, `${where()}: the user name is empty`)
  if (CONTROL.test(user)) throw new OptionError(option, `${where()}: the user name has a control character`)
}

function add (users: Users, user: string, verifier: Verifier, where: () => string, option: string): void {
  if (users.has(user)) throw new OptionError(option, `${where()}: user ${JSON.stringify(user)} is given twice`)
  users.set(user, verifier)
}

/** `user:password` entries (the password may hold colons). `option` names them in errors. */
export function addPlainUsers (users: Users, entries: readonly unknown[], option: string): Users {
  entries.forEach((entry, i) => {
    const where = (): string => `${option} entry ${i + 1}`
    if (typeof entry !== 'string') throw new OptionError(option, `${where()} must be a string user:password`)
    const colon = entry.indexOf(':')
    if (colon === -1) throw new OptionError(option, `${where()} must be user:password`)
    const password = entry.slice(colon + 1)
    checkUser(entry.slice(0, colon), where, option)
    if (password === '') throw new OptionError(option, `${where()}: the password is empty`)
    if (CONTROL.test(password)) throw new OptionError(option, `${where()}: the password has a control character`)
    add(users, entry.slice(0, colon), plainVerifier(password), where, option)
  })
  return users
}

/** The lines of an auth file: `user:hash`, blank lines and `#` comments. */
export function addFileUsers (users: Users, text: string, path: string, option: string): Users {
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) return
    const where = (): string => `${option} ${path} line ${i + 1}`
    const colon = line.indexOf(':')
    if (colon === -1) throw new OptionError(option, `${where()} must be user:hash`)
    const user = line.slice(0, colon)
    checkUser(user, where, option)
    const verifier = parseHash(line.slice(colon + 1))
    if (typeof verifier === 'string') throw new OptionError(option, `${where()}: ${verifier}`)
    add(users, user, verifier, where, option)
  })
  return users
}

/** Reads the auth file at `path` into `users`; an unreadable file is one line too. */
export function readUsersFile (users: Users, path: string, option: string): Users {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new OptionError(option, `${option} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  return addFileUsers(users, text, path, option)
}
