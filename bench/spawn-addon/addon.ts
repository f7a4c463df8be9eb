// Loads the posix_spawn prototype (spawn.c, built by build.sh) when it has been
// built, from the source tree or from dist/: the way an optional accelerator is
// found, with `undefined` telling the caller to fall back to child_process.spawn.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export interface SpawnedChild {
  pid: number
  /** The parent's end of the child's stdout, close-on-exec; the caller closes it. */
  stdoutFd: number
  /** The parent's end of its stderr, or -1 when stderr went to /dev/null. */
  stderrFd: number
}

export type OnExit = (code: number | null, signal: NodeJS.Signals | null) => void

export interface SpawnAddon {
  /** Throws an Error with `code` ('ENOENT', 'EACCES', ...) when the child cannot start. */
  spawn: (file: string, argv: readonly string[], envp: readonly string[], cwd: string | null, onExit: OnExit, pipeStderr?: boolean) => SpawnedChild
}

// bench/spawn-addon/addon.ts runs from source; dist/bench/spawn-addon/addon.js is compiled.
const CANDIDATES = ['./build/spawn.node', '../../../bench/spawn-addon/build/spawn.node']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))

export const ADDON_PATH = CANDIDATES.find((file) => existsSync(file))

export function loadSpawnAddon (): SpawnAddon | undefined {
  if (ADDON_PATH === undefined) return undefined
  return createRequire(import.meta.url)(ADDON_PATH) as SpawnAddon
}

/** `{ NAME: value }` as the `NAME=value` strings execve takes; unset values dropped. */
export function envPairs (env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([name, value]) => value === undefined ? [] : [`${name}=${value}`])
}
