// CGI end to end over real sockets: which URLs run what, what scripts see, and
// how their answers reach the client.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTree, type Fixture } from './helpers/fixtures.js'
import { exchange, get } from './helpers/http.js'
import { serve } from './helpers/server.js'
import { memoryLog, type MemoryLog } from './helpers/log.js'
import { parseEnv, sh } from './helpers/cgi.js'
import type { RunningServer } from '../src/server.js'
import { REPO } from './helpers/repo.js'

const ENV = sh("printf 'Content-Type: text/plain\\n\\n'\nenv")
const ECHO = sh("printf 'Content-Type: text/plain\\n\\n'\nprintf '%s %s\\n' \"$REQUEST_METHOD\" \"${CONTENT_LENGTH-none}\"\ncat")

const TREE = {
  'page.txt': 'a static page\n',
  'outside.sh': sh("printf 'Content-Type: text/plain\\n\\noutside'"),
  'cgi-bin/env.sh': ENV,
  'cgi-bin/echo.sh': ECHO,
  'cgi-bin/sub/nested.sh': sh("printf 'Content-Type: text/plain\\n\\nnested %s' \"$SCRIPT_NAME\""),
  'cgi-bin/not-executable.sh': sh("printf 'Content-Type: text/plain\\n\\nran'", 0o644),
  'cgi-bin/.hidden.sh': sh("printf 'Content-Type: text/plain\\n\\nhidden'"),
  'cgi-bin/escape.sh': { symlink: '../outside.sh' },
  'cgi-bin/turned.sh': sh("printf 'Content-Type: text/plain\\n\\ninside'"),
  'cgi-bin/status.sh': sh("printf 'Status: 404 No Such Thing\\nContent-Type: text/plain\\n\\nmissing\\n'"),
  'cgi-bin/no-content.sh': sh("printf 'Status: 204\\n\\n'"),
  'cgi-bin/crlf.sh': sh("printf 'Content-Type: text/plain\\r\\nX-Line-Ends: crlf\\r\\n\\r\\ncrlf body'"),
  'cgi-bin/cookies.sh': sh("printf 'Content-Type: text/plain\\nSet-Cookie: a=1; Path=/\\nSet-Cookie: b=2\\nVary: Cookie\\nVary: Accept\\n\\nok'"),
  'cgi-bin/redirect.sh': sh("printf 'Location: https://example.test/elsewhere\\n\\n'"),
  'cgi-bin/see-other.sh': sh("printf 'Status: 303 See Other\\nLocation: /done\\n\\n'"),
  'cgi-bin/moved.sh': sh("printf 'Status: 301 Moved Permanently\\nLocation: https://example.test/new\\nContent-Type: text/html\\n\\n<a href=\"https://example.test/new\">moved</a>'"),
  'cgi-bin/local.sh': sh("printf 'Location: /cgi-bin/env.sh/from-redirect?via=local\\n\\n'"),
  'cgi-bin/local-static.sh': sh("printf 'Location: /page.txt\\n\\nignored body'"),
  'cgi-bin/loop.sh': sh("printf 'Location: /cgi-bin/loop.sh\\n\\n'"),
  'cgi-bin/crash.sh': sh('exit 3'),
  'cgi-bin/half.sh': sh("printf 'Content-Type: text/plain\\n'\nexit 1"),
  'cgi-bin/garbage.sh': sh("printf 'Hello, world!\\n\\n'"),
  'cgi-bin/no-type.sh': sh("printf 'X-Thing: 1\\n\\nbody'"),
  'cgi-bin/huge-header.sh': sh("i=0\nwhile [ $i -lt 1500 ]; do printf 'X-Filler-%d: %s\\n' $i aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; i=$((i+1)); done\nprintf '\\nbody'"),
  'cgi-bin/bad-interpreter.sh': { content: '#!/nonexistent/interpreter\n', mode: 0o755 },
  'cgi-bin/short.sh': sh("printf 'Content-Type: text/plain\\nContent-Length: 10\\n\\nabc'"),
  'cgi-bin/long.sh': sh("printf 'Content-Type: text/plain\\nContent-Length: 3\\n\\nabcdef'"),
  'cgi-bin/exact.sh': sh("printf 'Content-Type: text/plain\\nContent-Length: 5\\n\\nhello'")
}

let fixture: Fixture
let server: RunningServer
let log: MemoryLog
let base: string

before(async () => {
  fixture = await makeTree(TREE)
  log = memoryLog()
  server = await serve({ directory: fixture.dir, cgi: true, cgiTimeout: 10, logger: log.logger })
  base = server.url
})

after(async () => {
  await server.close()
  await fixture.cleanup()
})

async function failureLogged (script: string): Promise<string> {
  const entry = await log.waitFor((e) => e.script === script && e.level === 50)
  return entry.msg as string
}

describe('which URLs run a script', () => {
  test('/cgi-bin/NAME/extra/path?query runs NAME with SCRIPT_NAME, PATH_INFO and QUERY_STRING', async () => {
    const res = await get(base, '/cgi-bin/env.sh/extra/path?q=1&r=a%20b')
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'text/plain')
    const env = parseEnv(res.text)
    assert.equal(env.SCRIPT_NAME, '/cgi-bin/env.sh')
    assert.equal(env.PATH_INFO, '/extra/path')
    assert.equal(env.PATH_TRANSLATED, `${fixture.dir}/extra/path`)
    assert.equal(env.QUERY_STRING, 'q=1&r=a%20b')
    assert.equal(env.REQUEST_URI, '/cgi-bin/env.sh/extra/path?q=1&r=a%20b')
  })

  test('scripts in nested folders run', async () => {
    const res = await get(base, '/cgi-bin/sub/nested.sh')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'nested /cgi-bin/sub/nested.sh')
  })

  test('a file without an execute bit is 403', async () => {
    const res = await get(base, '/cgi-bin/not-executable.sh')
    assert.equal(res.status, 403)
    assert.doesNotMatch(res.text, /ran/)
  })

  test('a missing script is 404', async () => {
    assert.equal((await get(base, '/cgi-bin/missing.sh')).status, 404)
    assert.equal((await get(base, '/cgi-bin/missing.sh/with/path')).status, 404)
  })

  test('a folder is 403, never a listing, /cgi-bin/ and /cgi-bin included', async () => {
    for (const path of ['/cgi-bin/', '/cgi-bin', '/cgi-bin/sub', '/cgi-bin/sub/', '/cgi-bin?x=1']) {
      const res = await get(base, path)
      assert.equal(res.status, 403, path)
      assert.doesNotMatch(res.text, /env\.sh/, path)
    }
  })

  test('hidden scripts are 404', async () => {
    assert.equal((await get(base, '/cgi-bin/.hidden.sh')).status, 404)
  })

  test('paths that climb out of the CGI folder are 404, however they are written', async () => {
    for (const path of [
      '/cgi-bin/../page.txt',
      '/cgi-bin/../outside.sh',
      '/cgi-bin/%2e%2e/outside.sh',
      '/cgi-bin/%2E%2E%2Foutside.sh',
      '/cgi-bin/sub/../../outside.sh',
      '/cgi-bin/..%2f..%2f..%2fetc/passwd',
      '/cgi-bin/../../../../etc/passwd',
      '/cgi-bin/..%5coutside.sh',
      '/cgi-bin/env.sh%00.txt'
    ]) {
      const res = await get(base, path)
      assert.equal(res.status, 404, path)
      assert.doesNotMatch(res.text, /outside|root:/, path)
    }
  })

  test('a symlink out of the CGI folder is 404, not run', async () => {
    const res = await get(base, '/cgi-bin/escape.sh')
    assert.equal(res.status, 404)
  })

  test('a script run a moment ago, then replaced by a symlink out of the CGI folder, is 404: its quick reopen still proves it', async () => {
    // Run twice: its path is warm (opened and proven without the thread pool from then on).
    for (let i = 0; i < 2; i++) assert.equal((await get(base, '/cgi-bin/turned.sh')).text, 'inside')
    const path = join(fixture.dir, 'cgi-bin', 'turned.sh')
    await rm(path)
    await symlink('../outside.sh', path)
    const res = await get(base, '/cgi-bin/turned.sh')
    assert.equal(res.status, 404)
    assert.doesNotMatch(res.text, /outside/)
  })

  test('a script\'s source is never served as a file, whatever path reaches it', async () => {
    for (const path of ['/cgi-bin%2fenv.sh', '/cgi-bin%2Fenv.sh', '/x/../cgi-bin/env.sh', '/./cgi-bin/env.sh', '//cgi-bin/env.sh']) {
      const res = await get(base, path)
      assert.doesNotMatch(res.text, /#!\/bin\/sh/, path)
      if (res.status === 200) assert.equal(parseEnv(res.text).SCRIPT_NAME, '/cgi-bin/env.sh', path)
      else assert.equal(res.status, 404, path)
    }
  })

  test('other files are still served as static files', async () => {
    const res = await get(base, '/page.txt')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'a static page\n')
  })
})

describe('what a script sees', () => {
  test('the metavariables of a request with body, cookies, repeated headers and a Proxy header', async () => {
    const body = 'name=Ann&x=1'
    const answer = await exchange(server.port, [
      'POST /cgi-bin/env.sh/a/b?q=1 HTTP/1.0',
      'Host: example.test:8080',
      'User-Agent: servekit-test',
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${body.length}`,
      'Cookie: a=1',
      'Cookie: b=2',
      'X-Multi: one',
      'X-Multi: two',
      'Proxy: http://evil.example:3128',
      'Authorization: Basic dXNlcjpwYXNz',
      '', body
    ].join('\r\n'))
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/)
    const env = parseEnv(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    assert.equal(env.REQUEST_METHOD, 'POST')
    assert.equal(env.CONTENT_LENGTH, String(body.length))
    assert.equal(env.CONTENT_TYPE, 'application/x-www-form-urlencoded')
    assert.equal(env.GATEWAY_INTERFACE, 'CGI/1.1')
    assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.0')
    assert.equal(env.SERVER_NAME, 'example.test')
    assert.equal(env.SERVER_PORT, String(server.port))
    assert.match(env.SERVER_SOFTWARE ?? '', /^servekit\/\d/)
    assert.equal(env.REMOTE_ADDR, '127.0.0.1')
    assert.equal(env.REMOTE_HOST, '127.0.0.1')
    assert.equal(env.AUTH_TYPE, '')
    assert.equal(env.REMOTE_USER, '')
    assert.equal(env.HTTP_COOKIE, 'a=1; b=2')
    assert.equal(env.HTTP_X_MULTI, 'one, two')
    assert.equal(env.HTTP_USER_AGENT, 'servekit-test')
    assert.equal(env.HTTP_PROXY, undefined)
    assert.equal(env.HTTP_AUTHORIZATION, undefined)
    assert.equal(env.DOCUMENT_ROOT, fixture.dir)
    assert.equal(env.SCRIPT_FILENAME, fixture.path('cgi-bin', 'env.sh'))
    assert.equal(env.HTTPS, undefined)
  })

  test('the server\'s own environment is not passed on, beyond PATH', async () => {
    const env = parseEnv((await get(base, '/cgi-bin/env.sh')).text)
    assert.equal(env.PATH, '/usr/local/bin:/usr/bin:/bin')
    assert.equal(env.HOME, undefined)
    assert.equal('CONTENT_LENGTH' in env, false)
    assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1')
  })

  test('every method reaches the script, with its body on stdin', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const body = `${method} body`
      const res = await get(base, '/cgi-bin/echo.sh', { method, body, headers: { 'content-type': 'text/plain', 'content-length': body.length } })
      assert.equal(res.status, 200, method)
      assert.equal(res.text, `${method} ${method.length + 5}\n${method} body`, method)
    }
    const head = await get(base, '/cgi-bin/echo.sh', { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.text, '')
  })

  test('a request without a body has no CONTENT_LENGTH and an empty stdin', async () => {
    const res = await get(base, '/cgi-bin/echo.sh', { method: 'DELETE' })
    assert.equal(res.text, 'DELETE none\n')
  })

  test('a body larger than Fastify\'s body limit streams through to the script', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'x')
    const res = await get(base, '/cgi-bin/echo.sh', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.length, `POST ${body.length}\n`.length + body.length)
  })

  test('a chunked request body is spooled so the script still gets CONTENT_LENGTH', async () => {
    const res = await get(base, '/cgi-bin/echo.sh', { method: 'POST', body: 'chunked body', headers: { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' } })
    assert.equal(res.status, 200)
    assert.equal(res.text, 'POST 12\nchunked body')
  })

  test('a script that does not read its body still answers, and the connection stays usable', async () => {
    const body = 'x'.repeat(512 * 1024)
    const first = await exchange(server.port, [
      'POST /cgi-bin/status.sh HTTP/1.1', 'Host: h', `Content-Length: ${body.length}`, '', body +
      'GET /cgi-bin/no-content.sh HTTP/1.1', 'Host: h', 'Connection: close', '', ''
    ].join('\r\n'))
    assert.match(first, /^HTTP\/1\.1 404 No Such Thing\r\n/)
    assert.match(first, /HTTP\/1\.1 204 No Content\r\n/)
  })
})

describe('how answers reach the client', () => {
  test('Status sets the status and reason phrase', async () => {
    const res = await get(base, '/cgi-bin/status.sh')
    assert.equal(res.status, 404)
    assert.equal(res.text, 'missing\n')
    const answer = await exchange(server.port, 'GET /cgi-bin/status.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')
    assert.match(answer, /^HTTP\/1\.1 404 No Such Thing\r\n/)
  })

  test('Status without a body needs no Content-Type', async () => {
    const res = await get(base, '/cgi-bin/no-content.sh')
    assert.equal(res.status, 204)
    assert.equal(res.text, '')
  })

  test('a CRLF header block works like an LF one', async () => {
    const res = await get(base, '/cgi-bin/crlf.sh')
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-line-ends'], 'crlf')
    assert.equal(res.text, 'crlf body')
  })

  test('repeated headers are kept: two Set-Cookie lines are two cookies', async () => {
    const res = await get(base, '/cgi-bin/cookies.sh')
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2'])
    assert.equal(res.headers.vary, 'Cookie, Accept')
  })

  test('Location with a URL is a client redirect with 302', async () => {
    const res = await get(base, '/cgi-bin/redirect.sh')
    assert.equal(res.status, 302)
    assert.equal(res.headers.location, 'https://example.test/elsewhere')
  })

  test('Status picks another redirect status', async () => {
    const res = await get(base, '/cgi-bin/see-other.sh')
    assert.equal(res.status, 303)
    assert.equal(res.headers.location, '/done')
  })

  test('a client redirect with a document sends the document along', async () => {
    const res = await get(base, '/cgi-bin/moved.sh')
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, 'https://example.test/new')
    assert.equal(res.headers['content-type'], 'text/html')
    assert.equal(res.text, '<a href="https://example.test/new">moved</a>')
  })

  test('Location with a path is served inside the server, as a GET', async () => {
    const res = await get(base, '/cgi-bin/local.sh', { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'redirected' } })
    assert.equal(res.status, 200)
    assert.equal(res.headers.location, undefined)
    const env = parseEnv(res.text)
    assert.equal(env.REQUEST_METHOD, 'GET')
    assert.equal(env.SCRIPT_NAME, '/cgi-bin/env.sh')
    assert.equal(env.PATH_INFO, '/from-redirect')
    assert.equal(env.QUERY_STRING, 'via=local')
    assert.equal(env.HTTP_USER_AGENT, 'redirected')
    assert.equal(env.REMOTE_ADDR, '127.0.0.1')
    assert.equal(env.SERVER_PORT, String(server.port))
    assert.equal('CONTENT_LENGTH' in env, false)
  })

  test('a local redirect may land on a static file', async () => {
    const res = await get(base, '/cgi-bin/local-static.sh')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'a static page\n')
  })

  test('a script that redirects to itself stops with 502 after 10 local redirects', async () => {
    const res = await get(base, '/cgi-bin/loop.sh')
    assert.equal(res.status, 502)
    // The request itself, 10 redirects that ran the script again, and the one refused.
    assert.equal(log.entries.filter((e) => String(e.msg).startsWith('GET /cgi-bin/loop.sh ')).length, 12)
  })
})

describe('failures', () => {
  test('a script that exits without output is 502, logged once with its name and exit code', async () => {
    const res = await get(base, '/cgi-bin/crash.sh')
    assert.equal(res.status, 502)
    assert.doesNotMatch(res.text, /exit/)
    assert.equal(await failureLogged('/cgi-bin/crash.sh'), 'cgi: /cgi-bin/crash.sh: exited with code 3 without any output')
    assert.equal(log.entries.filter((e) => e.script === '/cgi-bin/crash.sh').length, 1)
  })

  test('a script that exits inside its header block is 502', async () => {
    assert.equal((await get(base, '/cgi-bin/half.sh')).status, 502)
    assert.match(await failureLogged('/cgi-bin/half.sh'), /exited with code 1 before the end of its header block/)
  })

  test('output that is not a header block is 502', async () => {
    assert.equal((await get(base, '/cgi-bin/garbage.sh')).status, 502)
    assert.match(await failureLogged('/cgi-bin/garbage.sh'), /not a header line: "Hello, world!"/)
  })

  test('a document without Content-Type is 502', async () => {
    assert.equal((await get(base, '/cgi-bin/no-type.sh')).status, 502)
    assert.match(await failureLogged('/cgi-bin/no-type.sh'), /no Content-Type/)
  })

  test('a header block over 64 KiB is 502', async () => {
    assert.equal((await get(base, '/cgi-bin/huge-header.sh')).status, 502)
    assert.match(await failureLogged('/cgi-bin/huge-header.sh'), /header block longer than 65536 bytes/)
  })

  test('a script whose #! interpreter is missing is 502', async () => {
    assert.equal((await get(base, '/cgi-bin/bad-interpreter.sh')).status, 502)
    assert.match(await failureLogged('/cgi-bin/bad-interpreter.sh'), /interpreter was not found/)
  })

  test('a body shorter than its Content-Length cuts the connection instead of hanging', async () => {
    await assert.rejects(get(base, '/cgi-bin/short.sh'))
    assert.match(await failureLogged('/cgi-bin/short.sh'), /wrote 3 of the 10 bytes/)
  })

  test('a body longer than its Content-Length is cut to it, and the connection stays in step', async () => {
    const answer = await exchange(server.port, 'GET /cgi-bin/long.sh HTTP/1.1\r\nHost: h\r\n\r\nGET /cgi-bin/exact.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')
    const [first, second] = answer.split(/(?=HTTP\/1\.1 )/)
    assert.match(first ?? '', /content-length: 3\r\n[\s\S]*\r\n\r\nabc$/)
    assert.match(second ?? '', /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nhello$/)
  })
})

describe('the tutorial', () => {
  const repo = REPO + '/'
  let tutorial: RunningServer

  before(async () => { tutorial = await serve({ directory: repo, cgi: true }) })
  after(async () => { await tutorial.close() })

  test('hello.py counts visits in a cookie: 1, then 2', async () => {
    const first = await get(tutorial.url, '/cgi-bin/hello.py', { headers: { 'user-agent': 'tutorial-test' } })
    assert.equal(first.status, 200)
    assert.equal(first.headers['content-type'], 'text/html')
    assert.deepEqual(first.headers['set-cookie'], ['visits=1; Max-Age=5'])
    assert.match(first.text, /<h1>CGI Script: \/cgi-bin\/hello\.py<\/h1>/)
    assert.match(first.text, /You visited this page <b>1<\/b> times/)
    assert.match(first.text, /<b>HTTP_USER_AGENT:<\/b> tutorial-test/)
    assert.match(first.text, /<b>REQUEST_METHOD:<\/b> GET/)

    const second = await get(tutorial.url, '/cgi-bin/hello.py?x=1', { headers: { cookie: 'visits=1' } })
    assert.deepEqual(second.headers['set-cookie'], ['visits=2; Max-Age=5'])
    assert.match(second.text, /You visited this page <b>2<\/b> times/)
    assert.match(second.text, /<b>QUERY_STRING:<\/b> x=1/)
  })

  test('form.py reads POSTed form data', async () => {
    const res = await get(tutorial.url, '/cgi-bin/form.py', { method: 'POST', body: 'name=Ann+Lee&message=%3Cb%3Ehi%3C%2Fb%3E', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(res.status, 200)
    assert.match(res.text, /<li><b>name:<\/b> Ann Lee<\/li>/)
    assert.match(res.text, /<li><b>message:<\/b> &lt;b&gt;hi&lt;\/b&gt;<\/li>/)
  })

  test('hello.sh answers in plain sh', async () => {
    const res = await get(tutorial.url, '/cgi-bin/hello.sh/some/path?name=world')
    assert.equal(res.status, 200)
    assert.match(res.text, /QUERY_STRING=name=world\nPATH_INFO=\/some\/path\n/)
  })
})

describe('without --cgi', () => {
  test('the cgi-bin folder is served as plain files, as Python does', async () => {
    const plain = await serve({ directory: fixture.dir })
    try {
      const res = await get(plain.url, '/cgi-bin/env.sh')
      assert.equal(res.status, 200)
      assert.match(res.text, /^#!\/bin\/sh\n/)
    } finally {
      await plain.close()
    }
  })
})
