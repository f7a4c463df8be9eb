import { strict as assert } from 'node:assert'
import { after, test } from 'node:test'
import { realpath } from 'node:fs/promises'
import { sortEntries, type ListingEntry } from '../plugins/static/listing.js'
import { readListing } from '../src/lookup/read-listing.js'
import { humanSize, renderListingHtml } from '../plugins/static/listing-html.js'
import { escapeHtml } from '../src/html.js'
import { makeTree } from './helpers/fixtures.js'

const entry = (name: string, type: 'file' | 'directory', size = 0, mtime = 0): ListingEntry => ({ name, type, size, mtimeMs: mtime })

test('folders come first, then names in natural order', () => {
  const sorted = sortEntries([entry('file10.txt', 'file'), entry('b', 'directory'), entry('file2.txt', 'file'), entry('A', 'directory'), entry('file1.txt', 'file')])
  assert.deepEqual(sorted.map((e) => e.name), ['A', 'b', 'file1.txt', 'file2.txt', 'file10.txt'])
})

test('sort by size or mtime, ascending or descending, folders still first', () => {
  const entries = () => [entry('big', 'file', 300, 1), entry('small', 'file', 10, 3), entry('mid', 'file', 100, 2), entry('dir', 'directory', 4096, 0)]
  assert.deepEqual(sortEntries(entries(), 'size', 'asc').map((e) => e.name), ['dir', 'small', 'mid', 'big'])
  assert.deepEqual(sortEntries(entries(), 'size', 'desc').map((e) => e.name), ['dir', 'big', 'mid', 'small'])
  assert.deepEqual(sortEntries(entries(), 'mtime', 'desc').map((e) => e.name), ['dir', 'small', 'mid', 'big'])
  assert.deepEqual(sortEntries(entries(), 'name', 'desc').map((e) => e.name), ['dir', 'small', 'mid', 'big'])
})

test('HTML escapes names and percent-encodes hrefs', () => {
  const html = renderListingHtml('/x/', [entry('<img src=x onerror=alert(1)>', 'file', 5), entry('a "b" & c', 'directory')], 'name', 'asc')
  assert.ok(!html.includes('<img src=x'))
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'))
  assert.ok(html.includes('href="%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"'))
  assert.ok(html.includes('href="a%20%22b%22%20%26%20c/">a &quot;b&quot; &amp; c/</a>'))
  assert.ok(html.includes('<title>Directory listing for /x/</title>'))
  assert.ok(html.includes('<a href="../">../</a>'))
})

test('the root listing has no parent link', () => {
  assert.ok(!renderListingHtml('/', [], 'name', 'asc').includes('href="../"'))
})

test('escapeHtml and humanSize', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  assert.equal(humanSize(12), '12 B')
  assert.equal(humanSize(1536), '1.5 KiB')
  assert.equal(humanSize(50 * 1024 * 1024), '50 MiB')
})

test('readListing hides dotfiles, escaping links and broken links', async () => {
  const outside = await makeTree({ 'secret.txt': 'x', 'private/p.txt': 'y' })
  const fixture = await makeTree({
    'a.txt': 'hello',
    sub: null,
    '.env': 'SECRET=1',
    '.well-known/security.txt': 'x',
    'inside-link.txt': { symlink: 'a.txt' },
    'outside-link.txt': { symlink: outside.path('secret.txt') },
    'outside-dir': { symlink: outside.path('private') },
    broken: { symlink: 'nowhere' }
  })
  after(async () => { await fixture.cleanup(); await outside.cleanup() })
  const root = await realpath(fixture.dir)

  const names = (entries: ListingEntry[]) => entries.map((e) => e.name).sort()
  assert.deepEqual(names(await readListing(root, root, { root, dotfiles: false, followSymlinks: false, exclude: [] })),
    ['.well-known', 'a.txt', 'inside-link.txt', 'sub'])
  assert.deepEqual(names(await readListing(root, root, { root, dotfiles: true, followSymlinks: true, exclude: [] })),
    ['.env', '.well-known', 'a.txt', 'inside-link.txt', 'outside-dir', 'outside-link.txt', 'sub'])

  const link = (await readListing(root, root, { root, dotfiles: false, followSymlinks: false, exclude: [] })).find((e) => e.name === 'inside-link.txt')
  assert.deepEqual({ type: link?.type, size: link?.size }, { type: 'file', size: 5 })
})
