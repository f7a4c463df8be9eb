// Node's compile cache for the `servekit` command: V8's compiled code for the
// command's modules, kept on disk between starts (Node 22.1 and later; Node 20 has
// none and starts as before). Measured on Node 22.23: first answer 191 -> 159 ms
// (docs/performance.md, cold start). Kept in the user's own cache folder rather
// than Node's default under the shared temporary folder, where another user could
// leave code for this one to run. Node checks each entry against the source it was
// made from and its own version, so an edited or upgraded servekit is compiled anew.
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import nodeModule from 'node:module'

interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => unknown
  flushCompileCache?: () => void
}

// Typed here: @types/node for the oldest supported Node (20) lacks both.
const api = nodeModule as unknown as CompileCacheApi

/** `$XDG_CACHE_HOME/servekit/node-compile-cache`, else under `~/.cache`. */
export function compileCacheDir (env: NodeJS.ProcessEnv, home: string): string {
  const cache = env.XDG_CACHE_HOME
  const base = cache !== undefined && isAbsolute(cache) ? cache : join(home, '.cache')
  return join(base, 'servekit', 'node-compile-cache')
}

/**
 * Turns the cache on for every module loaded from now on. Node's own switches win:
 * NODE_COMPILE_CACHE names another folder, NODE_DISABLE_COMPILE_CACHE=1 turns it
 * off. A folder that cannot be made (a read-only home) only means no cache.
 */
export function enableCompileCache (env: NodeJS.ProcessEnv = process.env): void {
  if (api.enableCompileCache === undefined) return
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()
  try {
    api.enableCompileCache(compileCacheDir(env, home))
  } catch {
    // A start is never refused for want of a cache.
  }
}

/**
 * Writes what has been compiled so far (Node 22.10 and later). Node writes it at exit
 * otherwise, and a server that is killed never exits on its own.
 */
export function flushCompileCache (): void {
  try {
    api.flushCompileCache?.()
  } catch {
    // As above: the cache is only ever a saving.
  }
}
