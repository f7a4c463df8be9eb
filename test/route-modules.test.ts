// `--routes DIR`: route modules from a folder, TypeScript without a build step.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { OptionError } from '../src/errors.js'
import { enableTypeScript, nodeStripsTypes, routeModuleError } from '../src/route-modules.js'
import { runCli } from './helpers/cli.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'

const HELLO_TS = `import type { FastifyPluginAsync } from 'fastify'

interface Query { name?: string }

const hello: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: Query }>('/hello', async (request) => ({ hello: request.query.name ?? 'world' }))
}

export default hello
`

const USERS_TS = `import type { FastifyPluginAsync } from 'fastify'

const users: FastifyPluginAsync = async (app) => {
  app.get('/', async () => ({ users: ['jdoe'] }))
  app.get<{ Params: { name: string } }>('/:name', async (request) => ({ user: request.params.name }))
}

export default users
`

describe('a folder of route modules', () => {
  let fixture: Fixture
  let app: FastifyInstance

  before(async () => {
    fixture = await makeTree({
      'site/hello': 'the static file that the route module shadows',
      'site/other.txt': 'static',
      'routes/hello.ts': HELLO_TS,
      'routes/users/index.ts': USERS_TS,
      'routes/legacy/index.js': 'module.exports = async function (app) { app.get("/", async () => "commonjs .js") }\n',
      'routes/esm/index.mjs': 'export default async function (app) { app.get("/", async () => "esm .mjs") }\n'
    })
    app = await buildApp({ directory: fixture.path('site'), routes: fixture.path('routes'), logLevel: 'silent' })
  })
  after(async () => {
    await app.close()
    await fixture.cleanup()
  })

  test('a .ts module loads without a build step and answers', async () => {
    const res = await app.inject({ url: '/hello?name=ada' })
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { hello: 'ada' })
  })

  test('.js and .mjs modules load too', async () => {
    assert.equal((await app.inject({ url: '/legacy' })).body, 'commonjs .js')
    assert.equal((await app.inject({ url: '/esm' })).body, 'esm .mjs')
  })

  test('a folder is the URL prefix of its index module', async () => {
    assert.deepEqual((await app.inject({ url: '/users' })).json(), { users: ['jdoe'] })
    assert.deepEqual((await app.inject({ url: '/users/ada' })).json(), { user: 'ada' })
  })

  test('a route module wins over a static file of the same path', async () => {
    assert.deepEqual((await app.inject({ url: '/hello' })).json(), { hello: 'world' })
  })

  test('static files the modules do not define are still served', async () => {
    assert.equal((await app.inject({ url: '/other.txt' })).body, 'static')
  })
})

test('servekit\'s own routes folder loads as route modules: echo and login under their folder names', async () => {
  const fixture = await makeTree({ 'index.html': 'home' })
  const app = await buildApp({ directory: fixture.dir, routes: fileURLToPath(new URL('../routes', import.meta.url)), logLevel: 'silent' })
  try {
    assert.equal((await app.inject({ method: 'DELETE', url: '/echo/x?a=1' })).json<{ method: string }>().method, 'DELETE')
    assert.equal((await app.inject({ url: '/login' })).statusCode, 200)
  } finally {
    await app.close()
    await fixture.cleanup()
  }
})

test('a missing folder is an option error', async () => {
  await assert.rejects(buildApp({ routes: '/nonexistent/servekit-routes', logLevel: 'silent' }), OptionError)
})

describe('a module that fails to load stops start-up', () => {
  let fixture: Fixture
  before(async () => {
    fixture = await makeTree({
      'syntax/ok.ts': HELLO_TS,
      'syntax/broken.ts': 'export default async (app: any) => {\n  app.get("/", async () => "x" +)\n}\n',
      'throws/boom/index.ts': 'export default async () => { throw new Error("no database configured") }\n'
    })
  })
  after(async () => { await fixture.cleanup() })

  async function failedStart (dir: string): Promise<{ code: number | null, stderr: string }> {
    const run = runCli(['--routes', dir, '-b', '127.0.0.1', '0'], {}, fixture.dir)
    return await run.exited
  }

  test('a syntax error: exit 1 and one line naming the file', async () => {
    const { code, stderr } = await failedStart('syntax')
    assert.equal(code, 1)
    const lines = stderr.split('\n').filter((line) => line !== '')
    assert.equal(lines.length, 1, stderr)
    assert.match(lines[0]!, /^servekit: .*route module syntax\/broken\.ts failed to load: .*(Unexpected|SyntaxError)/)
  })

  test('a plugin that throws while registering: exit 1 and one line naming the file', async () => {
    const { code, stderr } = await failedStart('throws')
    assert.equal(code, 1)
    assert.equal(stderr, 'servekit: could not start: route module throws/boom/index.ts failed to load: no database configured\n')
  })

  test('a missing folder: exit 2 and one line', async () => {
    const { code, stderr } = await failedStart('nowhere')
    assert.equal(code, 2)
    assert.equal(stderr, 'servekit: --routes nowhere does not exist\n')
  })
})

test('an error that names no file still says which folder', () => {
  const error = routeModuleError(new TypeError('bad\nthing'), '/srv/routes')
  assert.equal(error.message, 'a route module in /srv/routes failed to load: TypeError: bad thing')
})

test('a file URL in a stack is shown as a path', () => {
  const error = new SyntaxError('Unexpected token')
  error.stack = 'SyntaxError: Unexpected token\n    at file:///srv/my%20routes/a/b.mjs:3:1'
  assert.match(routeModuleError(error, '/srv/my routes').message, /^route module \/srv\/my routes\/a\/b\.mjs failed to load: SyntaxError: Unexpected token$/)
})

test('where Node strips types itself, tsx is not loaded', async () => {
  let loaded = false
  const load = async (): Promise<never> => { loaded = true; throw new Error('tsx must not be needed') }
  await enableTypeScript('/srv/routes', load, { typescript: 'strip' } as unknown as NodeJS.ProcessFeatures)
  assert.equal(loaded, false)
  assert.equal(nodeStripsTypes({ typescript: 'transform' } as unknown as NodeJS.ProcessFeatures), true)
  assert.equal(nodeStripsTypes({} as NodeJS.ProcessFeatures), false)
})

test('a Node that cannot strip types, without tsx installed: one line saying what to install', async () => {
  const load = async (): Promise<never> => { throw Object.assign(new Error("Cannot find package 'tsx'"), { code: 'ERR_MODULE_NOT_FOUND' }) }
  await assert.rejects(enableTypeScript('/srv/routes', load, {} as NodeJS.ProcessFeatures), {
    name: 'RouteModuleError',
    message: `/srv/routes has TypeScript route modules, which Node ${process.version} cannot run by itself: install tsx beside servekit (npm install tsx), or use Node 22.18 or later`
  })
})
