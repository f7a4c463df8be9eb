// How the bench starts each server, detects servekit's flags, and judges answers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { flagsFromHelp } from '../bench/capabilities.js'
import { parseCpuList } from '../bench/pinning.js'
import { lastWordsOf } from '../bench/process.js'
import type { ProbeResponse } from '../bench/probe.js'
import { SCENARIOS, type LoadScenario } from '../bench/scenarios.js'
import { baselineCommand, missingFeatures, nginxConfig, peerCommand, pythonCommand, servekitCommand, type ServerContext } from '../bench/servers.js'

const ctx: ServerContext = {
  node: '/usr/bin/node',
  cli: '/repo/dist/src/cli.js',
  baselines: '/repo/dist/bench/servers',
  python: '/usr/bin/python3',
  root: '/tmp/b/root',
  tools: '/tmp/b/tools',
  configHome: '/tmp/b/config',
  certificate: { cert: '/tmp/b/tools/cert.pem', key: '/tmp/b/tools/key.pem' },
  servekitFlags: new Set(['cgi', 'echo', 'tls', 'tls-cert', 'tls-key']),
  cpuProfDir: undefined,
  env: { PATH: '/usr/bin' }
}

function loadScenario (id: string): LoadScenario {
  const scenario = SCENARIOS.find((s) => s.id === id)
  assert.ok(scenario?.kind === 'load')
  return scenario
}

function response (status: number, text: string, size = Buffer.byteLength(text)): ProbeResponse {
  return { status, headers: {}, size, text }
}

describe('servekit feature detection', () => {
  const help = `Options:
  -b, --bind ADDR          address to listen on
      --cgi                run CGI scripts (see --cgi-dir)
      --cgi-dir DIR        where they are
      --tls-cert FILE      PEM certificate
  servekit --echo 8000     an example`

  it('finds every long flag named in --help', () => {
    assert.deepEqual([...flagsFromHelp(help)].sort(), ['bind', 'cgi', 'cgi-dir', 'echo', 'tls-cert'])
  })

  it('reports the flags a scenario needs that servekit lacks', () => {
    assert.deepEqual(missingFeatures(['cgi', 'tls'], flagsFromHelp(help)), ['tls'])
  })
})

describe('CPU lists from taskset', () => {
  it('expands ranges and lists', () => {
    assert.deepEqual(parseCpuList('0-2,5\n'), [0, 1, 2, 5])
    assert.deepEqual(parseCpuList(' 1'), [1])
    assert.deepEqual(parseCpuList(''), [])
  })
})

describe('server command lines', () => {
  it('servekit listens on loopback, logs JSON at the level asked, with the scenario flags', () => {
    const command = servekitCommand(ctx, 9000, 'warn', ['cgi', 'echo'])
    assert.equal(command.command, '/usr/bin/node')
    assert.deepEqual(command.args, ['/repo/dist/src/cli.js', '-b', '127.0.0.1', '-d', '/tmp/b/root', '--log-level', 'warn', '--log-format', 'json', '--cgi', '--echo', '9000'])
    assert.equal(command.env.XDG_CONFIG_HOME, '/tmp/b/config')
  })

  it('servekit over TLS uses the shared certificate when it has --tls-cert, else --tls', () => {
    assert.deepEqual(servekitCommand(ctx, 1, 'warn', ['tls']).args.slice(9, -1), ['--tls-cert', '/tmp/b/tools/cert.pem', '--tls-key', '/tmp/b/tools/key.pem'])
    const plain = { ...ctx, servekitFlags: new Set(['tls']) }
    assert.deepEqual(servekitCommand(plain, 1, 'warn', ['tls']).args.slice(9, -1), ['--tls'])
  })

  it('servekit is profiled with --cpu-prof only when a profile name is given', () => {
    const profiled = { ...ctx, cpuProfDir: '/prof' }
    assert.deepEqual(servekitCommand(profiled, 1, 'warn', [], 'get-1k-T').args.slice(0, 3), ['--cpu-prof', '--cpu-prof-dir=/prof', '--cpu-prof-name=get-1k-T.cpuprofile'])
    assert.equal(servekitCommand(profiled, 1, 'warn').args[0], '/repo/dist/src/cli.js')
  })

  it('Python runs http.server (with --cgi), the tutorial webapp, or its TLS server', () => {
    assert.deepEqual(pythonCommand(ctx, 'static', 9000).args, ['-m', 'http.server', '-b', '127.0.0.1', '-d', '/tmp/b/root', '9000'])
    assert.deepEqual(pythonCommand(ctx, 'cgi', 9000).args, ['-m', 'http.server', '--cgi', '-b', '127.0.0.1', '-d', '/tmp/b/root', '9000'])
    assert.deepEqual(pythonCommand(ctx, 'webapp', 9000).args, ['/tmp/b/tools/webapp.py', '9000'])
    assert.deepEqual(pythonCommand(ctx, 'tls', 9000).args, ['/tmp/b/tools/secure_server.py', '/tmp/b/tools/cert.pem', '/tmp/b/tools/key.pem', '/tmp/b/root', '9000'])
  })

  it('the bare Fastify baselines get their port (and the CGI folder)', () => {
    assert.deepEqual(baselineCommand(ctx, 'fastify-echo', 9000).args, ['/repo/dist/bench/servers/fastify-echo.js', '9000'])
    assert.deepEqual(baselineCommand(ctx, 'fastify-spawn', 9000).args, ['/repo/dist/bench/servers/fastify-spawn.js', '/tmp/b/root/cgi-bin', '9000'])
  })

  it('peers bind loopback without request logs', () => {
    assert.deepEqual(peerCommand(ctx, 'http-server', '/bin/http-server', 9000, '').args, ['/tmp/b/root', '-a', '127.0.0.1', '-p', '9000', '--silent'])
    assert.ok(peerCommand(ctx, 'serve', '/bin/serve', 9000, '').args.includes('tcp://127.0.0.1:9000'))
    const config = nginxConfig('/tmp/b/root', '/tmp/b/logs/nginx', 9000)
    assert.match(config, /listen 127\.0\.0\.1:9000;/)
    assert.match(config, /master_process off;/)
    assert.match(config, /access_log off;/)
    assert.match(config, /autoindex on;/)
  })
})

describe('answer checks', () => {
  it('a file must come whole with 200', () => {
    const get1k = loadScenario('get-1k')
    assert.equal(get1k.check(response(200, 'x'.repeat(1024)), 'servekit'), undefined)
    assert.equal(get1k.check(response(404, 'not found'), 'servekit'), 'answered 404, not 200')
    assert.equal(get1k.check(response(200, 'short'), 'python'), 'sent 5 bytes, not 1024')
  })

  it('a JSON listing must list every entry; Python is held to its HTML listing', () => {
    const json = loadScenario('list-1k-json')
    const entries = Array.from({ length: 1000 }, (_, index) => ({ name: `file-${index}.txt` }))
    assert.equal(json.check(response(200, JSON.stringify({ path: '/list-1k/', entries })), 'servekit'), undefined)
    assert.equal(json.check(response(200, JSON.stringify({ entries: entries.slice(1) })), 'servekit'), 'listed 999 entries, not 1000')
    assert.equal(json.check(response(200, '<a href="file-999.txt">file-999.txt</a>'), 'python'), undefined)
    assert.equal(json.check(response(200, '<html>'), 'servekit'), 'answer is not a JSON listing')
  })

  it('the echo must carry back the query, form and cookie values', () => {
    const echo = loadScenario('echo')
    const good = { query_data: { lang: 'en' }, form_data: { username: 'jdoe' }, cookies: { session: 'd7f2cf106764' } }
    assert.equal(echo.check(response(200, JSON.stringify(good)), 'servekit'), undefined)
    assert.equal(echo.check(response(200, JSON.stringify({ ...good, cookies: {} })), 'python'), 'echo lacks the query, form or cookie values sent')
  })

  it('every scenario id is unique and every load scenario has connections', () => {
    const ids = SCENARIOS.map(({ id }) => id)
    assert.equal(new Set(ids).size, ids.length)
    for (const scenario of SCENARIOS) if (scenario.kind === 'load') assert.ok(scenario.connections > 0, scenario.id)
  })
})

describe('why a server died', () => {
  it('quotes the end of stderr first', () => {
    assert.equal(lastWordsOf('Traceback\nOSError: [Errno 98] Address already in use\n', ''), 'Traceback | OSError: [Errno 98] Address already in use')
  })

  it('else the error entries of a JSON log on stdout', () => {
    const stdout = [
      JSON.stringify({ level: 30, msg: 'Serving HTTP on 127.0.0.1 port 1' }),
      JSON.stringify({ level: 50, msg: 'uncaught exception', err: { message: "Cannot read properties of undefined (reading 'startsWith')" } }),
      ''
    ].join('\n')
    assert.equal(lastWordsOf('', stdout), "uncaught exception: Cannot read properties of undefined (reading 'startsWith')")
  })
})
