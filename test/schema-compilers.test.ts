// Fastify's schema compilers are loaded on the first route with a schema
// (src/schema-compilers.ts): a route module that has one works as with Fastify's own.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { code, NODE_ARGS } from './helpers/repo.js'

const run = promisify(execFile)

describe('a route with schemas', () => {
  let fixture: Fixture
  let app: FastifyInstance

  before(async () => {
    fixture = await makeTree({ 'a.txt': 'a' })
    app = await buildApp({ directory: fixture.dir, logLevel: 'silent' })
    await app.register(async (routes) => {
      routes.post('/things', {
        schema: {
          // Written as people write header names; Fastify's Ajv matches them in lower case.
          headers: { type: 'object', required: ['X-Token'], properties: { 'X-Token': { type: 'string', minLength: 3 } } },
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          response: { 200: { type: 'object', properties: { name: { type: 'string' } } } }
        }
      }, async (request) => ({ ...(request.body as object), secret: 'not in the schema' }))
    })
  })
  after(async () => {
    await app.close()
    await fixture.cleanup()
  })

  test('a valid request passes, and the response schema drops what it does not name', async () => {
    const response = await app.inject({ method: 'POST', url: '/things', headers: { 'x-token': 'abcd' }, payload: { name: 'kettle' } })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { name: 'kettle' })
  })

  test('a body or a header the schema refuses is a 400', async () => {
    const noName = await app.inject({ method: 'POST', url: '/things', headers: { 'x-token': 'abcd' }, payload: { other: 1 } })
    assert.equal(noName.statusCode, 400)
    const shortToken = await app.inject({ method: 'POST', url: '/things', headers: { 'x-token': 'ab' }, payload: { name: 'kettle' } })
    assert.equal(shortToken.statusCode, 400)
    const noToken = await app.inject({ method: 'POST', url: '/things', payload: { name: 'kettle' } })
    assert.equal(noToken.statusCode, 400)
  })
})

test('an app whose routes have no schema never loads Ajv nor fast-json-stringify\'s compiler', async () => {
  const fixture = await makeTree({ 'a.txt': 'a' })
  try {
    // A process of its own: the module cache of this one has the compilers from the tests above.
    const script = `
      import { createRequire } from 'node:module'
      const { buildApp } = await import(${JSON.stringify(code('src/app'))})
      const app = await buildApp({ directory: ${JSON.stringify(fixture.dir)}, logLevel: 'silent', echo: true })
      const answer = await app.inject({ url: '/a.txt' })
      // Fastify's own error serializer, compiled ahead, needs only fast-json-stringify/lib/serializer.
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => /node_modules[\\\\/](ajv[\\\\/]|fast-json-stringify[\\\\/]index)/.test(file))
      console.log(JSON.stringify({ status: answer.statusCode, loaded: loaded.length }))
      await app.close()
    `
    const { stdout } = await run(process.execPath, [...NODE_ARGS, '--input-type=module', '-e', script])
    assert.deepEqual(JSON.parse(stdout), { status: 200, loaded: 0 })
  } finally {
    await fixture.cleanup()
  }
})
