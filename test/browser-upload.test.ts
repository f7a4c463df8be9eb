// Uploading from the listing page in a real browser (Debian's Chromium): several files
// and a folder with the script, files and a new folder with scripts off, files dropped
// on the page, a refusal shown; each time, what landed on disk.
import { strict as assert } from 'node:assert'
import { readdirSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import staticFiles from '../plugins/static/index.js'
import upload, { UPLOAD_METHODS } from '../plugins/upload/index.js'
import { useErrorReplies } from '../src/error-reply.js'
import { NO_BROWSER, openBrowser, type Browser } from './helpers/browser.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

describe('uploading from the listing page', { skip: NO_BROWSER }, () => {
  let fixture: Fixture
  let local: Fixture
  let app: FastifyInstance
  let browser: Browser
  let page: Page
  let base: string
  const refused: string[] = []

  before(async () => {
    fixture = await makeTree({ 'inbox/': null, 'taken.txt': 'old' })
    // What the visitor picks from their own disk.
    local = await makeTree({ 'album/one.jpg': 'ONE', 'album/deeper/two.jpg': 'TWO', 'notes.txt': 'NOTES', 'list.csv': 'a,b' })
    app = Fastify()
    useErrorReplies(app)
    await app.register(staticFiles, { root: fixture.dir, writeMethods: UPLOAD_METHODS, listingActions: { upload: true, archive: true } })
    await app.register(upload, { root: fixture.dir })
    await app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    browser = await openBrowser()
    page = await browser.context.newPage()
    page.on('console', (message) => { if (/Content Security Policy|Refused/i.test(message.text())) refused.push(message.text()) })
  })
  after(async () => {
    await browser?.close()
    await app?.close()
    await fixture?.cleanup()
    await local?.cleanup()
  })

  // Chromium takes a DataTransfer of files made by a script as if they were dragged in.
  const drag = async (type: 'dragenter' | 'drop', files: Array<[string, string]>): Promise<void> => {
    await page.evaluate(`(() => {
      const data = new DataTransfer()
      for (const [name, text] of ${JSON.stringify(files)}) data.items.add(new File([text], name))
      document.body.dispatchEvent(new DragEvent('${type}', { dataTransfer: data, bubbles: true, cancelable: true }))
    })()`)
  }
  const names = async (): Promise<string[]> => await page.$$eval('.ls tbody tr:not(.up) td:first-child a', (links) => links.map((a) => a.textContent ?? ''))

  test('several files chosen and uploaded with the script: on disk, and listed once the page reloads', async () => {
    await page.goto(base + '/inbox/')
    assert.equal(await page.locator('#up-dir-btn').isVisible(), true)
    await page.locator('#up-files').setInputFiles([local.path('notes.txt'), local.path('list.csv')])
    const reloaded = page.waitForEvent('load')
    await page.getByRole('button', { name: 'Upload', exact: true }).click()
    await reloaded
    assert.deepEqual(readdirSync(fixture.path('inbox')).sort(), ['list.csv', 'notes.txt'])
    assert.equal(readFileSync(fixture.path('inbox', 'notes.txt'), 'utf8'), 'NOTES')
    assert.deepEqual((await names()).sort(), ['list.csv', 'notes.txt'])
    assert.deepEqual(refused, [])
  })

  test('a folder chosen with the folder picker keeps its tree', async () => {
    await page.goto(base + '/')
    const reloaded = page.waitForEvent('load')
    await page.locator('#up-dir').setInputFiles(local.path('album'))
    await reloaded
    assert.equal(readFileSync(fixture.path('album', 'one.jpg'), 'utf8'), 'ONE')
    assert.equal(readFileSync(fixture.path('album', 'deeper', 'two.jpg'), 'utf8'), 'TWO')
    assert.ok((await names()).includes('album/'))
  })

  test('files dropped on the page are uploaded, with the drop zone shown while dragging', async () => {
    await page.goto(base + '/inbox/')
    await drag('dragenter', [['dropped.txt', 'dropped bytes']])
    assert.equal(await page.locator('.drop').isVisible(), true)
    const reloaded = page.waitForEvent('load')
    await drag('drop', [['dropped.txt', 'dropped bytes']])
    await reloaded
    assert.equal(readFileSync(fixture.path('inbox', 'dropped.txt'), 'utf8'), 'dropped bytes')
  })

  test('a refused upload is said on the page, and the other files still go', async () => {
    await page.goto(base + '/')
    await drag('drop', [['taken.txt', 'new'], ['fresh.txt', 'fresh']])
    await page.locator('#up-status', { hasText: /^1 of 2 uploaded\. taken\.txt: taken\.txt already exists/ }).waitFor()
    assert.equal(readFileSync(fixture.path('taken.txt'), 'utf8'), 'old')
    assert.equal(readFileSync(fixture.path('fresh.txt'), 'utf8'), 'fresh')
    assert.equal(await page.evaluate('document.querySelector("progress").value'), 1)
  })

  test('with JavaScript off: the plain form uploads files and makes a folder, each time back at the listing', async () => {
    const off = await browser.context.newPage()
    const cdp = await browser.context.newCDPSession(off)
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
    try {
      await off.goto(base + '/inbox/')
      assert.equal(await off.locator('#up-dir-btn').isVisible(), false)
      await off.locator('#up-files').setInputFiles([local.path('album', 'one.jpg'), local.path('album', 'deeper', 'two.jpg')])
      await off.getByRole('button', { name: 'Upload', exact: true }).click()
      await off.waitForURL(base + '/inbox/')
      assert.ok(['one.jpg', 'two.jpg'].every((name) => readdirSync(fixture.path('inbox')).includes(name)))
      assert.ok((await off.locator('.ls a').allTextContents()).includes('two.jpg'))
      await off.locator('#new-folder').fill('made by form')
      await off.getByRole('button', { name: 'Create folder' }).click()
      await off.waitForURL(base + '/inbox/')
      assert.ok((await off.locator('.ls a').allTextContents()).includes('made by form/'))
    } finally {
      await off.close()
    }
  })

  test('on a phone (390×844) the actions fit: nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      await page.goto(base + '/')
      const { scroll, width } = await page.evaluate('({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth })') as { scroll: number, width: number }
      assert.ok(scroll <= width, `page is ${scroll}px wide in a ${width}px viewport`)
      assert.equal(await page.locator('a.zip').getAttribute('href'), '?download=zip')
      assert.equal(await page.getByRole('button', { name: 'Create folder' }).isVisible(), true)
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 })
    }
  })
})
