// The pure rules of the file lookup: what may be served once a descriptor is open,
// when a file's content may be kept, and the cache's byte accounting.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { allowsReal, identityOf, RECENT_CHANGE_MS, servableKind, settled, type LookupPolicy } from '../src/lookup/policy.js'
import { Lru } from '../src/lookup/lru.js'
import { fsHttpError } from '../src/errors.js'

const policy = (overrides: Partial<LookupPolicy> = {}): LookupPolicy =>
  ({ root: '/srv/root', dotfiles: false, followSymlinks: false, exclude: [], ...overrides })

test('the root and what lies below it are allowed; a sibling sharing its prefix is not', () => {
  assert.equal(allowsReal(policy(), '/srv/root'), true)
  assert.equal(allowsReal(policy(), '/srv/root/a/b.txt'), true)
  assert.equal(allowsReal(policy(), '/srv/root2/b.txt'), false)
  assert.equal(allowsReal(policy(), '/srv/b.txt'), false)
  assert.equal(allowsReal(policy(), '/etc/passwd'), false)
})

test('outside the root is allowed only with followSymlinks', () => {
  assert.equal(allowsReal(policy({ followSymlinks: true }), '/etc/hosts'), true)
  assert.equal(allowsReal(policy({ followSymlinks: true }), '/srv/root2/x'), true)
})

test('an excluded folder and everything in it is refused, even with followSymlinks', () => {
  const p = policy({ exclude: ['/srv/root/cgi-bin'], followSymlinks: true })
  assert.equal(allowsReal(p, '/srv/root/cgi-bin'), false)
  assert.equal(allowsReal(p, '/srv/root/cgi-bin/hello.py'), false)
  assert.equal(allowsReal(p, '/srv/root/cgi-bin2/hello.py'), true)
  assert.equal(allowsReal(policy({ exclude: ['/elsewhere/cgi'], followSymlinks: true }), '/elsewhere/cgi/x.sh'), false)
})

test('a real path through a dot name below the root is refused unless dotfiles; .well-known only at the top', () => {
  assert.equal(allowsReal(policy(), '/srv/root/.git/config'), false)
  assert.equal(allowsReal(policy(), '/srv/root/a/.env'), false)
  assert.equal(allowsReal(policy(), '/srv/root/.well-known/security.txt'), true)
  assert.equal(allowsReal(policy(), '/srv/root/a/.well-known/x'), false)
  assert.equal(allowsReal(policy({ dotfiles: true }), '/srv/root/a/.env'), true)
  // Dots above the root are the operator's business, not the visitor's.
  assert.equal(allowsReal(policy({ root: '/home/u/.sites/root' }), '/home/u/.sites/root/a.txt'), true)
  // A name that merely contains a dot is a name.
  assert.equal(allowsReal(policy(), '/srv/root/a.b/c..d'), true)
})

test('a root given with a trailing separator works the same', () => {
  assert.equal(allowsReal(policy({ root: '/' }), '/etc/hosts'), true)
  assert.equal(allowsReal(policy({ root: '/' }), '/home/.ssh/id'), false)
})

test('only files and folders can be served', () => {
  const kind = (file: boolean, dir: boolean) => servableKind({ isFile: () => file, isDirectory: () => dir })
  assert.equal(kind(true, false), 'file')
  assert.equal(kind(false, true), 'folder')
  assert.equal(kind(false, false), undefined)
})

test('identity changes with any of device, inode, size, mtime and ctime', () => {
  const base = { dev: 1, ino: 2, size: 3, mtimeMs: 4, ctimeMs: 5 }
  const id = identityOf(base)
  for (const key of Object.keys(base) as Array<keyof typeof base>) {
    assert.notEqual(identityOf({ ...base, [key]: base[key] + 1 }), id, key)
  }
  assert.equal(identityOf({ ...base }), id)
})

test('what was read from a file changed within the clock tick margin is not kept', () => {
  const now = 1_000_000
  assert.equal(settled({ ctimeMs: now - RECENT_CHANGE_MS - 1, mtimeMs: 0 }, now), true)
  assert.equal(settled({ ctimeMs: now - RECENT_CHANGE_MS, mtimeMs: 0 }, now), false)
  assert.equal(settled({ ctimeMs: now - 10, mtimeMs: 0 }, now), false)
  // An mtime set into the future (touch -d) keeps it out too.
  assert.equal(settled({ ctimeMs: 0, mtimeMs: now + 60_000 }, now), false)
})

test('Lru counts bytes exactly: growing a value that left counts nothing', () => {
  const evicted: string[] = []
  const lru = new Lru<string>({ maxEntries: 10, maxBytes: 100 }, (v) => { evicted.push(v) })
  lru.set('a', 'A', 10)
  assert.equal(lru.grow('a', 'A', 5), true)
  assert.equal(lru.bytes, 15)
  lru.delete('a')
  assert.equal(lru.bytes, 0)
  assert.equal(lru.grow('a', 'A', 50), false)
  assert.equal(lru.bytes, 0)
  lru.set('a', 'A2', 1)
  assert.equal(lru.grow('a', 'A', 50), false, 'an older value under the same key is not the one held')
  assert.equal(lru.bytes, 1)
  assert.deepEqual(evicted, ['A'])
})

test('Lru evicts the least recently used first, by bytes and by count', () => {
  const evicted: string[] = []
  const lru = new Lru<string>({ maxEntries: 3, maxBytes: 100 }, (v) => { evicted.push(v) })
  lru.set('a', 'A', 40)
  lru.set('b', 'B', 40)
  lru.get('a')
  lru.set('c', 'C', 40)
  assert.deepEqual(evicted, ['B'])
  lru.set('d', 'D', 1)
  lru.set('e', 'E', 1)
  assert.deepEqual(evicted, ['B', 'A'])
  assert.equal(lru.size, 3)
  assert.equal(lru.bytes, 42)
})

test('Lru keeps exact recency when the newest key is asked for again and again, or deleted', () => {
  const evicted: string[] = []
  const lru = new Lru<string>({ maxEntries: 2, maxBytes: Infinity }, (v) => { evicted.push(v) })
  lru.set('a', 'A')
  lru.get('a')
  lru.set('b', 'B')
  lru.get('b')
  lru.get('b')
  lru.get('a')
  lru.get('a')
  lru.set('c', 'C')
  assert.deepEqual(evicted, ['B'], 'a was used after b')
  lru.delete('c')
  lru.set('b', 'B2')
  lru.get('a')
  lru.set('d', 'D')
  assert.deepEqual(evicted, ['B', 'C', 'B2'], 'a, got after b was set, is the newer of the two')
  lru.delete('d')
  lru.get('a')
  lru.set('e', 'E')
  lru.set('f', 'F')
  assert.deepEqual(evicted, ['B', 'C', 'B2', 'D', 'A'])
})

test('Lru refuses a value bigger than its budget, and one that grows past it leaves', () => {
  const lru = new Lru<string>({ maxEntries: 10, maxBytes: 100 })
  lru.set('big', 'X', 101)
  assert.equal(lru.peek('big'), undefined)
  lru.set('a', 'A', 50)
  assert.equal(lru.grow('a', 'A', 60), false)
  assert.equal(lru.peek('a'), undefined)
  assert.equal(lru.bytes, 0)
})

test('Lru with no room keeps nothing', () => {
  const lru = new Lru<string>({ maxEntries: 0, maxBytes: 100 })
  lru.set('a', 'A', 1)
  assert.equal(lru.holds('a', 'A'), false)
})

test('file-system errors map to what the client may be told: 404, 403, or 503 when out of descriptors', () => {
  const status = (code: string): unknown => (fsHttpError(Object.assign(new Error(`${code}: /secret/path`), { code })) as { statusCode?: number }).statusCode
  assert.equal(status('ENOENT'), 404)
  assert.equal(status('ENOTDIR'), 404)
  assert.equal(status('ELOOP'), 404)
  assert.equal(status('EACCES'), 403)
  assert.equal(status('EMFILE'), 503)
  assert.equal(status('ENFILE'), 503)
  const emfile = fsHttpError(Object.assign(new Error('EMFILE: too many open files, open /secret/path'), { code: 'EMFILE' })) as Error
  assert.doesNotMatch(emfile.message, /secret|EMFILE/)
  // Anything else stays unexpected: the error reply gives it a generic 500.
  assert.equal(status('EIO'), undefined)
})
