// Credentials recently verified, so that a browser, which sends its Authorization
// header with every request, pays for bcrypt or scrypt once rather than on every
// image of a page. Keyed by an HMAC of the whole header under a key made at start-up:
// neither the password nor anything that could be checked against it offline is kept.
// Bounded: the least recently used goes first.
import { createHmac, randomBytes } from 'node:crypto'

export class VerifiedCredentials {
  readonly #key = randomBytes(32)
  readonly #users = new Map<string, string>()
  readonly #max: number

  constructor (max: number) {
    this.#max = max
  }

  #keyOf (header: string): string {
    return createHmac('sha256', this.#key).update(header).digest('base64')
  }

  /** The user whose header this is, if it was verified lately. */
  get (header: string): string | undefined {
    const key = this.#keyOf(header)
    const user = this.#users.get(key)
    if (user !== undefined) {
      this.#users.delete(key)
      this.#users.set(key, user)
    }
    return user
  }

  set (header: string, user: string): void {
    if (this.#max === 0) return
    const key = this.#keyOf(header)
    this.#users.delete(key)
    this.#users.set(key, user)
    if (this.#users.size > this.#max) this.#users.delete(this.#users.keys().next().value!)
  }
}
