// RFC 3875 section 4.1 metavariables, built from plain values.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cgiEnvironment, headerVariables, inheritedEnvironment, serverName, type CgiRequest, type CgiScript, type CgiHost } from '../plugins/cgi/environment.js'

const script: CgiScript = { scriptName: '/cgi-bin/env.sh', pathInfo: '/extra/path', filename: '/srv/site/cgi-bin/env.sh' }
const host: CgiHost = { documentRoot: '/srv/site', serverSoftware: 'servekit/1.2.3', baseEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } }

function request (overrides: Partial<CgiRequest> = {}): CgiRequest {
  return {
    method: 'POST',
    target: '/cgi-bin/env.sh/extra/path?q=1&r=a%20b',
    httpVersion: '1.1',
    rawHeaders: [
      'Host', 'example.test:8080',
      'Content-Type', 'application/x-www-form-urlencoded',
      'Content-Length', '11',
      'Cookie', 'a=1',
      'X-Multi', 'one',
      'Cookie', 'b=2',
      'x-multi', 'two',
      'Proxy', 'http://evil.example:3128',
      'Authorization', 'Basic dXNlcjpwYXNz',
      'Proxy-Authorization', 'Basic dXNlcjpwYXNz',
      'User-Agent', 'test/1.0'
    ],
    hostname: 'example.test',
    remoteAddress: '192.0.2.7',
    remotePort: 51000,
    localAddress: '127.0.0.1',
    localPort: 8080,
    tls: false,
    contentLength: 11,
    ...overrides
  }
}

test('a request with path info, query and body gets every RFC 3875 4.1 variable', () => {
  const env = cgiEnvironment(request(), script, host)
  assert.equal(env.AUTH_TYPE, '')
  assert.equal(env.CONTENT_LENGTH, '11')
  assert.equal(env.CONTENT_TYPE, 'application/x-www-form-urlencoded')
  assert.equal(env.GATEWAY_INTERFACE, 'CGI/1.1')
  assert.equal(env.PATH_INFO, '/extra/path')
  assert.equal(env.PATH_TRANSLATED, '/srv/site/extra/path')
  assert.equal(env.QUERY_STRING, 'q=1&r=a%20b')
  assert.equal(env.REMOTE_ADDR, '192.0.2.7')
  assert.equal(env.REMOTE_HOST, '192.0.2.7')
  assert.equal(env.REMOTE_USER, '')
  assert.equal(env.REQUEST_METHOD, 'POST')
  assert.equal(env.SCRIPT_NAME, '/cgi-bin/env.sh')
  assert.equal(env.SERVER_NAME, 'example.test')
  assert.equal(env.SERVER_PORT, '8080')
  assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1')
  assert.equal(env.SERVER_SOFTWARE, 'servekit/1.2.3')
})

test('a user whose password the server checked is AUTH_TYPE Basic and REMOTE_USER; the credentials never reach the script', () => {
  const env = cgiEnvironment(request({ user: 'ann' }), script, host)
  assert.equal(env.AUTH_TYPE, 'Basic')
  assert.equal(env.REMOTE_USER, 'ann')
  assert.equal(env.HTTP_AUTHORIZATION, undefined)
  assert.ok(!Object.values(env).some((value) => value.includes('dXNlcjpwYXNz')))
})

test('the common extensions are set: REQUEST_URI, SCRIPT_FILENAME, DOCUMENT_ROOT, REMOTE_PORT, REQUEST_SCHEME', () => {
  const env = cgiEnvironment(request(), script, host)
  assert.equal(env.REQUEST_URI, '/cgi-bin/env.sh/extra/path?q=1&r=a%20b')
  assert.equal(env.SCRIPT_FILENAME, '/srv/site/cgi-bin/env.sh')
  assert.equal(env.DOCUMENT_ROOT, '/srv/site')
  assert.equal(env.REMOTE_PORT, '51000')
  assert.equal(env.REQUEST_SCHEME, 'http')
  assert.equal(env.HTTPS, undefined)
})

test('HTTPS=on when the request came over TLS', () => {
  const env = cgiEnvironment(request({ tls: true }), script, host)
  assert.equal(env.HTTPS, 'on')
  assert.equal(env.REQUEST_SCHEME, 'https')
})

test('repeated headers are joined with ", " and cookies with "; ", in the order received', () => {
  const env = cgiEnvironment(request(), script, host)
  assert.equal(env.HTTP_X_MULTI, 'one, two')
  assert.equal(env.HTTP_COOKIE, 'a=1; b=2')
  assert.equal(env.HTTP_USER_AGENT, 'test/1.0')
  assert.equal(env.HTTP_HOST, 'example.test:8080')
})

test('Proxy never becomes HTTP_PROXY, and credentials never reach the script', () => {
  const env = cgiEnvironment(request(), script, host)
  assert.equal(env.HTTP_PROXY, undefined)
  assert.equal(env.HTTP_AUTHORIZATION, undefined)
  assert.equal(env.HTTP_PROXY_AUTHORIZATION, undefined)
})

test('Content-Type and Content-Length come only as CONTENT_*, and Transfer-Encoding not at all', () => {
  const env = cgiEnvironment(request({ rawHeaders: ['Content-Type', 'text/plain', 'Content-Length', '3', 'Transfer-Encoding', 'chunked'] }), script, host)
  assert.equal(env.HTTP_CONTENT_TYPE, undefined)
  assert.equal(env.HTTP_CONTENT_LENGTH, undefined)
  assert.equal(env.HTTP_TRANSFER_ENCODING, undefined)
})

test('a header with an underscore cannot pose as another header', () => {
  const variables = headerVariables(['X-Forwarded-For', '10.0.0.1', 'X_Forwarded_For', '6.6.6.6', 'X.Dot', 'x'])
  assert.deepEqual(variables, { HTTP_X_FORWARDED_FOR: '10.0.0.1' })
})

test('CONTENT_LENGTH and CONTENT_TYPE are absent without a body and a type; PATH_TRANSLATED is empty without path info', () => {
  const env = cgiEnvironment(request({ method: 'GET', rawHeaders: ['Host', 'h'], contentLength: undefined }), { ...script, pathInfo: '' }, host)
  assert.equal('CONTENT_LENGTH' in env, false)
  assert.equal('CONTENT_TYPE' in env, false)
  assert.equal(env.PATH_INFO, '')
  assert.equal(env.PATH_TRANSLATED, '')
})

test('an empty body still has CONTENT_LENGTH=0', () => {
  assert.equal(cgiEnvironment(request({ contentLength: 0 }), script, host).CONTENT_LENGTH, '0')
})

test('QUERY_STRING is empty, not missing, without a query', () => {
  assert.equal(cgiEnvironment(request({ target: '/cgi-bin/env.sh' }), script, host).QUERY_STRING, '')
})

test('SERVER_PROTOCOL is the version the client spoke', () => {
  assert.equal(cgiEnvironment(request({ httpVersion: '1.0' }), script, host).SERVER_PROTOCOL, 'HTTP/1.0')
})

test('SERVER_NAME is the Host name, else the address the request arrived on', () => {
  assert.equal(serverName('example.test', '127.0.0.1'), 'example.test')
  assert.equal(serverName('[::1]', '::1'), '[::1]')
  assert.equal(serverName(undefined, '127.0.0.1'), '127.0.0.1')
  assert.equal(serverName(undefined, '::1'), '[::1]')
  assert.equal(serverName('bad host<script>', '10.1.2.3'), '10.1.2.3')
})

test('the server environment is not inherited beyond the base environment, which the protocol overrides', () => {
  const env = cgiEnvironment(request(), script, { ...host, baseEnv: { PATH: '/bin', SERVER_NAME: 'spoofed' } })
  assert.equal(env.PATH, '/bin')
  assert.equal(env.SERVER_NAME, 'example.test')
  assert.equal(env.HOME, undefined)
})

test('scripts inherit PATH and the locale, nothing else', () => {
  const picked = inheritedEnvironment({ PATH: '/opt/bin:/bin', LANG: 'de_DE.UTF-8', LC_ALL: 'C', TZ: 'UTC', HOME: '/root', HTTP_PROXY: 'x', AWS_SECRET_ACCESS_KEY: 'k', LD_PRELOAD: '/evil.so' })
  assert.deepEqual(picked, { PATH: '/opt/bin:/bin', LANG: 'de_DE.UTF-8', LC_ALL: 'C', TZ: 'UTC' })
})

test('without a PATH of its own the server gives scripts a standard one', () => {
  assert.deepEqual(inheritedEnvironment({}), { PATH: '/usr/local/bin:/usr/bin:/bin' })
})
