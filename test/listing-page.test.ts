import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import type { ListingEntry } from '../plugins/static/listing.js'
import { exactSize, LISTING_CSP, listingCsp, renderListingHtml, renderListingJson } from '../plugins/static/listing-html.js'
import { kindOf } from '../plugins/static/listing-page-icons.js'
import { renderReadme } from '../plugins/static/readme.js'

const entry = (name: string, type: 'file' | 'directory' = 'file', size = 0, mtimeMs = Date.UTC(2026, 0, 2, 3, 4, 5, 678)): ListingEntry => ({ name, type, size, mtimeMs })
const XSS = '<img src=x onerror=alert(1)>'

test('breadcrumbs link every folder on the path, escaped and percent-encoded, the last marked current', () => {
  const html = renderListingHtml(`/a b/${XSS}/"q"/`, [], 'name', 'asc')
  const crumbs = html.slice(html.indexOf('<nav'), html.indexOf('</nav>'))
  assert.match(crumbs, /<a href="\/"><span class="home"><\/span>Home<\/a>/)
  assert.match(crumbs, /<a href="\/a%20b\/">a b<\/a>/)
  assert.match(crumbs, /<a href="\/a%20b\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E\/">&lt;img src=x onerror=alert\(1\)&gt;<\/a>/)
  assert.match(crumbs, /<a href="\/a%20b\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E\/%22q%22\/" aria-current="page">&quot;q&quot;<\/a>/)
  assert.ok(!html.includes('<img'))
  assert.match(html, /<title>Directory listing for \/a b\/&lt;img src=x onerror=alert\(1\)&gt;\/&quot;q&quot;\/<\/title>/)
})

test('at the top, Home is the current page', () => {
  assert.match(renderListingHtml('/', [], 'name', 'asc'), /<a href="\/" aria-current="page">/)
})

test('each row: a type cue, one link (folders ending in /), a human size with the exact bytes on hover, a UTC <time>', () => {
  const html = renderListingHtml('/', [entry('photos', 'directory'), entry('clip.MP4', 'file', 1_234_567), entry('one', 'file', 1)], 'name', 'asc')
  assert.match(html, /<tr class="d"><td><a href="photos\/">photos\/<\/a><td>—<td><time datetime="2026-01-02T03:04:05Z">2026-01-02 03:04<\/time>/)
  assert.match(html, /<tr class="v"><td><a href="clip.MP4">clip.MP4<\/a><td title="1,234,567 bytes">1.2 MiB<td>/)
  assert.match(html, /<tr><td><a href="one">one<\/a><td title="1 byte">1 B<td>/)
  assert.match(html, /Modified<span class="tz"> \(UTC\)<\/span>/)
})

test('type cues by extension, any case', () => {
  const kinds = ['a/', 'b.png', 'c.webm', 'd.flac', 'e.tar.gz', 'f.ts', 'g.md', 'h.PDF', 'i.bin', 'Makefile', '.hidden']
    .map((name) => kindOf(name.endsWith('/') ? entry(name.slice(0, -1), 'directory') : entry(name)))
  assert.deepEqual(kinds, ['d', 'i', 'v', 'a', 'z', 'c', 't', 'p', '', '', ''])
})

test('exact sizes group thousands', () => {
  assert.equal(exactSize(0), '0 bytes')
  assert.equal(exactSize(999), '999 bytes')
  assert.equal(exactSize(1000), '1,000 bytes')
  assert.equal(exactSize(734_003_200), '734,003,200 bytes')
})

test('the sorted column carries aria-sort and an arrow; its link reverses the order', () => {
  const html = renderListingHtml('/', [], 'size', 'desc')
  assert.match(html, /<th scope="col" class="s" aria-sort="descending"><a href="\?sort=size&amp;order=asc">Size<span class="ar" aria-hidden="true">↓<\/span><\/a><\/th>/)
  assert.match(html, /<th scope="col"><a href="\?sort=name&amp;order=asc">Name<span class="ar" aria-hidden="true"><\/span><\/a><\/th>/)
  assert.equal(html.slice(html.indexOf('<thead>'), html.indexOf('</thead>')).match(/aria-sort/g)?.length, 1)
})

test('the filter box is hidden until the script shows it: without JavaScript it could not work', () => {
  assert.match(renderListingHtml('/', [], 'name', 'asc'), /<div class="filter" hidden><label class="sr" for="filter">Filter by name<\/label><input id="filter" type="search"/)
})

test('the CSP allows the page\'s own script and style by hash, and nothing inline besides', () => {
  const html = renderListingHtml('/', [entry('a')], 'name', 'asc')
  const script = html.match(/<script>([\s\S]*)<\/script>/)![1]!
  const style = html.match(/<style>([\s\S]*)<\/style>/)![1]!
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
  assert.match(LISTING_CSP, new RegExp(`script-src ${hash(script).replace(/[+/]/g, '\\$&')}`))
  assert.match(LISTING_CSP, new RegExp(`style-src ${hash(style).replace(/[+/]/g, '\\$&')}`))
  assert.match(LISTING_CSP, /^default-src 'none'; /)
  assert.doesNotMatch(LISTING_CSP, /unsafe-inline|unsafe-eval/)
  assert.equal(html.match(/<script/g)?.length, 1)
  assert.doesNotMatch(html, / style=| on[a-z]+=/)
  assert.match(LISTING_CSP, /; frame-ancestors 'self';/)
})

const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
const inline = (html: string, tag: 'script' | 'style'): string[] => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!)

test('the upload script and styles come only with the upload form, each allowed by its own hash', () => {
  const plain = renderListingHtml('/', [entry('a')], 'name', 'asc', { actions: {} })
  assert.equal(inline(plain, 'script').length, 1)
  assert.equal(inline(plain, 'style').length, 1)
  assert.doesNotMatch(plain, /form\.upl|\.drop\{|XMLHttpRequest/)
  assert.equal(listingCsp({}), LISTING_CSP)

  const upload = renderListingHtml('/', [entry('a')], 'name', 'asc', { actions: { upload: true } })
  const uploadCsp = listingCsp({ upload: true })
  assert.equal(inline(upload, 'script').length, 2)
  assert.equal(inline(upload, 'style').length, 2)
  assert.match(inline(upload, 'script')[1]!, /XMLHttpRequest/)
  for (const text of [...inline(upload, 'script'), ...inline(upload, 'style')]) assert.ok(uploadCsp.includes(hashOf(text)), text.slice(0, 40))
  assert.match(uploadCsp, /form-action 'self'; connect-src 'self'$/)

  // The zip link alone needs the actions' styles, not the uploads' script.
  const zip = renderListingHtml('/', [entry('a')], 'name', 'asc', { actions: { archive: true } })
  const zipCsp = listingCsp({ archive: true })
  assert.equal(inline(zip, 'script').length, 1)
  assert.equal(inline(zip, 'style').length, 2)
  for (const text of [...inline(zip, 'script'), ...inline(zip, 'style')]) assert.ok(zipCsp.includes(hashOf(text)))
  assert.match(zipCsp, /form-action 'none'$/)
})

test('the page names the favicon at the path servekit answers it on', () => {
  assert.match(renderListingHtml('/a/', [], 'name', 'asc'), /<head>[\s\S]*<link rel="icon" href="\/favicon\.ico">[\s\S]*<\/head>/)
})

test('an empty folder says so; a full one counts folders and files', () => {
  assert.match(renderListingHtml('/e/', [], 'name', 'asc'), /This folder is empty\./)
  assert.match(renderListingHtml('/', [entry('a', 'directory'), entry('b'), entry('c')], 'name', 'asc'), /<span>1 folder, 2 files<\/span>/)
  assert.match(renderListingHtml('/', [entry('b')], 'name', 'asc'), /<span>1 file<\/span>/)
})

test('a README shows under the table', () => {
  const html = renderListingHtml('/', [entry('a')], 'name', 'asc', { readmeHtml: renderReadme('# Hello\n\nSome *text*.') })
  assert.ok(html.indexOf('</table>') < html.indexOf('<section class="readme"'))
  assert.match(html, /<h1>Hello<\/h1>\n<p>Some <em>text<\/em>.<\/p>/)
  assert.doesNotMatch(renderListingHtml('/', [entry('a')], 'name', 'asc'), /class="readme"/)
})

test('README markdown cannot carry markup or script: raw HTML is text, javascript: links are refused', () => {
  const html = renderReadme(`${XSS}\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) [data](data:text/html,<b>x</b>) ![i](x" onerror="alert(1))\n\n<a href="x" onclick="y">a</a>`)
  assert.doesNotMatch(html, /<img src=x|<script|<a href="x"|href="javascript|href="data:text/i)
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  assert.match(html, /\[click\]\(javascript:alert\(1\)\)/)
  assert.doesNotMatch(html, /<[a-z]+ [^>]*on[a-z]+=/i)
})

test('the page weighs less than before: a 1,000-entry listing under 170,000 bytes (181,661 before)', () => {
  const entries = Array.from({ length: 1000 }, (_, i) => entry(`file-${String(i).padStart(3, '0')}.txt`, 'file', 10 + (i % 5)))
  assert.ok(Buffer.byteLength(renderListingHtml('/listing-1000/', entries, 'name', 'asc')) < 170_000)
})

test('without uploads the fixed block (an empty folder\'s page) stays under 17 kB (20,479 bytes when every page carried the upload part)', () => {
  const fixed = Buffer.byteLength(renderListingHtml('/', [], 'name', 'asc'))
  const withUpload = Buffer.byteLength(renderListingHtml('/', [], 'name', 'asc', { actions: { upload: true } }))
  assert.ok(fixed < 17_000, `${fixed} bytes`)
  assert.ok(withUpload - fixed > 4_000, `${withUpload - fixed} bytes`)
})

test('the JSON listing is unchanged', () => {
  assert.equal(renderListingJson('/d/', [entry('a b', 'file', 3), entry('s', 'directory', 4096)]),
    '{"path":"/d/","entries":[{"name":"a b","type":"file","size":3,"mtime":"2026-01-02T03:04:05.678Z"},{"name":"s","type":"directory","size":4096,"mtime":"2026-01-02T03:04:05.678Z"}]}')
})
