// The package as a library: the README's example, imported by the package name.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import { echo } from 'servekit'

test('the README example: echo registered in a plain Fastify app', async () => {
  const app = Fastify()
  await app.register(echo, { prefix: '/echo', bodyLimit: 64 * 1024 })
  app.post('/api/items', async (request) => ({ received: request.body }))
  try {
    const echoed = await app.inject({ method: 'POST', url: '/echo/items?page=2', headers: { 'content-type': 'application/json' }, payload: '{"name":"pen"}' })
    assert.equal(echoed.statusCode, 200)
    assert.equal(echoed.json<{ post_data: string }>().post_data, '{"name":"pen"}')
    assert.deepEqual(echoed.json<{ query_data: unknown }>().query_data, { page: '2' })

    // echo's raw-body parser stays inside echo: the app's own routes still get parsed JSON.
    const own = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json' }, payload: '{"name":"pen"}' })
    assert.deepEqual(own.json(), { received: { name: 'pen' } })

    const tooLarge = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: Buffer.alloc(64 * 1024 + 1) })
    assert.equal(tooLarge.statusCode, 413)
  } finally {
    await app.close()
  }
})

test('echo without a prefix echoes every path', async () => {
  const app = Fastify()
  await app.register(echo)
  try {
    for (const url of ['/', '/a', '/a/b/']) assert.equal((await app.inject({ url })).json<{ path: string }>().path, url)
  } finally {
    await app.close()
  }
})

test('echo reuses an app-wide @fastify/cookie and refuses a second @fastify/multipart', async () => {
  const withCookie = Fastify()
  await withCookie.register((await import('@fastify/cookie')).default)
  await withCookie.register(echo, { prefix: '/echo' })
  try {
    const res = await withCookie.inject({ url: '/echo', headers: { cookie: 'a=1; a=2' } })
    assert.deepEqual(res.json<{ cookies: unknown }>().cookies, { a: ['1', '2'] })
  } finally {
    await withCookie.close()
  }

  const withMultipart = Fastify()
  await withMultipart.register((await import('@fastify/multipart')).default)
  await assert.rejects(async () => { await withMultipart.register(echo) }, /@fastify\/multipart/)
  await withMultipart.close()
})

test('a bad bodyLimit names the option', async () => {
  const app = Fastify()
  await assert.rejects(async () => { await app.register(echo, { bodyLimit: -1 }) }, /echo: bodyLimit must be a positive whole number/)
  await app.close()
})
