// scripts/prune-dist.mjs: after a source is renamed or removed, what tsc built from it
// goes (tsc -b never deletes), and nothing built from a source that is there.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { makeTree } from './helpers/fixtures.js'
import { REPO } from './helpers/repo.js'

test('outputs of sources that are gone are removed, the others and the bundle are kept', async () => {
  const fixture = await makeTree({
    'src/kept.ts': 'export {}',
    'test/kept.test.ts': 'export {}',
    'dist/src/kept.js': '',
    'dist/src/kept.d.ts': '',
    'dist/src/kept.js.map': '',
    'dist/test/kept.test.js': '',
    'dist/src/gone.js': '',
    'dist/src/gone.d.ts': '',
    'dist/src/gone.js.map': '',
    'dist/src/gone.d.ts.map': '',
    'dist/test/renamed.test.js': '',
    'dist/test/helpers/old.js': '',
    'dist/cli/servekit.js': '',
    'dist/cli/chunk-ABC.js': '',
    'dist/.tsbuildinfo': '{}'
  })
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'scripts', 'prune-dist.mjs')], { cwd: fixture.dir })
    assert.equal(stdout, 'prune-dist: removed 6 output(s) of sources that are gone\n')
    const there = (path: string): boolean => existsSync(join(fixture.dir, path))
    for (const gone of ['dist/src/gone.js', 'dist/src/gone.d.ts', 'dist/src/gone.js.map', 'dist/src/gone.d.ts.map', 'dist/test/renamed.test.js', 'dist/test/helpers/old.js']) assert.equal(there(gone), false, gone)
    for (const kept of ['dist/src/kept.js', 'dist/src/kept.d.ts', 'dist/src/kept.js.map', 'dist/test/kept.test.js', 'dist/cli/servekit.js', 'dist/cli/chunk-ABC.js', 'dist/.tsbuildinfo']) assert.equal(there(kept), true, kept)
  } finally {
    await fixture.cleanup()
  }
})
