// The session is the cookie itself: the user's name and an expiry, signed with
// @fastify/cookie's HMAC signer. Nothing is stored on the server, so any replica
// that shares the secret accepts it, and a restart with the same secret keeps it.
import { Signer } from '@fastify/cookie'

interface SessionClaims {
  /** User name. */
  sub: string
  /** Expiry, seconds since the epoch. Checked here too: a client can ignore Max-Age. */
  exp: number
}

export interface SessionCodec {
  /** The signed cookie value for `user`, valid for `maxAge` seconds from `now`. */
  issue: (user: string, now?: number) => string
  /** The user a cookie value stands for, or null when it is forged, altered or expired. */
  read: (cookie: string | undefined, now?: number) => string | null
}

function isClaims (value: unknown): value is SessionClaims {
  const claims = value as Partial<SessionClaims> | null
  return typeof claims?.sub === 'string' && typeof claims.exp === 'number'
}

export function sessionCodec (secret: string, maxAge: number): SessionCodec {
  const signer = new Signer(secret)
  return {
    issue (user, now = Date.now()) {
      const claims: SessionClaims = { sub: user, exp: Math.floor(now / 1000) + maxAge }
      return signer.sign(Buffer.from(JSON.stringify(claims)).toString('base64url'))
    },
    read (cookie, now = Date.now()) {
      if (cookie === undefined) return null
      const { valid, value } = signer.unsign(cookie)
      if (!valid || value === null) return null
      let claims: unknown
      try {
        claims = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
      } catch {
        return null
      }
      return isClaims(claims) && claims.exp > now / 1000 ? claims.sub : null
    }
  }
}
