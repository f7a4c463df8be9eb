// Proves where an open descriptor really is. On Linux the kernel names the file a
// descriptor holds (/proc/self/fd/N), whatever happened to the path since: that name
// is the truth about what will be read. Elsewhere, the path is resolved and must
// lead to the same device and inode as the descriptor, the check the issue allows.
import { readlinkSync, realpath, stat, type Stats } from 'node:fs'
import { closeFd, fstatFd, openFd, readlinkPath } from './descriptor.js'

const DELETED = ' (deleted)'

function readlinkNow (link: string): string | null {
  try {
    return readlinkSync(link)
  } catch {
    return null
  }
}

/** The file was unlinked since it was opened (replaced by a rename, say): the path may name its successor. */
export const GONE = Symbol('gone')

export interface Verifier {
  /**
   * The real path of the file `fd` (stat-ed as `stats`, opened as `path`) holds; null when
   * it cannot be told. `warm` (the path was opened a moment ago): the same calls, made
   * synchronously where they can only be quick (procfs); the same answer either way.
   */
  realOf: (fd: number, stats: Stats, path: string, warm?: boolean) => Promise<string | null | typeof GONE>
  /** A path naming the folder open as `fd`, for reading and watching it without a second lookup by name. */
  folderPath: (fd: number, real: string) => string
  readonly procfs: boolean
}

const procVerifier: Verifier = {
  procfs: true,
  realOf: async (fd, stats, _path, warm = false) => {
    if (stats.nlink === 0) return GONE
    // A procfs readlink never waits on a disk: made here, it saves a round trip
    // through the thread pool, which wakes another CPU (60-80 µs of this thread's
    // time per call measured on a 2-vCPU VM, docs/cgi.md).
    const link = `/proc/self/fd/${fd}`
    const real = warm ? readlinkNow(link) : await readlinkPath(link).catch(() => null)
    // Unlinked since it was opened (replaced by a rename, say): the kernel's name then
    // ends in " (deleted)", and names nothing that could be served or run. A file
    // really named so still has links.
    if (real === null || !real.endsWith(DELETED)) return real
    const now = await fstatFd(fd).catch(() => undefined)
    return now !== undefined && now.nlink > 0 ? real : GONE
  },
  folderPath: (fd) => `/proc/self/fd/${fd}`
}

const pathVerifier: Verifier = {
  procfs: false,
  realOf: async (_fd, stats, path) => await new Promise((resolve) => {
    realpath.native(path, (error, real) => {
      if (error !== null) return resolve(null)
      stat(real, (statError, again) => {
        resolve(statError === null && again.dev === stats.dev && again.ino === stats.ino ? real : null)
      })
    })
  }),
  folderPath: (_fd, real) => real
}

/** The verifier this machine supports, probed on `root` (a real folder path). */
export async function chooseVerifier (root: string): Promise<Verifier> {
  let fd: number | undefined
  try {
    fd = await openFd(root, 0)
    return await readlinkPath(`/proc/self/fd/${fd}`) === root ? procVerifier : pathVerifier
  } catch {
    return pathVerifier
  } finally {
    if (fd !== undefined) closeFd(fd)
  }
}
