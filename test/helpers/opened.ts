// What a lookup opened, used and let go however the use ends.
import type { Lookup, Opened } from '../../src/lookup/index.js'

export async function withOpened<T> (lookup: Lookup, segments: string[], use: (opened: Opened) => Promise<T>): Promise<T> {
  const opened = await lookup.open(segments)
  try {
    return await use(opened)
  } finally {
    opened.descriptor.release()
  }
}
