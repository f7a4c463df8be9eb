// Replaces a file so that a reader sees the old content or the new, never a part:
// two servers starting at once may both write the cache, and whichever renames
// last wins whole.
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'

export async function writeFileAtomic (path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      // The mode given to open is reduced by the umask; the key must be exactly this.
      await handle.chmod(mode)
      await handle.writeFile(data)
      // Without it, a crash soon after the rename can leave an empty file on some file systems.
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
