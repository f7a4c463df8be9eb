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
