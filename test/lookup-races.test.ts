// The file lookup attacked by a writer inside the served folder, and changed under it
// by an operator: what is served is what lies inside the root now, whatever races
// the request, with the lookup's caches on and off.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { closeSync, constants, copyFileSync, lstatSync, openSync, renameSync, symlinkSync } from 'node:fs'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { after, describe, test } from 'node:test'
import type { AppOptions } from '../src/app.js'
import { RECENT_CHANGE_MS } from '../src/lookup/policy.js'
import type { RunningServer } from '../src/server.js'
import { sh } from './helpers/cgi.js'
import { makeTree, type Fixture, type Tree } from './helpers/fixtures.js'
import { get } from './helpers/http.js'
import { describeBad, hammer, startSwapper, type Answer, type Hammered, type Probe, type SwapStep } from './helpers/race.js'
import { serve } from './helpers/server.js'
import { waitFor } from './helpers/wait.js'

// Long enough for hundreds of swaps and requests, short enough for 2 busy cores.
const RACE_MS = 1500
const RACE_MAX_REQUESTS = 2000

const MARKER = 'ZQX-OUTSIDE-SECRET-4e1b7d'
// The outside file is the marker at both ends, `~` between; the inside file of the
// same size is all `i`. A body with the marker or a run of `~` carries outside bytes,
// however a stat of one file and a read of the other were mixed.
function outsideBytes (size: number): string {
  return MARKER + '~'.repeat(size - 2 * MARKER.length) + MARKER
}
function insideBytes (size: number): string {
  return 'i'.repeat(size)
}
function leaks (answer: Answer): boolean {
  return answer.body.includes(MARKER) || answer.body.includes('~~~~')
}

type Mode = { id: string, name: string, options: Pick<AppOptions, 'lookupCache'> }
const MODES: Mode[] = [
  { id: 'cached', name: 'lookup cache on', options: {} },
  { id: 'plain', name: 'lookup cache off', options: { lookupCache: false } }
]

type Served = { fixture: Fixture, server: RunningServer, base: string }

async function serveTree (fixture: Fixture, options: AppOptions | ((fixture: Fixture) => AppOptions)): Promise<Served> {
  const server = await serve({ directory: fixture.path('root'), ...(typeof options === 'function' ? options(fixture) : options) })
  after(async () => { await server.close() })
  return { fixture, server, base: server.url }
}

/** A fresh tree (for the races: what changes all the time is never cached anyway). */
async function setUp (tree: Tree, options: AppOptions | ((fixture: Fixture) => AppOptions) = {}): Promise<Served> {
  const fixture = await makeTree(tree)
  let served: Served
  try {
    served = await serveTree(fixture, options)
  } catch (error) {
    await fixture.cleanup()
    throw error
  }
  // After the server has closed (hooks run in the order they were added).
  after(async () => { await fixture.cleanup() })
  return served
}

// A cache may refuse to keep what changed within the file system's clock tick, so a
// test of what a cache must not keep needs files older than that: these trees are
// made when their suite is defined, and waited on (if need be) until old enough.
interface EarlyTree { fixture: Fixture, madeAt: number }
const earlyTrees: Array<Promise<EarlyTree>> = []
after(async () => { for (const made of earlyTrees) await (await made).fixture.cleanup() })

function earlyTree (tree: Tree): Promise<EarlyTree> {
  const made = makeTree(tree).then((fixture) => ({ fixture, madeAt: Date.now() }))
  earlyTrees.push(made)
  return made
}

async function setUpEarly (tree: Promise<EarlyTree>, options: AppOptions | ((fixture: Fixture) => AppOptions) = {}): Promise<Served> {
  const { fixture, madeAt } = await tree
  await waitFor(() => Date.now() - madeAt > RECENT_CHANGE_MS + 500, 'the tree to be older than a cache waits for', RECENT_CHANGE_MS + 5000)
  return await serveTree(fixture, options)
}

/** Hammers `probes` while `steps` swap, then puts the inside state back with `restore`. */
async function race (port: number, steps: SwapStep[], probes: Probe[], restore: () => void): Promise<{ result: Hammered, cycles: number }> {
  const swapper = startSwapper(steps, RACE_MS)
  try {
    const result = await hammer(port, probes, { stop: swapper.ended, max: RACE_MAX_REQUESTS, bad: leaks })
    const { cycles } = await swapper.done
    return { result, cycles }
  } finally {
    await swapper.stop()
    restore()
  }
}

for (const mode of MODES) {
  describe(`${mode.name}: a file swapped with a symlink out of the root`, () => {
    for (const [what, size] of [['small', 1024], ['big', 200 * 1024]] as const) {
      test(`${what} (${size / 1024} KiB): never a byte of the outside file, and nothing poisoned after`, async (t) => {
        const { fixture, server, base } = await setUp({
          'root/r.txt': insideBytes(size),
          'work/inside.txt': insideBytes(size),
          'outside/secret.txt': outsideBytes(size)
        }, mode.options)
        const work = fixture.path('work')
        const target = fixture.path('root', 'r.txt')
        const steps: SwapStep[] = [
          { symlink: '../outside/secret.txt', via: `${work}/link`, to: target },
          { copy: `${work}/inside.txt`, via: `${work}/copy`, to: target }
        ]
        const probes: Probe[] = [
          { path: '/r.txt' },
          { path: '/r.txt', headers: { range: 'bytes=0-99' } },
          { path: '/r.txt', headers: { range: 'bytes=-100' } },
          { path: '/r.txt', headers: { range: 'bytes=0-40,-40' } }
        ]
        const { result, cycles } = await race(server.port, steps, probes, () => {
          copyFileSync(`${work}/inside.txt`, `${work}/copy`)
          renameSync(`${work}/copy`, target)
        })
        t.diagnostic(`${cycles} swap cycles, ${result.total} answers ${JSON.stringify(result.statuses)}`)
        assert.ok(cycles > 10, `the swapper ran ${cycles} cycles`)
        assert.equal(result.badCount, 0, `outside bytes served: ${describeBad(result)}`)

        for (let i = 0; i < 10; i++) {
          const res = await get(base, '/r.txt')
          assert.equal(res.status, 200, `request ${i + 1} after the race`)
          assert.equal(res.text, insideBytes(size), `request ${i + 1} after the race`)
        }
      })
    }
  })

  describe(`${mode.name}: a folder swapped with a symlink to an outside folder`, () => {
    test('neither its files nor its names from outside are ever served, and nothing poisoned after', async (t) => {
      const size = 2048
      const { fixture, server, base } = await setUp({
        'root/d/f.txt': insideBytes(size),
        'root/d/inside-only.txt': 'in\n',
        'work/dlink': { symlink: '../outside' },
        'outside/f.txt': outsideBytes(size),
        [`outside/${MARKER}.txt`]: 'a name that must never be listed\n'
      }, mode.options)
      const d = fixture.path('root', 'd')
      const aside = fixture.path('work', 'dreal')
      const link = fixture.path('work', 'dlink')
      const steps: SwapStep[] = [
        { rename: d, to: aside },
        { rename: link, to: d },
        { rename: d, to: link },
        { rename: aside, to: d }
      ]
      const probes: Probe[] = [
        { path: '/d/f.txt' },
        { path: '/d/' },
        { path: '/d/?format=json' },
        { path: '/d/f.txt', headers: { range: 'bytes=-100' } }
      ]
      const { result, cycles } = await race(server.port, steps, probes, () => {
        if (lstatSync(d, { throwIfNoEntry: false })?.isSymbolicLink() === true) renameSync(d, link)
        if (lstatSync(aside, { throwIfNoEntry: false }) !== undefined) renameSync(aside, d)
      })
      t.diagnostic(`${cycles} swap cycles, ${result.total} answers ${JSON.stringify(result.statuses)}`)
      assert.ok(cycles > 10, `the swapper ran ${cycles} cycles`)
      assert.equal(result.badCount, 0, `outside bytes or names served: ${describeBad(result)}`)

      for (let i = 0; i < 10; i++) {
        const file = await get(base, '/d/f.txt')
        assert.equal(file.text, insideBytes(size), `file request ${i + 1} after the race`)
        const html = await get(base, '/d/')
        assert.equal(html.status, 200)
        assert.ok(html.text.includes('inside-only.txt') && !html.text.includes(MARKER), `HTML listing ${i + 1} after the race`)
        const json = await get(base, '/d/?format=json')
        assert.ok(json.text.includes('inside-only.txt') && !json.text.includes(MARKER), `JSON listing ${i + 1} after the race`)
      }
    })
  })

  describe(`${mode.name}: a symlinked folder re-pointed (current -> releases/vN)`, () => {
    // Over WHOLE_FILE_BYTES: it streams from its descriptor.
    const BIG = 400 * 1024
    const tree: Tree = {
      'root/releases/v1/app.js': 'v1 app\n',
      'root/releases/v1/big.bin': '1'.repeat(BIG),
      'root/releases/v1/only-v1.txt': '',
      'root/releases/v2/app.js': 'v2 app, longer\n',
      'root/releases/v2/big.bin': '2'.repeat(BIG + 1000),
      'root/releases/v2/only-v2.txt': '',
      'root/current': { symlink: 'releases/v1' }
    }
    const names = async (base: string): Promise<string[]> => {
      const res = await get(base, '/current/?format=json')
      return res.status === 200 ? (JSON.parse(res.text) as { entries: Array<{ name: string }> }).entries.map((e) => e.name) : [`status ${res.status}`]
    }
    async function servesV1 (base: string): Promise<void> {
      // Twice each, so that a cache has seen it.
      for (let i = 0; i < 2; i++) {
        assert.equal((await get(base, '/current/app.js')).text, 'v1 app\n')
        assert.equal((await get(base, '/current/big.bin')).text, '1'.repeat(BIG))
        assert.ok((await names(base)).includes('only-v1.txt'))
      }
    }

    const lnTree = earlyTree(tree)
    test('ln -sfn releases/v2 current: the very next requests serve v2', async () => {
      const { fixture, base } = await setUpEarly(lnTree, mode.options)
      await servesV1(base)
      // What `ln -sfn` does at best, atomically: a new link renamed over the old one.
      symlinkSync('releases/v2', fixture.path('current.new'))
      renameSync(fixture.path('current.new'), fixture.path('root', 'current'))
      assert.equal((await get(base, '/current/app.js')).text, 'v2 app, longer\n')
      assert.equal((await get(base, '/current/big.bin')).text, '2'.repeat(BIG + 1000))
      const listed = await names(base)
      assert.ok(listed.includes('only-v2.txt') && !listed.includes('only-v1.txt'), `listed ${listed.join(', ')}`)
    })

    const rmTree = earlyTree(tree)
    test('rm current: the very next requests are 404', async () => {
      const { fixture, base } = await setUpEarly(rmTree, mode.options)
      await servesV1(base)
      await rm(fixture.path('root', 'current'))
      assert.equal((await get(base, '/current/app.js')).status, 404)
      assert.equal((await get(base, '/current/big.bin')).status, 404)
      assert.equal((await get(base, '/current/')).status, 404)
    })
  })

  describe(`${mode.name}: changes are honoured from the next request`, () => {
    // Over WHOLE_FILE_BYTES: it streams from its descriptor.
    const BIG = 400 * 1024
    async function warmed (name: string, base: string, expected: string): Promise<void> {
      for (let i = 0; i < 2; i++) assert.equal((await get(base, `/${name}`)).text, expected)
    }

    const chmodTree = earlyTree({ 'root/r.txt': 'readable\n' })
    test('chmod 000: 403', { skip: process.getuid?.() === 0 && 'root ignores file modes' }, async () => {
      const { fixture, base } = await setUpEarly(chmodTree, mode.options)
      await warmed('r.txt', base, 'readable\n')
      await chmod(fixture.path('root', 'r.txt'), 0o000)
      assert.equal((await get(base, '/r.txt')).status, 403)
    })

    for (const [what, content] of [['small', 'small file\n'], ['big', 'b'.repeat(BIG)]] as const) {
      const deletedTree = earlyTree({ 'root/r.txt': content })
      test(`${what} file deleted: 404`, async () => {
        const { fixture, base } = await setUpEarly(deletedTree, mode.options)
        await warmed('r.txt', base, content)
        await rm(fixture.path('root', 'r.txt'))
        assert.equal((await get(base, '/r.txt')).status, 404)
      })

      const overwrittenTree = earlyTree({ 'root/r.txt': content })
      test(`${what} file overwritten with content of another size: the new bytes`, async () => {
        const { fixture, base } = await setUpEarly(overwrittenTree, mode.options)
        await warmed('r.txt', base, content)
        const next = content.toUpperCase() + 'and more\n'
        await writeFile(fixture.path('root', 'r.txt'), next)
        const res = await get(base, '/r.txt')
        assert.equal(res.text, next)
        assert.equal(res.headers['content-length'], String(next.length))
      })

      const folderTree = earlyTree({ 'root/r.txt': content })
      test(`${what} file replaced by a folder: the folder's redirect, not the old bytes`, async () => {
        const { fixture, base } = await setUpEarly(folderTree, mode.options)
        await warmed('r.txt', base, content)
        await rm(fixture.path('root', 'r.txt'))
        await mkdir(fixture.path('root', 'r.txt'))
        const res = await get(base, '/r.txt')
        assert.equal(res.status, 301)
        assert.equal(res.headers.location, '/r.txt/')
      })
    }

    const fifoTree = earlyTree({ 'root/r.txt': 'plain\n' })
    test('a file replaced by a FIFO: 404 at once, never a hang', async () => {
      const { fixture, base } = await setUpEarly(fifoTree, mode.options)
      const path = fixture.path('root', 'r.txt')
      // A reader blocked on open(2) of a FIFO would hold a thread of the pool (and
      // this test process) until a writer comes: open one for each, if any.
      after(() => {
        for (let i = 0; i < 8; i++) {
          try { closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)) } catch { break }
        }
      })
      await warmed('r.txt', base, 'plain\n')
      await rm(path)
      execFileSync('mkfifo', [path])
      const started = Date.now()
      const res = await Promise.race([
        get(base, '/r.txt'),
        new Promise<never>((_resolve, reject) => { setTimeout(() => { reject(new Error('no answer within 3 s')) }, 3000).unref() })
      ])
      assert.equal(res.status, 404)
      // A FIFO opened without O_NONBLOCK blocks until the 3 s race above gives up.
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`)
    })
  })
}

describe('the listing cache proves its watch', () => {
  const LISTING_MODES: Mode[] = [
    // Kept for an hour without a watch event: only the watch can make these pass.
    { id: 'cached-1h', name: 'lookup cache on, max age 1 h', options: { lookupCache: { maxAgeMs: 3_600_000 } } },
    { id: 'plain', name: 'lookup cache off', options: { lookupCache: false } }
  ]
  const sizeOf = async (base: string, name: string): Promise<number | undefined> => {
    const res = await get(base, '/w/?format=json')
    return (JSON.parse(res.text) as { entries: Array<{ name: string, size: number }> }).entries.find((e) => e.name === name)?.size
  }

  for (const mode of LISTING_MODES) {
    const overwriteTree = earlyTree({ 'root/w/a.txt': 'ten bytes\n', 'root/w/b.txt': 'b\n' })
    test(`${mode.name}: a file overwritten with another size (the folder's times unchanged) shows within 5 s`, async () => {
      const { fixture, base } = await setUpEarly(overwriteTree, mode.options)
      assert.equal(await sizeOf(base, 'a.txt'), 10)
      assert.equal(await sizeOf(base, 'a.txt'), 10)
      await writeFile(fixture.path('root', 'w', 'a.txt'), 'x'.repeat(5000))
      await waitFor(async () => await sizeOf(base, 'a.txt') === 5000, 'the listing to show the new size', 5000)
    })

    const addTree = earlyTree({ 'root/w/a.txt': 'a\n' })
    test(`${mode.name}: a file added or removed shows on the next request`, async () => {
      const { fixture, base } = await setUpEarly(addTree, mode.options)
      assert.equal(await sizeOf(base, 'new.txt'), undefined)
      await writeFile(fixture.path('root', 'w', 'new.txt'), 'new\n')
      assert.equal(await sizeOf(base, 'new.txt'), 4)
      await rm(fixture.path('root', 'w', 'a.txt'))
      assert.equal(await sizeOf(base, 'a.txt'), undefined)
      const html = await get(base, '/w/')
      assert.ok(html.text.includes('new.txt') && !html.text.includes('a.txt'))
    })
  }
})

for (const mode of MODES) {
  describe(`${mode.name}: CGI`, () => {
    const SOURCE = 'SOURCE-MARKER-91c2'
    const SCRIPT = sh(`# ${SOURCE}\nprintf 'Content-Type: text/plain\\n\\nran\\n'`)

    const guardTree = earlyTree({
      'root/scripts/x.sh': SCRIPT,
      'root/scripts/sub/y.sh': SCRIPT,
      'root/alias': { symlink: 'scripts' },
      'root/x-link.sh': { symlink: 'scripts/x.sh' },
      'root/page.txt': 'page\n'
    })
    test('with the CGI folder inside the served one, a script is never served as a file, by any path', async () => {
      const { base } = await setUpEarly(guardTree, (fixture) => ({ ...mode.options, cgi: true, cgiDir: fixture.path('root', 'scripts') }))
      for (const path of ['/scripts/x.sh', '/scripts/sub/y.sh', '/alias/x.sh', '/x-link.sh', '/scripts/x.sh?format=json']) {
        const res = await get(base, path)
        assert.equal(res.status, 404, path)
        assert.ok(!res.text.includes(SOURCE), `${path} showed the source`)
      }
      for (const path of ['/scripts/', '/alias/', '/scripts/?format=json']) {
        const res = await get(base, path)
        assert.ok(!res.text.includes('x.sh'), `${path} listed the scripts`)
      }
      // The scripts still run where they are mounted, and the rest is still served.
      assert.equal((await get(base, '/cgi-bin/x.sh')).text, 'ran\n')
      assert.equal((await get(base, '/page.txt')).text, 'page\n')
    })

    test('a script swapped with a symlink to /bin/sh: the body is never run as a shell script', async (t) => {
      const { fixture, server, base } = await setUp({
        'root/cgi-bin/x.sh': sh("printf 'Content-Type: text/plain\\n\\nsafe\\n'"),
        'work/x.sh': sh("printf 'Content-Type: text/plain\\n\\nsafe\\n'")
      }, { ...mode.options, cgi: true })
      const work = fixture.path('work')
      const target = fixture.path('root', 'cgi-bin', 'x.sh')
      const steps: SwapStep[] = [
        { symlink: '/bin/sh', via: `${work}/link`, to: target },
        { link: `${work}/x.sh`, via: `${work}/copy`, to: target }
      ]
      const probes: Probe[] = [{ path: '/cgi-bin/x.sh', method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'echo Content-Type: text/plain; echo; echo PWNED\n' }]
      // Runs until the 400 requests are done (each starts a process: slower than a file).
      // Swapping by hard link, as tight as a swap gets, the old check-then-exec-by-path
      // ran /bin/sh on the body in 10 of 398 requests with one client, 29 of 1,888 with four.
      const swapper = startSwapper(steps, 20 * RACE_MS)
      let result
      try {
        result = await hammer(server.port, probes, { stop: swapper.ended, max: 400, bad: (answer) => answer.body.includes('PWNED') })
      } finally {
        await swapper.stop()
        copyFileSync(`${work}/x.sh`, `${work}/copy`)
        renameSync(`${work}/copy`, target)
      }
      t.diagnostic(`${result.total} answers ${JSON.stringify(result.statuses)}`)
      assert.equal(result.total, 400)
      assert.equal(result.badCount, 0, `/bin/sh ran the body: ${describeBad(result)}`)
      const after = await get(base, '/cgi-bin/x.sh', { method: 'POST', body: 'echo PWNED' })
      assert.equal(after.text, 'safe\n')
    })
  })
}
