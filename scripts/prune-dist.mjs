// Removes what tsc built from sources that are gone. `tsc -b` writes outputs but never
// deletes them: after a rename or a removal the old dist/test/x.test.js still ran
// in `npm test` (which globs dist/test/*.test.js), and an old module could still be
// imported. Each of dist/{src,plugins,routes,test,bench} mirrors its source folder;
// dist/cli is the bundle, remade whole by bundle-cli.mjs.
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { join, relative } from 'node:path'

const FOLDERS = ['src', 'plugins', 'routes', 'test', 'bench']
// What tsc makes of one source file, and the source extensions it may come from.
const OUTPUT = /\.(js|d\.ts|js\.map|d\.ts\.map)$/
const SOURCES = ['.ts', '.mts', '.cts', '.tsx']

async function * files (dir) {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield * files(path)
    else yield path
  }
}

let removed = 0
for (const folder of FOLDERS) {
  for await (const output of files(join('dist', folder))) {
    const stem = relative('dist', output).replace(OUTPUT, '')
    if (stem === relative('dist', output)) continue
    if (SOURCES.some((ext) => existsSync(stem + ext))) continue
    await rm(output)
    removed++
  }
}
if (removed > 0) console.log(`prune-dist: removed ${removed} output(s) of sources that are gone`)
