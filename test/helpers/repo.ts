// Where the checkout is and where the code under test lives, so the suite runs the
// same compiled (dist/test/*.test.js) or from the TypeScript sources (test/*.test.ts,
// with src/run-from-source.mjs on a Node that strips types).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FROM_SOURCE = import.meta.url.endsWith('.ts')

function checkout (): string {
  // dist/ has no package.json: the first folder up that has one is the checkout.
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  throw new Error('no package.json above the tests')
}

/** The checkout: package.json, README.md, bench/assets, cgi-bin. */
export const REPO = checkout()

/** A module of the code under test by its source path without extension: `src/cli`. */
export function code (path: string): string {
  return FROM_SOURCE ? join(REPO, `${path}.ts`) : join(REPO, 'dist', `${path}.js`)
}

/** What `node` needs before a module of `code()`: the source hook when run from source. */
export const NODE_ARGS: readonly string[] = FROM_SOURCE ? ['--import', join(REPO, 'src', 'run-from-source.mjs')] : []
