// A folder's README under its HTML listing: read through the lookup, rendered
// safely, off with `readme: false` (--no-readme).
import { strict as assert } from 'node:assert'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

let fixture: Fixture
let outside: Fixture
const apps: FastifyInstance[] = []

before(async () => {
  outside = await makeTree({ 'README.md': '# OUTSIDE-SECRET' })
  fixture = await makeTree({
    'docs/README.md': '# Notes\n\nSee <img src=x onerror=alert(1)> and [x](javascript:alert(1)).\n',
    'docs/a.txt': 'a',
    'plain/README': 'Plain *text* readme',
    'linked/README.md': { symlink: outside.path('README.md') },
    'none/a.txt': 'a'
  })
})
after(async () => {
  for (const app of apps) await app.close()
  await fixture.cleanup()
  await outside.cleanup()
})

async function app (readme?: boolean): Promise<FastifyInstance> {
  const made = await buildApp({ directory: fixture.dir, logLevel: 'silent', ...(readme === undefined ? {} : { readme }) })
  apps.push(made)
  return made
}

test('README.md shows under the listing as Markdown, its raw HTML and javascript: links inert', async () => {
  const res = await (await app()).inject({ url: '/docs/', headers: { accept: 'text/html' } })
  assert.equal(res.statusCode, 200)
  assert.match(res.body, /<h1>Notes<\/h1>/)
  assert.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.doesNotMatch(res.body, /<img src=x/)
  assert.doesNotMatch(res.body, /href="javascript:/)
})

test('a README without extension is shown too', async () => {
  const res = await (await app()).inject({ url: '/plain/', headers: { accept: 'text/html' } })
  assert.match(res.body, /<em>text<\/em>/)
})

test('a README that is a link out of the folder is not shown', async () => {
  const res = await (await app()).inject({ url: '/linked/', headers: { accept: 'text/html' } })
  assert.equal(res.statusCode, 200)
  assert.doesNotMatch(res.body, /OUTSIDE-SECRET/)
})

test('readme: false leaves it out; the JSON listing never has it', async () => {
  const off = await (await app(false)).inject({ url: '/docs/', headers: { accept: 'text/html' } })
  assert.equal(off.statusCode, 200)
  assert.doesNotMatch(off.body, /<h1>Notes<\/h1>/)
  const json = await (await app()).inject({ url: '/docs/?format=json' })
  assert.deepEqual(JSON.parse(json.body).entries.map((e: { name: string }) => e.name).sort(), ['README.md', 'a.txt'])
  assert.doesNotMatch(json.body, /Notes/)
})

test('a folder without a README has no README section', async () => {
  const res = await (await app()).inject({ url: '/none/', headers: { accept: 'text/html' } })
  assert.doesNotMatch(res.body, /class="readme"/)
})
