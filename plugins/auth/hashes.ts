// Password hashes servekit accepts in an auth file, and how each is checked.
//
// bcrypt (`$2a$`, `$2b$`, `$2y$`: what `htpasswd -nbB user` writes) through
// bcryptjs, pure JavaScript. scrypt through node:crypto, in a PHC-style string:
//
//   $scrypt$ln=15,r=8,p=1$<salt>$<hash>
//
// ln is log2 of the cost N, r the block size, p the parallelism; salt and hash are
// base64 without padding (the hash's length is the key length, 32 bytes from
// `hashPassword`). A password given on the command line is kept only as its
// SHA-256, compared in constant time.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import bcrypt from 'bcryptjs'

export type Verifier =
  | { scheme: 'plain', digest: Buffer }
  | { scheme: 'bcrypt', hash: string }
  | { scheme: 'scrypt', ln: number, r: number, p: number, salt: Buffer, hash: Buffer }

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/
const SCRYPT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
// Bounds that keep one check within a second or so, and its memory (128·N·r bytes) within
// 256 MiB, so the two checks that may run at once stay within 512 MiB (ln 15, r 8: 32 MiB).
const SCRYPT_MEMORY_MAX = 256 * 1024 * 1024
const SCRYPT_LN_MAX = 20
const SCRYPT_R_MAX = 32
const SCRYPT_P_MAX = 16
const BCRYPT_COST_MAX = 16

function sha256 (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

export function plainVerifier (password: string): Verifier {
  return { scheme: 'plain', digest: sha256(password) }
}

/** The verifier a hash stands for, or a sentence saying why it is none (never quoting it). */
export function parseHash (text: string): Verifier | string {
  const bcryptMatch = BCRYPT.exec(text)
  if (bcryptMatch !== null) {
    const cost = Number(bcryptMatch[1])
    if (cost < 4 || cost > BCRYPT_COST_MAX) return `the bcrypt cost must be from 4 to ${BCRYPT_COST_MAX}`
    return { scheme: 'bcrypt', hash: text }
  }
  const scryptMatch = SCRYPT.exec(text)
  if (scryptMatch !== null) {
    const [ln, r, p] = [Number(scryptMatch[1]), Number(scryptMatch[2]), Number(scryptMatch[3])]
    if (ln < 1 || ln > SCRYPT_LN_MAX || r < 1 || r > SCRYPT_R_MAX || p < 1 || p > SCRYPT_P_MAX) {
      return `scrypt parameters must be ln 1-${SCRYPT_LN_MAX}, r 1-${SCRYPT_R_MAX}, p 1-${SCRYPT_P_MAX}`
    }
    if (128 * 2 ** ln * r > SCRYPT_MEMORY_MAX) return `scrypt parameters ln ${ln}, r ${r} would take ${128 * 2 ** ln * r / 1024 ** 2} MiB per check; at most ${SCRYPT_MEMORY_MAX / 1024 ** 2} MiB (128 × 2^ln × r bytes)`
    const salt = Buffer.from(scryptMatch[4]!, 'base64')
    const hash = Buffer.from(scryptMatch[5]!, 'base64')
    if (salt.length < 8 || hash.length < 16 || hash.length > 64) return 'a scrypt salt must have 8 bytes or more and its hash 16 to 64'
    return { scheme: 'scrypt', ln, r, p, salt, hash }
  }
  if (text.startsWith('$2')) return 'this is not a well-formed bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)'
  if (text.startsWith('$scrypt$')) return 'this is not a well-formed scrypt hash ($scrypt$ln=N,r=N,p=N$salt$hash)'
  return 'the password is not hashed: use bcrypt (htpasswd -nbB USER) or scrypt ($scrypt$…); plain-text passwords are refused'
}

async function scryptKey (password: string, v: Extract<Verifier, { scheme: 'scrypt' }>): Promise<Buffer> {
  const N = 2 ** v.ln
  return await new Promise((resolve, reject) => {
    scrypt(password, v.salt, v.hash.length, { N, r: v.r, p: v.p, maxmem: 256 * N * v.r + 1024 * 1024 }, (error, key) => {
      error === null ? resolve(key) : reject(error)
    })
  })
}

/** Whether `password` matches, taking the same time for any wrong password of the same length. */
export async function verifyPassword (password: string, verifier: Verifier): Promise<boolean> {
  switch (verifier.scheme) {
    case 'plain':
      // Fixed-length digests: the comparison's time says nothing of the length or the prefix.
      return timingSafeEqual(sha256(password), verifier.digest)
    case 'bcrypt':
      return await bcrypt.compare(password, verifier.hash)
    case 'scrypt':
      return timingSafeEqual(await scryptKey(password, verifier), verifier.hash)
  }
}

function base64 (bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '')
}

/** A scrypt hash of `password` for an auth file line (`user:` followed by it). ln 15 takes ~0.1 s and 32 MiB. */
export async function hashPassword (password: string, options: { ln?: number, r?: number, p?: number } = {}): Promise<string> {
  const { ln = 15, r = 8, p = 1 } = options
  const salt = randomBytes(16)
  const key = await scryptKey(password, { scheme: 'scrypt', ln, r, p, salt, hash: Buffer.alloc(32) })
  return `$scrypt$ln=${ln},r=${r},p=${p}$${base64(salt)}$${base64(key)}`
}
