// Start-up warns when uploads are open to anyone who can reach the server.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { openToWrite } from '../src/server.js'

const UPLOAD = { maxBytes: 1024, overwrite: false }
const AUTH = { users: ['a:b'], file: undefined, writesOnly: false }

test('uploads without a password on a network address: a warning that says what to do', () => {
  for (const address of ['::', '0.0.0.0', '192.168.1.20']) {
    const warning = openToWrite({ upload: UPLOAD, auth: undefined }, address)
    assert.match(warning ?? '', /^uploads are on without a password: anyone who can reach .* may write to the folder; add --auth USER:PASSWORD, or -b 127.0.0.1/, address)
  }
})

test('no warning on loopback, with a password, or without uploads', () => {
  for (const address of ['127.0.0.1', '::1', '127.0.0.5']) assert.equal(openToWrite({ upload: UPLOAD, auth: undefined }, address), undefined, address)
  assert.equal(openToWrite({ upload: UPLOAD, auth: AUTH }, '::'), undefined)
  assert.equal(openToWrite({ upload: undefined, auth: undefined }, '::'), undefined)
})

test('with uploads on, a request may take as long as the largest upload at 1 MiB/s, within 120 s and a day', async () => {
  const { requestTimeout, TIMEOUTS } = await import('../src/app.js')
  assert.equal(requestTimeout({ upload: undefined }), TIMEOUTS.request)
  assert.equal(requestTimeout({ upload: { maxBytes: 4 * 1024 ** 3, overwrite: false } }), 4096_000)
  assert.equal(requestTimeout({ upload: { maxBytes: 1024, overwrite: false } }), TIMEOUTS.request)
  assert.equal(requestTimeout({ upload: { maxBytes: 1024 ** 4, overwrite: false } }), 86_400_000)
})
