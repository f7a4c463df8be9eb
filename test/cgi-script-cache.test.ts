// Scripts found once are remembered by URL path, so a repeat request skips the
// realpath walk; a remembered script counts only while its path still leads to
// the same file.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { waitFor } from './helpers/wait.js'
import { get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { sh } from './helpers/cgi.js'
import type { RunningServer } from '../src/server.js'

const say = (word: string): string => `#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n${word}'\n`

let fixture: Fixture
let server: RunningServer

before(async () => {
  fixture = await makeTree({
    'outside.sh': sh("printf 'Content-Type: text/plain\\n\\noutside'"),
    'cgi-bin/swapped.sh': sh("printf 'Content-Type: text/plain\\n\\nfirst'"),
    'cgi-bin/linked.sh': sh("printf 'Content-Type: text/plain\\n\\ninside'"),
    'cgi-bin/gone.sh': sh("printf 'Content-Type: text/plain\\n\\nhere'"),
    'cgi-bin/sub/deep.sh': sh("printf 'Content-Type: text/plain\\n\\ndeep'"),
    'cgi-bin/hot.sh': sh("printf 'Content-Type: text/plain\\n\\ninside'"),
    'cgi-bin/hot-mode.sh': sh("printf 'Content-Type: text/plain\\n\\nrunnable'"),
    'cgi-bin/deeper/hot/deep.sh': sh("printf 'Content-Type: text/plain\\n\\ntwo-down'")
  })
  server = await serve({ directory: fixture.dir, cgi: true })
})

after(async () => {
  await server.close()
  await fixture.cleanup()
})

async function text (path: string): Promise<{ status: number, text: string }> {
  const res = await get(server.url, path)
  return { status: res.status, text: res.text }
}

test('a script replaced by another file runs the new one', async () => {
  assert.deepEqual(await text('/cgi-bin/swapped.sh'), { status: 200, text: 'first' })
  await writeFile(fixture.path('cgi-bin/swapped.new'), say('second'))
  await chmod(fixture.path('cgi-bin/swapped.new'), 0o755)
  await rename(fixture.path('cgi-bin/swapped.new'), fixture.path('cgi-bin/swapped.sh'))
  assert.deepEqual(await text('/cgi-bin/swapped.sh'), { status: 200, text: 'second' })
})

test('a remembered script swapped for a symlink out of the folder is refused, not run', async () => {
  assert.deepEqual(await text('/cgi-bin/linked.sh'), { status: 200, text: 'inside' })
  await rm(fixture.path('cgi-bin/linked.sh'))
  await symlink('../outside.sh', fixture.path('cgi-bin/linked.sh'))
  const res = await text('/cgi-bin/linked.sh')
  assert.equal(res.status, 404)
  assert.doesNotMatch(res.text, /outside/)
})

test('a remembered folder on the way swapped for a symlink out of the folder is refused', async () => {
  assert.deepEqual(await text('/cgi-bin/sub/deep.sh'), { status: 200, text: 'deep' })
  await rename(fixture.path('cgi-bin/sub'), fixture.path('moved-out'))
  await symlink('../moved-out', fixture.path('cgi-bin/sub'))
  const res = await text('/cgi-bin/sub/deep.sh')
  assert.equal(res.status, 404)
  assert.doesNotMatch(res.text, /deep/)
})

test('a remembered script that was deleted is 404', async () => {
  assert.deepEqual(await text('/cgi-bin/gone.sh'), { status: 200, text: 'here' })
  await rm(fixture.path('cgi-bin/gone.sh'))
  assert.equal((await text('/cgi-bin/gone.sh')).status, 404)
})

test('PATH_INFO after a remembered script is still split off', async () => {
  await writeFile(fixture.path('cgi-bin/info.sh'), '#!/bin/sh\nprintf \'Content-Type: text/plain\\n\\n%s|%s\' "$SCRIPT_NAME" "$PATH_INFO"\n')
  await chmod(fixture.path('cgi-bin/info.sh'), 0o755)
  assert.deepEqual(await text('/cgi-bin/info.sh/a'), { status: 200, text: '/cgi-bin/info.sh|/a' })
  assert.deepEqual(await text('/cgi-bin/info.sh/b/c/'), { status: 200, text: '/cgi-bin/info.sh|/b/c/' })
  assert.deepEqual(await text('/cgi-bin/info.sh'), { status: 200, text: '/cgi-bin/info.sh|' })
})

// Hot: remembered, then confirmed by a stat made after the folders' watches began,
// so the requests after run with no stat at all until a watch reports a change.
async function makeHot (path: string, body: string): Promise<void> {
  for (let i = 0; i < 3; i++) assert.deepEqual(await text(path), { status: 200, text: body })
}

/** Requests `path` until it answers `status`; no answer on the way may contain `forbidden`. */
async function until (path: string, status: number, forbidden: RegExp): Promise<void> {
  await waitFor(async () => {
    const res = await get(server.url, path)
    assert.doesNotMatch(res.text, forbidden)
    return res.status === status
  }, `${path} to answer ${status}`)
}

test('a hot script swapped for a symlink out of the folder is refused once the watch reports it, and never runs outside', async () => {
  await makeHot('/cgi-bin/hot.sh', 'inside')
  await rm(fixture.path('cgi-bin/hot.sh'))
  await symlink('../outside.sh', fixture.path('cgi-bin/hot.sh'))
  await until('/cgi-bin/hot.sh', 404, /outside/)
})

test('a hot script two folders down is refused once a folder on the way is swapped for a symlink', async () => {
  await makeHot('/cgi-bin/deeper/hot/deep.sh', 'two-down')
  await rename(fixture.path('cgi-bin/deeper'), fixture.path('deeper-moved-out'))
  await symlink('../deeper-moved-out', fixture.path('cgi-bin/deeper'))
  await until('/cgi-bin/deeper/hot/deep.sh', 404, /two-down/)
})

test('a hot script made non-executable is 403 once the watch reports it', async () => {
  await makeHot('/cgi-bin/hot-mode.sh', 'runnable')
  await chmod(fixture.path('cgi-bin/hot-mode.sh'), 0o644)
  await until('/cgi-bin/hot-mode.sh', 403, /runnable/)
})
