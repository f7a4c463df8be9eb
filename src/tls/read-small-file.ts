// Reads a file that should be small (a PEM file, a passphrase) and refuses one
// that is not, so a slip such as `--tls-cert /dev/zero` ends in an error, not a hang.
import { open } from 'node:fs/promises'
import { FileTooLargeError } from '../errors.js'

export { FileTooLargeError }

export async function readSmallFile (path: string, limit: number): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(limit + 1)
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) return buffer.toString('utf8', 0, length)
      length += bytesRead
    }
    throw new FileTooLargeError(`${path} is larger than ${limit} bytes`)
  } finally {
    await handle.close()
  }
}
