// What runs for a checked script, decided from its first bytes as the kernel would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execPlanOf, HEAD_BYTES } from '../plugins/cgi/exec-plan.js'

const plan = (head: string | Buffer): ReturnType<typeof execPlanOf> =>
  execPlanOf(Buffer.isBuffer(head) ? head : Buffer.from(head), '/srv/cgi-bin/x.cgi', '/srv/cgi-bin', '/proc/7/fd/21')

test('a binary runs through the checked descriptor, its path as argv[0]', () => {
  assert.deepEqual(plan(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), { command: '/proc/7/fd/21', args: [], argv0: '/srv/cgi-bin/x.cgi' })
})

test('#!: the interpreter the checked line names, with the kernel\'s argv', () => {
  assert.deepEqual(plan('#!/bin/sh\necho'), { command: '/bin/sh', args: ['/srv/cgi-bin/x.cgi'], argv0: '/bin/sh' })
  assert.deepEqual(plan('#! /usr/bin/env python3\n'), { command: '/usr/bin/env', args: ['python3', '/srv/cgi-bin/x.cgi'], argv0: '/usr/bin/env' })
  // One argument, whatever spaces it holds; spaces and tabs around it dropped.
  assert.deepEqual(plan('#!/usr/bin/perl  -w -T \t\nprint'), { command: '/usr/bin/perl', args: ['-w -T', '/srv/cgi-bin/x.cgi'], argv0: '/usr/bin/perl' })
  assert.deepEqual(plan('#!\t/bin/bash\t-e\n'), { command: '/bin/bash', args: ['-e', '/srv/cgi-bin/x.cgi'], argv0: '/bin/bash' })
  // A CR is part of the name, as for the kernel ("bad interpreter: /bin/sh^M").
  assert.equal(plan('#!/bin/sh\r\n').command, '/bin/sh\r')
  // No line end in a short file: the whole of it.
  assert.deepEqual(plan('#!/bin/true'), { command: '/bin/true', args: ['/srv/cgi-bin/x.cgi'], argv0: '/bin/true' })
})

test('#! with a relative interpreter is found from the script\'s folder, never on PATH', () => {
  assert.deepEqual(plan('#!python3\n'), { command: '/srv/cgi-bin/python3', args: ['/srv/cgi-bin/x.cgi'], argv0: 'python3' })
})

test('no #! line, or an empty one: /bin/sh runs it, as execvp does', () => {
  for (const head of ['echo hi\n', '#!\n', '#!   \n', '', '#x']) {
    assert.deepEqual(plan(head), { command: '/bin/sh', args: ['/srv/cgi-bin/x.cgi'], argv0: '/bin/sh' }, JSON.stringify(head))
  }
})

test('a #! line longer than the kernel reads is refused', () => {
  assert.throws(() => plan('#!/' + 'a'.repeat(HEAD_BYTES)), /longer than 255 bytes/)
  assert.equal(plan('#!/' + 'a'.repeat(HEAD_BYTES - 4) + '\n').command, '/' + 'a'.repeat(HEAD_BYTES - 4))
})
