// The listing in a real browser where it must manage without help: scripts off, and a
// folder big enough that the filter waits for typing to pause.
import { strict as assert } from 'node:assert'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { NO_BROWSER, openBrowser, type Browser } from './helpers/browser.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { serve } from './helpers/server.js'
import type { RunningServer } from '../src/server.js'

describe('the listing in a browser, the hard cases', { skip: NO_BROWSER }, () => {
  let fixture: Fixture
  let server: RunningServer
  let browser: Browser
  let page: Page
  let base: string

  before(async () => {
    fixture = await makeTree({
      'small.txt': 'a',
      'large.bin': 'a'.repeat(5_000),
      ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`many/entry-${i}.txt`, '']))
    })
    server = await serve({ directory: fixture.dir })
    base = `http://127.0.0.1:${server.port}`
    browser = await openBrowser()
    page = await browser.context.newPage()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
    await fixture?.cleanup()
  })

  const names = async (): Promise<string[]> => await page.$$eval('.ls tbody tr:not([hidden]):not(.up) td:first-child a', (links) => links.map((a) => a.textContent ?? ''))

  test('with JavaScript off the page still works: UTC times, no dead filter, sorting by the server', async () => {
    const off = await browser.context.newPage()
    const cdp = await browser.context.newCDPSession(off)
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true })
    try {
      await off.goto(base + '/')
      assert.equal(await off.locator('.ls thead th').nth(2).textContent(), 'Modified (UTC)')
      assert.equal(await off.locator('#filter').isVisible(), false)
      await off.getByRole('link', { name: 'Size' }).click()
      await off.waitForURL(base + '/?sort=size&order=asc')
      assert.equal(await off.locator('th.s').getAttribute('aria-sort'), 'ascending')
    } finally {
      await off.close()
    }
  })

  test('in a big folder the filter narrows once typing pauses, and Enter does not wait for it', async () => {
    await page.goto(base + '/many/')
    await page.locator('#filter').pressSequentially('y-99')
    await page.locator('#shown', { hasText: /^11 of 1000 shown$/ }).waitFor()
    assert.equal((await names()).length, 11)
    await page.locator('#filter').fill('entry-567.')
    await page.keyboard.press('Enter')
    await page.waitForURL(base + '/many/entry-567.txt')
  })
})
