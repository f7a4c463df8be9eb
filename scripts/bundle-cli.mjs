// Bundles the `servekit` command (dist/src/cli-start.js, as tsc built it) into dist/cli/:
// resolving and reading ~180 module files was a third of the time from start to the
// first answer (docs/performance.md, cold start). Everything the first answer does not
// need stays in chunks loaded on demand (CGI, uploads, TLS, ...); what the code loads
// by name at run time (Ajv, markdown-it, tsx) still comes from node_modules. Kept in
// dist/cli/, two levels down, where src/version.ts finds package.json as it does from
// dist/src/. The library (`import 'servekit'`) is not bundled.
import { rm } from 'node:fs/promises'
import { build } from 'esbuild'

// Fastify's server.js requires node:http2 and node:https at load, and uses them only
// with its `http2` and `https` options: servekit never sets `http2`, and sets `https`
// only to serve TLS. Loading the two (and node:tls under https) was
// ~15-25 ms of every start on Node 20. In the bundle those two requires get stand-ins
// that load the real module on first use.
const LAZY_IN_FASTIFY_SERVER = {
  'node:http2': ['createServer', 'createSecureServer'],
  'node:https': ['createServer']
}
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup (build) {
    build.onResolve({ filter: /^node:(https|http2)$/ }, (args) =>
      args.path in LAZY_IN_FASTIFY_SERVER && /[\\/]fastify[\\/]lib[\\/]server\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'lazy-builtin' }
        : undefined)
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: `const load = () => require(${JSON.stringify(args.path)})\nmodule.exports = {\n` +
        LAZY_IN_FASTIFY_SERVER[args.path].map((name) => `  ${name}: (...args) => load().${name}(...args)`).join(',\n') + '\n}\n'
    }))
  }
}

const outdir = 'dist/cli'
await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: { servekit: 'dist/src/cli-start.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // The Fastify family is CommonJS: its require() of Node's modules needs a real one.
  banner: { js: "import { createRequire as servekitRequire } from 'node:module'; const require = servekitRequire(import.meta.url);" },
  // Only what every start needs is bundled. What the code loads on demand (Ajv by a route
  // with a schema, inject(), the packages of optional features) stays in node_modules:
  // not parsed at every start, and loaded by Node itself, whose import() of a CommonJS
  // package has the named exports that esbuild's chunks lack.
  external: [
    '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request',
    '@fastify/autoload', '@fastify/basic-auth', '@fastify/cookie', '@fastify/cors', '@fastify/formbody',
    '@fastify/multipart', 'bcryptjs', 'markdown-it', 'pino-pretty', 'selfsigned', 'tsx', 'uqr', 'yazl'
  ],
  plugins: [lazyBuiltins],
  logLevel: 'warning'
})
