// The bench's command line: defaults, the quick preset, and scenario selection.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BenchUsageError, FULL, parseBenchArgs, QUICK, selectScenarios } from '../bench/args.js'

describe('bench arguments', () => {
  it('--load-generator picks wrk or autocannon', () => {
    assert.equal(parseBenchArgs(['--load-generator', 'wrk']).loadGenerator, 'wrk')
    assert.equal(parseBenchArgs(['--load-generator', 'autocannon']).loadGenerator, 'autocannon')
  })

  it('with no arguments runs every scenario at full length, pinned', () => {
    const options = parseBenchArgs([])
    assert.equal(options.quick, false)
    assert.deepEqual(options.only, [])
    assert.equal(options.durationS, FULL.durationS)
    assert.equal(options.warmupS, FULL.warmupS)
    assert.equal(options.coldStarts, FULL.coldStarts)
    assert.equal(options.rounds, 1)
    assert.equal(options.connections, undefined)
    assert.equal(options.loadGenerator, undefined)
    assert.equal(options.pin, true)
    assert.equal(options.peers, false)
    assert.equal(options.installPeers, false)
    assert.equal(options.cpuProfDir, undefined)
  })

  it('--quick shortens the load and the cold starts', () => {
    const options = parseBenchArgs(['--quick'])
    assert.equal(options.quick, true)
    assert.equal(options.durationS, QUICK.durationS)
    assert.equal(options.warmupS, QUICK.warmupS)
    assert.equal(options.coldStarts, QUICK.coldStarts)
  })

  it('an explicit --duration wins over --quick', () => {
    assert.equal(parseBenchArgs(['--quick', '--duration', '4']).durationS, 4)
  })

  it('--only takes comma lists and may repeat', () => {
    assert.deepEqual(parseBenchArgs(['--only', 'get-1k,echo', '--only', 'list']).only, ['get-1k', 'echo', 'list'])
  })

  it('--install-peers is a flag of its own', () => {
    assert.equal(parseBenchArgs(['--install-peers']).installPeers, true)
    assert.equal(parseBenchArgs(['--install-peers']).peers, false)
  })

  it('maps the flags for profiling and peers', () => {
    const options = parseBenchArgs(['--cpu-prof', 'prof', '--peers', '--log-info', '--servekit-only', '--no-pin', '--connections', '50', '--out', 'r.json'])
    assert.equal(options.cpuProfDir, 'prof')
    assert.equal(options.peers, true)
    assert.equal(options.logInfo, true)
    assert.equal(options.servekitOnly, true)
    assert.equal(options.pin, false)
    assert.equal(options.connections, 50)
    assert.equal(options.out, 'r.json')
  })

  it('takes an older build to measure beside this one', () => {
    assert.equal(parseBenchArgs(['--before', '../old/dist/src/cli.js']).before, '../old/dist/src/cli.js')
    assert.equal(parseBenchArgs([]).before, undefined)
  })

  it('rejects numbers that are not numbers, too small, or not whole where they must be', () => {
    assert.throws(() => parseBenchArgs(['--duration', 'ten']), BenchUsageError)
    assert.throws(() => parseBenchArgs(['--duration', '0']), /--duration must be a number of at least 0.5/)
    assert.throws(() => parseBenchArgs(['--connections', '2.5']), /--connections must be a whole number/)
    assert.throws(() => parseBenchArgs(['--load-generator', 'ab']), /--load-generator must be wrk or autocannon \(got "ab"\)/)
    assert.throws(() => parseBenchArgs(['--cold-starts', '']), BenchUsageError)
    assert.throws(() => parseBenchArgs(['--rounds', '0']), /--rounds must be a whole number of at least 1/)
    assert.equal(parseBenchArgs(['--rounds', '3']).rounds, 3)
  })

  it('rejects unknown flags and stray arguments', () => {
    assert.throws(() => parseBenchArgs(['--fast']), BenchUsageError)
    assert.throws(() => parseBenchArgs(['get-1k']), BenchUsageError)
  })
})

describe('scenario selection', () => {
  const all = [{ id: 'get-1k' }, { id: 'get-100k' }, { id: 'list-1k-html' }, { id: 'list-10k-html' }, { id: 'echo' }]

  it('selects everything when nothing is named', () => {
    assert.deepEqual(selectScenarios(all, []), all)
  })

  it('selects by exact id, in the order of the list', () => {
    assert.deepEqual(selectScenarios(all, ['echo', 'get-1k']).map(({ id }) => id), ['get-1k', 'echo'])
  })

  it('selects a group by a prefix ending at a dash', () => {
    assert.deepEqual(selectScenarios(all, ['list']).map(({ id }) => id), ['list-1k-html', 'list-10k-html'])
    assert.deepEqual(selectScenarios(all, ['list-10k']).map(({ id }) => id), ['list-10k-html'])
  })

  it('takes a token that is an id as that id alone, not also as the prefix of others', () => {
    const nested = [{ id: 'get-100k' }, { id: 'get-100k-js' }, { id: 'get-100k-js-br' }]
    assert.deepEqual(selectScenarios(nested, ['get-100k']).map(({ id }) => id), ['get-100k'])
    assert.deepEqual(selectScenarios(nested, ['get-100k-js']).map(({ id }) => id), ['get-100k-js'])
    assert.deepEqual(selectScenarios(nested, ['get']).map(({ id }) => id), ['get-100k', 'get-100k-js', 'get-100k-js-br'])
  })

  it('does not treat a partial word as a prefix', () => {
    assert.throws(() => selectScenarios(all, ['ge']), /no scenario matches "ge"; scenarios: get-1k, get-100k/)
  })
})
