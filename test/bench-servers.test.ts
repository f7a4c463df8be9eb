// How the bench starts each server, detects servekit's flags, and judges answers.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { flagsFromHelp } from '../bench/capabilities.js'
import { parseCpuList } from '../bench/pinning.js'
import { lastWordsOf } from '../bench/process.js'
import type { ProbeResponse } from '../bench/probe.js'
import { SCENARIOS, type LoadScenario, type Peer } from '../bench/scenarios.js'
import { requestText } from '../bench/load-tls.js'
import { caddyfile } from '../bench/peers/caddy.js'
import { goBinaryName, goBuildEnv } from '../bench/peers/go-build.js'
import { PEERS, peerSpec, peersFor } from '../bench/peers/index.js'
import { installPlan } from '../bench/peers/install.js'
import { lighttpdConfig } from '../bench/peers/lighttpd.js'
import { nginxConfig } from '../bench/peers/nginx.js'
import type { PeerLaunch } from '../bench/peers/peer.js'
import { baselineCommand, missingFeatures, pythonCommand, servekitCommand, type ServerContext } from '../bench/servers.js'

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
})

function launchOf (name: Peer, options: { tls?: boolean, root?: boolean, executable?: string } = {}): PeerLaunch {
  return peerSpec(name).launch({ ctx, executable: options.executable ?? `/bin/${name}`, port: 9000, prefix: '/tmp/b/logs/p', tls: options.tls ?? false, root: options.root ?? false })
}

describe('peer command lines and configs', () => {
  it('the Node peers bind loopback without request logs', () => {
    assert.deepEqual(launchOf('http-server').command.args, ['/tmp/b/root', '-a', '127.0.0.1', '-p', '9000', '--silent'])
    assert.ok(launchOf('serve').command.args.includes('tcp://127.0.0.1:9000'))
    assert.equal(launchOf('serve').command.env.NO_UPDATE_CHECK, '1')
    assert.deepEqual(launchOf('sirv').command.args, ['/tmp/b/root', '--host', '127.0.0.1', '--port', '9000', '--quiet'])
    const fastify = launchOf('fastify-static').command
    assert.equal(fastify.command, '/usr/bin/node')
    assert.deepEqual(fastify.args, ['/repo/dist/bench/servers/fastify-static.js', '/tmp/b/root', '9000'])
  })

  it('nginx runs one process without an access log, and resumes TLS sessions over HTTPS', () => {
    const launch = launchOf('nginx')
    assert.deepEqual(launch.command.args, ['-p', '/tmp/b/logs/p', '-e', '/tmp/b/logs/p/error.log', '-c', '/tmp/b/logs/p/nginx.conf'])
    assert.equal(launch.files[0]?.path, '/tmp/b/logs/p/nginx.conf')
    const config = nginxConfig('/tmp/b/root', '/tmp/b/logs/nginx', 9000)
    assert.match(config, /listen 127\.0\.0\.1:9000;/)
    assert.match(config, /master_process off;/)
    assert.match(config, /worker_processes 1;/)
    assert.match(config, /access_log off;/)
    assert.match(config, /autoindex on;/)
    assert.doesNotMatch(config, /ssl/)
    const tls = launchOf('nginx', { tls: true }).files[0]!.content
    assert.match(tls, /listen 127\.0\.0\.1:9000 ssl;/)
    assert.match(tls, /ssl_certificate \/tmp\/b\/tools\/cert\.pem;/)
    assert.match(tls, /ssl_certificate_key \/tmp\/b\/tools\/key\.pem;/)
    assert.match(tls, /ssl_session_tickets on;/)
    assert.match(tls, /ssl_session_cache shared:SSL:1m;/)
  })

  it('lighttpd runs in the foreground as one process, lists folders, runs CGI, and loads TLS only for HTTPS', () => {
    const launch = launchOf('lighttpd')
    assert.deepEqual(launch.command.args, ['-D', '-f', '/tmp/b/logs/p/lighttpd.conf'])
    const config = launch.files[0]!.content
    assert.match(config, /server\.max-worker = 0/)
    assert.match(config, /server\.port = 9000/)
    assert.match(config, /server\.bind = "127\.0\.0\.1"/)
    assert.match(config, /dir-listing\.activate = "enable"/)
    assert.match(config, /\$HTTP\["url"\] =~ "\^\/cgi-bin\/" \{[^}]*cgi\.assign = \( "\.sh" => "", "\.py" => "" \)/)
    assert.match(config, /cgi\.assign[^}]*setenv\.set-environment = \( "PATH" => "\/usr\/bin" \)/)
    assert.doesNotMatch(config, /accesslog|mod_openssl/)
    const tls = launchOf('lighttpd', { tls: true }).files[0]!.content
    assert.match(tls, /"mod_openssl"/)
    assert.match(tls, /ssl\.engine = "enable"\nssl\.pemfile = "\/tmp\/b\/tools\/cert\.pem"\nssl\.privkey = "\/tmp\/b\/tools\/key\.pem"/)
    assert.equal(lighttpdConfig('/r', '/p', 1).includes('ssl.engine'), false)
  })

  it('Caddy runs a Caddyfile with browse, no admin endpoint, one core, its state in the run folder', () => {
    const launch = launchOf('caddy')
    assert.deepEqual(launch.command.args, ['run', '--config', '/tmp/b/logs/p/Caddyfile', '--adapter', 'caddyfile'])
    assert.equal(launch.command.env.GOMAXPROCS, '1')
    assert.equal(launch.command.env.XDG_DATA_HOME, '/tmp/b/logs/p/data')
    assert.equal(caddyfile('/r', 9000), '{\n  admin off\n  auto_https off\n}\nhttp://127.0.0.1:9000 {\n  root * /r\n  file_server browse\n}\n')
    assert.match(launchOf('caddy', { tls: true }).files[0]!.content, /https:\/\/127\.0\.0\.1:9000 \{[^}]*tls \/tmp\/b\/tools\/cert\.pem \/tmp\/b\/tools\/key\.pem/)
  })

  it('Apache runs its event MPM as one foreground process from a config of its own, with autoindex and mod_cgid', () => {
    const launch = launchOf('apache')
    assert.deepEqual(launch.command.args, ['-X', '-d', '/tmp/b/logs/p', '-f', '/tmp/b/logs/p/apache.conf'])
    const config = launch.files[0]!.content
    for (const module of ['mpm_event', 'autoindex', 'cgid', 'mime']) assert.match(config, new RegExp(`LoadModule ${module}_module /usr/lib/apache2/modules/mod_${module}\\.so`))
    assert.match(config, /Listen 127\.0\.0\.1:9000/)
    assert.match(config, /ThreadsPerChild 64/)
    assert.match(config, /ScriptAlias \/cgi-bin\/ \/tmp\/b\/root\/cgi-bin\//)
    assert.match(config, /Options Indexes/)
    assert.match(config, /PidFile \/tmp\/b\/logs\/p\/apache\.pid/)
    assert.doesNotMatch(config, /CustomLog|TransferLog|^User/m)
    assert.match(launchOf('apache', { root: true }).files[0]!.content, /^User nobody\nGroup nogroup$/m)
  })

  it('the Go peer gets the root, the address and, for HTTPS, the certificate, on one core', () => {
    const plain = launchOf('go', { executable: '/cache/go-peer-abc' }).command
    assert.equal(plain.command, '/cache/go-peer-abc')
    assert.deepEqual(plain.args, ['/tmp/b/root', '127.0.0.1:9000'])
    assert.equal(plain.env.GOMAXPROCS, '1')
    assert.deepEqual(launchOf('go', { tls: true }).command.args, ['/tmp/b/root', '127.0.0.1:9000', '/tmp/b/tools/cert.pem', '/tmp/b/tools/key.pem'])
  })

  it('the Go binary is named by the hash of its source and built without module lookups', () => {
    assert.equal(goBinaryName('package main'), goBinaryName('package main'))
    assert.notEqual(goBinaryName('package main'), goBinaryName('package main\n'))
    assert.match(goBinaryName('x'), /^go-peer-[0-9a-f]{16}$/)
    const env = goBuildEnv({ PATH: '/usr/bin' }, '/cache')
    assert.equal(env.GOCACHE, '/cache/go-build')
    assert.equal(env.GO111MODULE, 'off')
  })

  it('peers take part where they can; the rest are named in one note', () => {
    assert.deepEqual(peersFor('cgi').able.map(({ name }) => name), ['lighttpd', 'apache', 'go'])
    assert.deepEqual(peersFor('tls').able.map(({ name }) => name), ['nginx', 'lighttpd', 'caddy', 'go'])
    assert.match(peersFor('listing').note ?? '', /sirv$/)
    assert.equal(peersFor('static').note, undefined)
    assert.equal(PEERS.length, new Set(PEERS.map(({ name }) => name)).size)
  })
})

describe('--install-peers', () => {
  const missing = [peerSpec('lighttpd'), peerSpec('sirv'), peerSpec('caddy'), peerSpec('fastify-static')]

  it('installs the missing Debian packages with apt-get and the npm ones globally as root', () => {
    assert.deepEqual(installPlan(missing, { root: true, npmPrefix: '/c/npm' }), [
      { command: 'apt-get', args: ['update'] },
      { command: 'apt-get', args: ['install', '-y', 'lighttpd', 'lighttpd-mod-openssl', 'caddy'] },
      { command: 'npm', args: ['install', '-g', 'sirv-cli@3'] }
    ])
  })

  it('uses sudo for apt-get and a cache folder for npm without root, and nothing when nothing is missing', () => {
    const plan = installPlan(missing, { root: false, npmPrefix: '/c/npm' })
    assert.deepEqual(plan[0], { command: 'sudo', args: ['apt-get', 'update'] })
    assert.deepEqual(plan[2], { command: 'npm', args: ['install', '--prefix', '/c/npm', 'sirv-cli@3'] })
    assert.deepEqual(installPlan([], { root: true, npmPrefix: '/c/npm' }), [])
  })
})

describe('new TLS connection per request', () => {
  it('asks for the file and for the connection to close', () => {
    assert.equal(requestText({ host: '127.0.0.1', port: 9000, path: '/f', connections: 1 }), 'GET /f HTTP/1.1\r\nhost: 127.0.0.1:9000\r\nconnection: close\r\n\r\n')
  })

  it('https-new-conn uses it, over TLS, with the TLS-capable peers', () => {
    const scenario = loadScenario('https-new-conn')
    assert.equal(scenario.newConnections, true)
    assert.equal(scenario.tls, true)
    assert.equal(scenario.peers, 'tls')
    assert.equal(loadScenario('https-1k').newConnections, undefined)
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
