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
  const refused: string[] = []

  before(async () => {
    fixture = await makeTree({ 'docs/guide.txt': 'x', 'cgi-bin/': null })
    server = await serve({ directory: fixture.dir, cgi: true, login: true, secret: 'a'.repeat(32) })
    base = `http://127.0.0.1:${server.port}`
    browser = await openBrowser()
    page = await browser.context.newPage()
    // A style the CSP refuses shows up here: pages carry theirs by hash, not 'unsafe-inline'.
    page.on('console', (message) => { if (/Content Security Policy|Refused/i.test(message.text())) refused.push(message.text()) })
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

  test('the way back skips folders that are not there: from /docs/gone/deeper/x.txt, /docs/', async () => {
    const response = await page.goto(base + '/docs/gone/deeper/x.txt')
    assert.equal(response?.status(), 404)
    await page.getByRole('link', { name: 'Back to /docs/' }).click()
    await page.waitForURL(base + '/docs/')
    assert.equal(await page.title(), 'Directory listing for /docs/')
  })

  test('a range past the end of a file is a page, not an empty screen', async () => {
    await page.setExtraHTTPHeaders({ range: 'bytes=100-' })
    const response = await page.goto(base + '/docs/guide.txt')
    await page.setExtraHTTPHeaders({})
    assert.equal(response?.status(), 416)
    assert.equal(await page.locator('h1').textContent(), 'Range Not Satisfiable')
  })

  test('a URL that cannot be decoded is a page, not Fastify\'s JSON', async () => {
    const response = await page.goto(base + '/docs/%')
    assert.equal(response?.status(), 400)
    assert.equal(await page.locator('h1').textContent(), 'Bad Request')
    assert.equal(await page.locator('a.btn').getAttribute('href'), '/docs/')
  })

  test('error and login pages apply their styles under a CSP without \'unsafe-inline\'', async () => {
    refused.length = 0
    for (const url of ['/nope', '/login']) {
      await page.goto(base + url)
      // The page's own style sheet applied: the top bar has its border.
      assert.equal(await page.evaluate('getComputedStyle(document.querySelector(".top")).borderBottomStyle'), 'solid', url)
      assert.equal(await page.locator('link[rel="icon"]').getAttribute('href'), '/favicon.ico', url)
    }
    assert.deepEqual(refused, [])
  })

  test('the login button reads at 4.5:1 or better in both themes', async () => {
    const luminance = (rgb: string): number => {
      const [r, g, b] = rgb.match(/\d+/g)!.slice(0, 3).map((n) => {
        const c = Number(n) / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
    }
    await page.goto(base + '/login')
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      const { color, background } = await page.evaluate('(({ color, backgroundColor }) => ({ color, background: backgroundColor }))(getComputedStyle(document.querySelector("button")))') as { color: string, background: string }
      const [light, dark] = [luminance(color), luminance(background)].sort((a, b) => b - a)
      const ratio = (light! + 0.05) / (dark! + 0.05)
      assert.ok(ratio >= 4.5, `${colorScheme}: ${color} on ${background} is ${ratio.toFixed(2)}:1`)
    }
    await page.emulateMedia({ colorScheme: 'light' })
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
