// Error pages in a real browser (Debian's Chromium): HTML where JSON used to show, in both themes.
import { strict as assert } from 'node:assert'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { NO_BROWSER, openBrowser, type Browser } from './helpers/browser.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import type { RunningServer } from '../src/server.js'

describe('error pages in a browser', { skip: NO_BROWSER }, () => {
  let fixture: Fixture
  let server: RunningServer
  let browser: Browser
  let page: Page
  let base: string

  before(async () => {
    fixture = await makeTree({ 'docs/guide.txt': 'x', 'cgi-bin/': null })
    server = await serve({ directory: fixture.dir, cgi: true })
    base = `http://127.0.0.1:${server.port}`
    browser = await openBrowser()
    page = await browser.context.newPage()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
    await fixture?.cleanup()
  })

  test('a 404 is a page with a way back to the nearest folder', async () => {
    const response = await page.goto(base + '/docs/missing.txt')
    assert.equal(response?.status(), 404)
    assert.match(String(response?.headers()['content-type']), /^text\/html/)
    assert.equal(await page.locator('h1').textContent(), 'Not Found')
    await page.getByRole('link', { name: 'Back to /docs/' }).click()
    await page.waitForURL(base + '/docs/')
    assert.equal(await page.title(), 'Directory listing for /docs/')
  })

  test('the CGI folder\'s 403 is a page too', async () => {
    const response = await page.goto(base + '/cgi-bin/')
    assert.equal(response?.status(), 403)
    assert.equal(await page.locator('h1').textContent(), 'Forbidden')
  })

  test('pages follow the system\'s dark mode', async () => {
    const background = async (): Promise<string> => await page.evaluate('getComputedStyle(document.body).backgroundColor') as string
    for (const url of ['/nope', '/']) {
      await page.emulateMedia({ colorScheme: 'light' })
      await page.goto(base + url)
      assert.equal(await background(), 'rgb(255, 255, 255)', url)
      await page.emulateMedia({ colorScheme: 'dark' })
      assert.equal(await background(), 'rgb(13, 17, 23)', url)
    }
    await page.emulateMedia({ colorScheme: 'light' })
  })

  test('the favicon a browser asks for is servekit\'s', async () => {
    const response = await page.goto(base + '/favicon.ico')
    assert.equal(response?.status(), 200)
    assert.equal(response?.headers()['content-type'], 'image/svg+xml')
  })
})
