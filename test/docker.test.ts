// The Dockerfile, the compose files and the Caddyfile cannot be run here (no
// Docker engine), so they are checked against the code they package: the same
// command the tests start, the same port, the health path the app serves, files
// that exist; and by real validators (dclint's Compose Specification schema,
// dockerfile-utils, and caddy when it is installed).
import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { BlockList, isIPv4 } from 'node:net'
import { join, posix, relative } from 'node:path'
import { after, test } from 'node:test'
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { parse as parseYaml } from 'yaml'
import { HEALTH_PATH } from '../routes/health/index.js'
import { flagVariables, OTHER_VARIABLES } from '../src/args.js'
import { DEFAULT_PORT } from '../src/options.js'
import { SHUTDOWN_GRACE_MS } from '../src/server.js'
import { trustedProxies } from '../src/trust-proxy.js'
import { CLI } from './helpers/cli.js'
import { makeTree } from './helpers/fixtures.js'
import { FROM_SOURCE, REPO } from './helpers/repo.js'

const ROOT = REPO + '/'
const at = (...parts: string[]): string => join(ROOT, ...parts)
const text = async (file: string): Promise<string> => await readFile(at(file), 'utf8')

async function exists (path: string): Promise<boolean> {
  return await access(path).then(() => true, () => false)
}

// ---- the Dockerfile, as its instructions ----

interface Stage { name: string | undefined, image: string, workdir: string, instructions: Instruction[] }

async function dockerfileStages (): Promise<Stage[]> {
  const stages: Stage[] = []
  for (const instruction of DockerfileParser.parse(await text('Dockerfile')).getInstructions()) {
    const [image = '', as, name] = instruction.getArguments().map((a) => a.getValue())
    if (instruction.getKeyword() === 'FROM') {
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, image, workdir: '/', instructions: [] })
      continue
    }
    const stage = stages.at(-1)
    if (stage === undefined) continue
    if (instruction.getKeyword() === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, image)
    stage.instructions.push(instruction)
  }
  return stages
}

const argumentsOf = (instruction: Instruction): string[] => instruction.getArguments().map((a) => a.getValue())
const ofKind = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.getKeyword() === keyword)

/** The exec-form array of an ENTRYPOINT, CMD or HEALTHCHECK CMD. */
function execForm (instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? ''
  return JSON.parse(content.slice(content.indexOf('['))) as string[]
}

/** ENV and ARG values of a stage. */
function variables (stage: Stage): Record<string, string> {
  return Object.fromEntries(ofKind(stage, 'ENV').flatMap(argumentsOf).map((pair) => pair.split('=', 2) as [string, string]))
}

async function runtime (): Promise<Stage> {
  const stages = await dockerfileStages()
  return stages.at(-1)!
}

// ---- compose ----

interface Service {
  build?: string
  image?: string
  command?: unknown
  entrypoint?: unknown
  environment?: Record<string, string>
  ports?: string[]
  expose?: string[]
  volumes?: string[]
  read_only?: boolean
  tmpfs?: string[]
  restart?: string
  stop_grace_period?: string
  healthcheck?: { test: string[] }
  deploy?: { replicas?: number }
  networks?: string[] | Record<string, { ipv4_address?: string } | null>
}

interface Compose {
  name: string
  services: Record<string, Service>
  networks?: Record<string, { internal?: boolean, ipam?: { config: Array<{ subnet: string, ip_range?: string }> } }>
  volumes?: Record<string, unknown>
}

async function compose (file: string): Promise<Compose> {
  return parseYaml(await text(file)) as Compose
}

/** `${VAR:-default}` as compose reads it when VAR is unset. */
const unsetDefaults = (value: string): string => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')

function seconds (duration: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration)
  assert.ok(match !== null, `a duration: ${duration}`)
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm']
}

const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.scale.yml']

test('the image starts the command the tests start, under tini, as node', async () => {
  const stage = await runtime()
  const [entrypoint] = ofKind(stage, 'ENTRYPOINT')
  assert.ok(entrypoint !== undefined)
  const command = execForm(entrypoint)
  assert.deepEqual(command.slice(0, 3), ['/usr/bin/tini', '--', 'node'])
  assert.equal(command.length, 4, 'no arguments baked in: flags come from SERVEKIT_* variables or docker run')
  // The image runs the build; so does this suite, unless it runs from source.
  assert.equal(posix.relative(stage.workdir, command[3]!), 'dist/cli/servekit.js')
  if (!FROM_SOURCE) assert.equal(relative(ROOT, CLI).split('\\').join('/'), 'dist/cli/servekit.js')
  assert.equal(ofKind(stage, 'CMD').length, 0)
  assert.deepEqual(ofKind(stage, 'USER').map(argumentsOf), [['node']])
  const install = ofKind(stage, 'RUN').map(argumentsOf).find((words) => words.includes('install'))
  for (const pkg of ['tini', 'python3']) assert.ok(install?.includes(pkg), `apt-get install ${pkg}`)
})

test('the image exposes servekit\'s port, serves /srv, and keeps the TLS cache where the node user can write', async () => {
  const stage = await runtime()
  assert.deepEqual(ofKind(stage, 'EXPOSE').map(argumentsOf), [[String(DEFAULT_PORT)]])
  const env = variables(stage)
  assert.equal(env.NODE_ENV, 'production')
  assert.equal(env.SERVEKIT_DIRECTORY, '/srv')
  assert.ok(env.XDG_CONFIG_HOME !== undefined)
  const run = ofKind(stage, 'RUN').map((i) => i.getArgumentsContent() ?? '').join(' ')
  assert.ok(run.includes(`chown -R node:node ${env.XDG_CONFIG_HOME}`), 'the cache folder belongs to node')
})

test('both stages are slim Debian Node images from one ARG; the build installs dev dependencies and prunes them', async () => {
  const stages = await dockerfileStages()
  assert.equal(stages.length, 2)
  for (const stage of stages) assert.equal(stage.image, 'node:${NODE_VERSION}-bookworm-slim')
  const version = /^ARG NODE_VERSION=(\d+)$/m.exec(await text('Dockerfile'))?.[1]
  assert.ok(version !== undefined && Number(version) >= 20 && Number(version) % 2 === 0, 'an LTS line')
  const build = ofKind(stages[0]!, 'RUN').map((i) => i.getArgumentsContent() ?? '').join(' && ')
  assert.match(build, /npm ci\b/)
  assert.match(build, /npm prune --omit=dev/)
})

test('every COPY source exists and gets past .dockerignore; runtime copies come from the build\'s dist', async () => {
  const stages = await dockerfileStages()
  const ignore = (await text('.dockerignore')).split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
  assert.equal(ignore[0], '*', '.dockerignore lets in only what it names')
  const allowed = new Set(ignore.slice(1).map((line) => line.replace(/^!/, '')))
  for (const stage of stages) {
    for (const copy of ofKind(stage, 'COPY')) {
      const from = (copy as Copy).getFromFlag()?.getValue() ?? undefined
      const sources = argumentsOf(copy).slice(0, -1)
      for (const source of sources) {
        if (from === undefined) {
          assert.ok(await exists(at(source)), `${source} exists`)
          assert.ok(allowed.has(source), `${source} is in .dockerignore's allow list`)
        } else {
          const builder = stages.find((s) => s.name === from)
          assert.ok(builder !== undefined, `stage ${from}`)
          const inRepo = posix.relative(builder.workdir, source)
          assert.ok(!inRepo.startsWith('..'), `${source} lies in the build's ${builder.workdir}`)
          if (inRepo !== 'node_modules') assert.ok(await exists(at(inRepo)), `${inRepo} exists after npm run build`)
        }
      }
    }
  }
})

test('the image builds the CGI accelerator, and what the runtime copies of it loads on its own', async (t) => {
  const [build, run] = await dockerfileStages() as [Stage, Stage]
  const buildRuns = ofKind(build, 'RUN').map((i) => i.getArgumentsContent() ?? '').join(' && ')
  for (const tool of ['python3', 'make', 'g++']) assert.match(buildRuns, new RegExp(`apt-get install[^&]* ${tool.replaceAll('+', '\\+')}(\\s|$)`), `the build stage installs ${tool}`)
  // Built after npm ci (which runs no scripts) and proven to load before the prune.
  const rebuild = buildRuns.indexOf('npm rebuild servekit-spawn')
  assert.ok(rebuild > buildRuns.indexOf('npm ci') && rebuild < buildRuns.indexOf('npm prune'), 'rebuilt between npm ci and the prune')
  assert.ok(buildRuns.includes("require('servekit-spawn')"), 'a failed build fails the image')
  // The runtime stage's copies of it, laid out as the image has them, must load by name.
  const copies = ofKind(run, 'COPY').map(argumentsOf).filter((words) => words.at(-1)!.includes('node_modules/servekit-spawn'))
  assert.ok(copies.length > 0, 'the runtime stage copies the accelerator in')
  const built = at('packages', 'spawn', 'build', 'Release', 'spawn.node')
  if (!await exists(built)) return t.skip('servekit-spawn is not built here (no compiler at npm ci)')
  const fixture = await makeTree({ 'app/.keep': '' })
  try {
    const app = join(fixture.dir, 'app')
    for (const words of copies) {
      const target = join(app, posix.relative(run.workdir, posix.resolve(run.workdir, words.at(-1)!)))
      for (const source of words.slice(0, -1)) {
        const inRepo = posix.relative(build.workdir, source)
        await mkdir(target, { recursive: true })
        await copyFile(at(inRepo), join(target, posix.basename(inRepo)))
      }
    }
    const loaded = await new Promise<{ code: number | null, out: string }>((resolve) => {
      const child = spawn(process.execPath, ['-e', "process.stdout.write(String(require('servekit-spawn').supported()))"], { cwd: app, stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
      child.on('close', (code) => { resolve({ code, out }) })
    })
    assert.deepEqual(loaded, { code: 0, out: 'true' })
  } finally {
    await fixture.cleanup()
  }
})

test('the image\'s health check runs the shipped script, which asks the path the app serves', async () => {
  const stage = await runtime()
  const [healthcheck] = ofKind(stage, 'HEALTHCHECK')
  assert.ok(healthcheck !== undefined)
  const command = execForm(healthcheck)
  assert.equal(command[0], 'node')
  const script = posix.relative(stage.workdir, command[1]!)
  assert.equal(script, 'dist/src/healthcheck.js')
  assert.ok(await exists(at(script)))
  assert.ok((await readFile(at(script), 'utf8')).includes('HEALTH_PATH'), 'the script asks for HEALTH_PATH')
  assert.ok((await text('deploy/Caddyfile')).includes(`health_uri ${HEALTH_PATH}`))
})

test('dockerfile-utils finds nothing wrong with the Dockerfile', async () => {
  assert.deepEqual(validate(await text('Dockerfile')).map((d) => `${d.range.start.line + 1}: ${d.message}`), [])
})

test('compose services run the image\'s own command and health check, and every host path they mount exists', async () => {
  const stage = await runtime()
  const imageCheck = ['CMD', ...execForm(ofKind(stage, 'HEALTHCHECK')[0]!)]
  for (const file of COMPOSE_FILES) {
    const { services } = await compose(file)
    for (const [name, service] of Object.entries(services)) {
      assert.equal(service.command, undefined, `${file} ${name}`)
      assert.equal(service.entrypoint, undefined, `${file} ${name}`)
      for (const volume of service.volumes ?? []) {
        const source = unsetDefaults(volume.split(':')[0]!)
        if (source.startsWith('.') || source.startsWith('/')) assert.ok(await exists(at(source)), `${file} ${name}: ${source} exists`)
      }
      if (service.build === undefined) continue
      assert.equal(service.build, '.', 'built from this Dockerfile')
      assert.deepEqual(service.healthcheck?.test, imageCheck, `${file} ${name}`)
      assert.equal(service.read_only, true)
      assert.ok(service.tmpfs?.includes('/tmp'), 'CGI spools request bodies in /tmp')
      assert.equal(service.restart, 'unless-stopped')
      assert.ok(seconds(service.stop_grace_period ?? '10s') > SHUTDOWN_GRACE_MS / 1000, 'Docker waits longer than servekit drains')
      const known = new Set([...flagVariables().map(([, v]) => v), ...Object.keys(OTHER_VARIABLES)])
      for (const variable of Object.keys(service.environment ?? {})) assert.ok(known.has(variable), `${file} ${name}: ${variable} is a servekit setting`)
    }
  }
})

test('the demo service publishes the image\'s port and keeps the TLS cache on a volume', async () => {
  const { services, volumes } = await compose('docker-compose.yml')
  const service = services.servekit!
  assert.deepEqual(service.ports, [`127.0.0.1:${DEFAULT_PORT}:${DEFAULT_PORT}`])
  const env = variables(await runtime())
  const cache = service.volumes?.find((v) => v.split(':')[1] === env.XDG_CONFIG_HOME)
  assert.ok(cache !== undefined, 'a volume on XDG_CONFIG_HOME')
  assert.ok(volumes?.[cache.split(':')[0]!] !== undefined, 'a named volume')
})

test('scale-out: one Caddy upstream per replica, only the proxy\'s address trusted, a shared secret required', async () => {
  const { name, services, networks } = await compose('docker-compose.scale.yml')
  const replica = services.replica!
  const proxy = services.proxy!
  assert.equal(replica.ports, undefined, 'replicas publish no port; the proxy does')
  assert.deepEqual(replica.expose, [String(DEFAULT_PORT)])

  const caddyfile = await text('deploy/Caddyfile')
  const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/)
  const replicas = replica.deploy?.replicas ?? 1
  assert.deepEqual(upstreams, Array.from({ length: replicas }, (_, i) => `${name}-replica-${i + 1}:${DEFAULT_PORT}`))

  const backend = (proxy.networks as Record<string, { ipv4_address?: string } | null>).backend
  const address = backend?.ipv4_address
  assert.ok(address !== undefined && isIPv4(address))
  assert.equal(replica.environment?.SERVEKIT_TRUST_PROXY, address)
  assert.deepEqual(trustedProxies(address), [address])
  const [range] = networks?.backend?.ipam?.config ?? []
  assert.ok(range?.ip_range !== undefined)
  const inside = (cidr: string): boolean => {
    const [prefix, bits] = cidr.split('/')
    const list = new BlockList()
    list.addSubnet(prefix!, Number(bits))
    return list.check(address)
  }
  assert.ok(inside(range.subnet), 'the proxy\'s address is on the backend network')
  assert.ok(!inside(range.ip_range), 'and outside the range replicas are given')
  assert.equal(networks?.backend?.internal, true)

  assert.match(replica.environment?.SERVEKIT_SECRET ?? '', /^\$\{SERVEKIT_SECRET:\?/)
  assert.equal(replica.environment?.SERVEKIT_LOGIN, '1')
})

async function dclint (files: string[]): Promise<{ code: number | null, output: string }> {
  const child = spawn(process.execPath, [at('node_modules/dclint/bin/dclint.cjs'), '--max-warnings', '0', ...files], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, output }
}

test('dclint validates the compose files against the Compose Specification, with no warnings', async () => {
  const result = await dclint(COMPOSE_FILES)
  assert.equal(result.code, 0, result.output)
})

test('dclint does catch a mistake (the check is live)', async () => {
  const fixture = await makeTree({})
  after(async () => { await fixture.cleanup() })
  const broken = fixture.path('docker-compose.yml')
  await writeFile(broken, (await text('docker-compose.yml')).replace('restart: unless-stopped', 'restrat: unless-stopped'))
  const result = await dclint([broken])
  assert.equal(result.code, 1)
  assert.match(result.output, /instancePath="\/services\/servekit".*must NOT have additional properties.*invalid-schema/)
})

async function caddyValidate (): Promise<{ code: number | null, output: string } | undefined> {
  const child = spawn('caddy', ['validate', '--adapter', 'caddyfile', '--config', at('deploy/Caddyfile')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  return await new Promise((resolve) => {
    child.on('error', () => resolve(undefined))
    child.on('close', (code) => resolve({ code, output }))
  })
}

test('caddy accepts the Caddyfile', async (t) => {
  const result = await caddyValidate()
  if (result === undefined) {
    t.skip('caddy is not installed (apt-get install caddy)')
    return
  }
  assert.equal(result.code, 0, result.output)
})
