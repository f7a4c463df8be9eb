// Counting this process's open descriptors, to show that what a request opened went back.
import { readdirSync, readlinkSync } from 'node:fs'

/**
 * Open descriptors, but the inotify instance: the process's one comes and goes with its
 * watches (libuv closes it with the last on some Node versions), and no request holds it.
 */
export function openDescriptors (): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify'
    } catch {
      return false
    }
  }).length
}
