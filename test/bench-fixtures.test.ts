// What the benchmark serves: the spec issue 7 asks for, and the generator on a tiny spec.
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BENCH_SPEC, entryContent, entryName, FIXTURES, specFor, type FixtureSpec } from '../bench/fixture-spec.js'
import { generateFixtures, type FixturePaths } from '../bench/fixtures.js'
import { REPO } from './helpers/repo.js'

const ASSETS = join(REPO, 'bench', 'assets') + '/'

describe('the bench fixture spec', () => {
  it('has the 1 KiB, 100 KiB and 64 MiB files', () => {
    assert.deepEqual(BENCH_SPEC.files.map(({ path, size }) => [path, size]), [
      [FIXTURES.file1k, 1024], [FIXTURES.file100k, 102_400], [FIXTURES.file64m, 67_108_864]
    ])
  })

  it('has folders of 1,000 and 10,000 entries', () => {
    assert.deepEqual(BENCH_SPEC.folders.map(({ count }) => count), [1_000, 10_000])
  })

  it('serves the 100 KiB JavaScript asset, hello.sh and the tutorial hello.py as executable CGI scripts, and keeps the Python servers out of the root', () => {
    assert.deepEqual(BENCH_SPEC.served.map(({ path, mode }) => [path, mode]), [['app-100k.js', 0o644], ['cgi-bin/hello.sh', 0o755], ['cgi-bin/hello.py', 0o755]])
    assert.deepEqual(BENCH_SPEC.tools.map(({ path }) => path), ['webapp.py', 'secure_server.py'])
  })

  it('names entries so that text order is numeric order', () => {
    const names = Array.from({ length: 1000 }, (_, index) => entryName(index, 1000))
    assert.equal(names[0], 'file-000.txt')
    assert.equal(names[999], 'file-999.txt')
    assert.deepEqual([...names].sort(), names)
    assert.equal(entryName(7, 10_000), 'file-0007.txt')
  })
})

describe('fixture generation', () => {
  const spec: FixtureSpec = {
    files: [{ path: 'small.bin', size: 10 }, { path: 'deep/two-chunks.bin', size: 1024 * 1024 + 5 }],
    folders: [{ path: 'many', count: 12 }],
    served: [{ path: 'cgi-bin/hello.sh', asset: 'hello.sh', mode: 0o755 }],
    tools: [{ path: 'webapp.py', asset: 'webapp.py', mode: 0o644 }]
  }
  let dir: string
  let paths: FixturePaths

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'servekit-bench-test-'))
    paths = await generateFixtures(dir, spec, ASSETS)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('puts the served root and the tools side by side', () => {
    assert.equal(paths.root, join(dir, 'root'))
    assert.equal(paths.tools, join(dir, 'tools'))
  })

  it('writes files of exactly the sizes asked, also past one write chunk', async () => {
    assert.equal((await stat(join(paths.root, 'small.bin'))).size, 10)
    assert.equal((await stat(join(paths.root, 'deep/two-chunks.bin'))).size, 1024 * 1024 + 5)
  })

  it('fills a folder with the named entries and their contents', async () => {
    const names = (await readdir(join(paths.root, 'many'))).sort()
    assert.deepEqual(names, Array.from({ length: 12 }, (_, index) => entryName(index, 12)))
    assert.equal(await readFile(join(paths.root, 'many', entryName(11, 12)), 'utf8'), entryContent(11))
  })

  it('copies scripts under the root with their mode, and tools outside it', async () => {
    const script = join(paths.root, 'cgi-bin/hello.sh')
    assert.equal((await stat(script)).mode & 0o777, 0o755)
    assert.equal(await readFile(script, 'utf8'), await readFile(join(ASSETS, 'hello.sh'), 'utf8'))
    assert.equal((await stat(join(paths.tools, 'webapp.py'))).mode & 0o777, 0o644)
    await assert.rejects(stat(join(paths.root, 'webapp.py')), { code: 'ENOENT' })
  })
})

describe('fixtures for a few scenarios', () => {
  it('keep only what their URLs name, and always the tools', () => {
    const spec = specFor(BENCH_SPEC, ['/file-1k.bin', '/list-10k/', '/cgi-bin/hello.sh'])
    assert.deepEqual(spec.files.map(({ path }) => path), ['file-1k.bin'])
    assert.deepEqual(spec.folders.map(({ path }) => path), ['list-10k'])
    assert.deepEqual(spec.served.map(({ path }) => path), ['cgi-bin/hello.sh'])
    assert.deepEqual(spec.tools, BENCH_SPEC.tools)
  })

  it('do not take a name for a longer one that starts with it', () => {
    assert.deepEqual(specFor(BENCH_SPEC, ['/list-1k/']).folders.map(({ path }) => path), ['list-1k'])
  })
})
