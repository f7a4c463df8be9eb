// One declaration per option: the table is what the flags, --help, the variables,
// resolveOptions and the CGI plugin's limits are made from.
import { strict as assert } from 'node:assert'
import { after, before, test } from 'node:test'
import { FLAGS, flagVariables, helpText } from '../src/args.js'
import { cgiName, inBounds, numberRule, OPTIONS, type OptionSpec } from '../src/option-table.js'
import { resolveOptions } from '../src/options.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const specs = Object.entries(OPTIONS) as Array<[string, OptionSpec]>

let fixture: Fixture
before(async () => { fixture = await makeTree({ 'site/cgi-bin/': null }) })
after(async () => { await fixture.cleanup() })

test('every option of the table is a flag with a variable and a line of --help', () => {
  const variables = new Map(flagVariables())
  const help = helpText()
  for (const [name, spec] of specs) {
    assert.ok(FLAGS[spec.flag] !== undefined, name)
    assert.equal(FLAGS[spec.flag]!.type, spec.kind === 'boolean' ? 'boolean' : 'string', name)
    assert.ok(variables.has(spec.flag), `${name} has a variable`)
    assert.ok(help.includes(`--${spec.kind === 'boolean' && spec.default === true ? 'no-' : ''}${spec.flag}`), `${name} in --help`)
  }
})

test('every on/off and number option is resolved with the table\'s default', async () => {
  const resolved = await resolveOptions({ directory: fixture.path('site') }) as unknown as Record<string, unknown>
  for (const [name, spec] of specs) {
    if (spec.cliOnly === true || spec.needs !== undefined || name === 'tls' || name === 'cgi' || name === 'upload') continue
    if (spec.kind === 'boolean') assert.equal(resolved[name], spec.default ?? false, name)
    if (spec.kind === 'number') assert.equal(resolved[name], spec.default, name)
  }
  assert.equal(resolved.readme, true)
  // The groups: present only when switched on.
  assert.equal(resolved.upload, undefined)
  assert.equal(resolved.cgi, undefined)
})

test('CGI limits reach the plugin under its names, seconds as milliseconds, with the table\'s defaults', async () => {
  const resolved = await resolveOptions({ directory: fixture.path('site'), cgi: true, cgiQueue: 7 })
  const cgi = resolved.cgi as unknown as Record<string, unknown>
  for (const [name, spec] of specs) {
    if (spec.needs !== 'cgi' || spec.kind !== 'number') continue
    const expected = name === 'cgiQueue' ? 7 : spec.default * (spec.unit === 'seconds' ? 1000 : 1)
    assert.equal(cgi[cgiName(name)], expected, name)
  }
  assert.equal(cgiName('cgiMaxConcurrent'), 'maxConcurrent')
})

test('a number out of the table\'s bounds is refused by resolveOptions as by the flag', async () => {
  await assert.rejects(resolveOptions({ directory: fixture.path('site'), cgi: true, cgiMaxConcurrent: 10_001 }),
    { name: 'OptionError', message: 'cgiMaxConcurrent must be a whole number from 1 to 10000 (got 10001)' })
  await assert.rejects(resolveOptions({ directory: fixture.path('site'), port: 1.5 }), { message: 'port must be a whole number from 0 to 65535 (got 1.5)' })
  assert.equal(numberRule(OPTIONS.cgiTimeout), 'a number of seconds above 0 and at most 86400')
  assert.equal(inBounds(OPTIONS.cgiTimeout, 0), false)
  assert.equal(inBounds(OPTIONS.cgiTimeout, 0.5), true)
  assert.equal(inBounds(OPTIONS.cgiQueue, 0), true)
})
