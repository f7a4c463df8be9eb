// The names an upload may create: each attacker-controlled spelling and what becomes of it.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { checkName, MAX_DEPTH, partFileName, relativePath, sameName } from '../plugins/upload/names.js'
import { crossSite, writeTarget } from '../plugins/upload/target.js'

const NFD_E = 'e\u0301' // "é" as macOS spells it
const NFC_E = '\u00e9'

// [what is sent, dotfiles, the name kept or null when refused]
const NAMES: Array<[string, boolean, string | null]> = [
  ['report.pdf', false, 'report.pdf'],
  ['with space & (1).txt', false, 'with space & (1).txt'],
  [`caf${NFD_E}.txt`, false, `caf${NFC_E}.txt`],
  ['日本語.txt', false, '日本語.txt'],
  ['', false, null],
  ['.', true, null],
  ['..', true, null],
  ['a/b', false, null],
  ['a\\b', false, null],
  ['C:\\x', false, null],
  ['nul\u0000byte', false, null],
  ['bell\u0007', false, null],
  ['line\nbreak', false, null],
  ['del\u007f', false, null],
  ['c1\u0085', false, null],
  ['\ud800lone', false, null],
  ['x'.repeat(255), false, 'x'.repeat(255)],
  ['x'.repeat(256), false, null],
  ['é'.repeat(127) + 'x', false, 'é'.repeat(127) + 'x'],
  ['é'.repeat(128), false, null],
  ['x'.repeat(10_000), false, null],
  ['.env', false, null],
  ['.env', true, '.env'],
  ['..hidden', true, '..hidden'],
  ['...', false, null]
]

test('names: kept in NFC, or refused with a reason', () => {
  for (const [sent, dotfiles, kept] of NAMES) {
    const checked = checkName(sent, dotfiles)
    if (kept === null) assert.equal(checked.ok, false, `${JSON.stringify(sent.slice(0, 40))} should be refused`)
    else assert.deepEqual(checked, { ok: true, name: kept }, JSON.stringify(sent.slice(0, 40)))
    if (!checked.ok) assert.match(checked.message, /^[^\n]{5,100}$/)
  }
})

// [a multipart filename, the name stored or null]
const FILENAMES: Array<[string, string | null]> = [
  ['x.pdf', 'x.pdf'],
  ['../../x', 'x'],
  ['/etc/passwd', 'passwd'],
  ['C:\\Users\\me\\x.pdf', 'x.pdf'],
  ['a/b', 'b'],
  ['photos\\..\\..\\boot.ini', 'boot.ini'],
  ['dir/', null],
  ['..', null],
  ['a/..', null],
  ['a/.env', null],
  ['\u0000', null]
]

test('a multipart filename stands for its last component and never makes folders', () => {
  for (const [filename, kept] of FILENAMES) {
    const checked = partFileName(filename, false)
    if (kept === null) assert.equal(checked.ok, false, filename)
    else assert.deepEqual(checked, { ok: true, name: kept }, filename)
  }
})

test('a dropped folder\'s relative path: every segment checked, none skipped', () => {
  assert.deepEqual(relativePath('photos/2026/beach.jpg', false), { ok: true, folders: ['photos', '2026'], name: 'beach.jpg' })
  assert.deepEqual(relativePath('a.txt', false), { ok: true, folders: [], name: 'a.txt' })
  assert.deepEqual(relativePath(`${NFD_E}/${NFD_E}`, false), { ok: true, folders: [NFC_E], name: NFC_E })
  for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', 'a/', 'a\\b/c', 'a/./b', '.git/config', 'a/b\u0000', '']) {
    assert.equal(relativePath(bad, false).ok, false, bad)
  }
  assert.equal(relativePath('.config/x', true).ok, true)
  assert.equal(relativePath(Array(MAX_DEPTH + 1).fill('d').join('/'), false).ok, true)
  assert.equal(relativePath(Array(MAX_DEPTH + 2).fill('d').join('/'), false).ok, false)
})

test('a name is the same as an existing entry\'s when their NFC forms match', () => {
  assert.equal(sameName(['a.txt', `caf${NFD_E}.txt`], `caf${NFC_E}.txt`), `caf${NFD_E}.txt`)
  assert.equal(sameName(['\u212a.txt'], 'K.txt'), '\u212a.txt')
  assert.equal(sameName(['a.txt'], 'a.txt'), 'a.txt')
  assert.equal(sameName(['A.txt'], 'a.txt'), undefined)
})

test('write targets: PUT names a file, PUT with a slash or MKCOL a folder, POST the folder of a form', () => {
  assert.deepEqual(writeTarget('PUT', '/d/x.pdf', false, []), { kind: 'file', folder: ['d'], name: 'x.pdf' })
  assert.deepEqual(writeTarget('PUT', '/d/new/', false, []), { kind: 'folder', folder: ['d'], name: 'new' })
  assert.deepEqual(writeTarget('MKCOL', '/d/new', false, []), { kind: 'folder', folder: ['d'], name: 'new' })
  assert.deepEqual(writeTarget('POST', '/d/?sort=size', false, []), { kind: 'form', folder: ['d'] })
  assert.deepEqual(writeTarget('PUT', '/d/caf%C3%A9', false, []), { kind: 'file', folder: ['d'], name: `caf${NFC_E}` })
  assert.deepEqual(writeTarget('PUT', '/a/../b.txt', false, []), { kind: 'file', folder: [], name: 'b.txt' })
})

test('write targets refused: climbing out, dotfiles, the CGI URL, bad names, the root itself', () => {
  assert.deepEqual(writeTarget('PUT', '/../x', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/%2e%2e/x', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/.env', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/a%5Cb', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/x%00', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/%zz', false, []), { kind: 'refused', status: 400 })
  assert.deepEqual(writeTarget('POST', '/cgi-bin/', false, ['cgi-bin']), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('PUT', '/cgi-bin', false, ['cgi-bin']), { kind: 'refused', status: 404 })
  assert.equal(writeTarget('PUT', '/line%0Abreak', false, []).kind, 'refused')
  assert.equal(writeTarget('PUT', '/' + 'x'.repeat(256), false, []).kind, 'refused')
  assert.equal(writeTarget('MKCOL', '/', false, []).kind, 'refused')
  assert.deepEqual(writeTarget('PUT', '/.well-known/security.txt', false, []), { kind: 'refused', status: 404 })
  assert.deepEqual(writeTarget('POST', '/.well-known/acme-challenge/', false, []), { kind: 'refused', status: 404 })
  assert.equal(writeTarget('PUT', '/.well-known/security.txt', true, []).kind, 'file')
})

test('another site\'s page may not write; the same site, a typed URL and curl may', () => {
  const own = 'http://192.168.1.20:8000'
  assert.equal(crossSite({ 'sec-fetch-site': 'cross-site' }, own), true)
  assert.equal(crossSite({ 'sec-fetch-site': 'same-site' }, own), true)
  assert.equal(crossSite({ 'sec-fetch-site': 'same-origin', origin: own }, own), false)
  assert.equal(crossSite({ 'sec-fetch-site': 'none' }, own), false)
  assert.equal(crossSite({ origin: 'http://evil.example' }, own), true)
  assert.equal(crossSite({ origin: own }, own), false)
  assert.equal(crossSite({}, own), false)
})
