// Checks a name and password against the configured users in constant time, so
// response timing tells an attacker neither which names exist nor how much of a
// password matched.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

function digest (text: string | Buffer): Buffer {
  return createHash('sha256').update(text).digest()
}

export type CredentialCheck = (name: string, password: string) => boolean

export function credentialCheck (users: Readonly<Record<string, string>>): CredentialCheck {
  const known = new Map(Object.entries(users).map(([name, password]) => [name, digest(password)]))
  // Compared against for unknown names, so they cost the same as known ones.
  const decoy = digest(randomBytes(32))
  return (name, password) => {
    const expected = known.get(name)
    const matches = timingSafeEqual(digest(password), expected ?? decoy)
    return expected !== undefined && matches
  }
}
