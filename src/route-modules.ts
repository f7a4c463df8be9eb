// `--routes DIR`: every route module in DIR, by @fastify/autoload's conventions
// (folders are URL prefixes, `index.*` stands for its folder). TypeScript modules
// load as they are, through tsx, so `servekit --routes routes` needs no build step.
import { readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { isAbsolute, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import autoload from '@fastify/autoload'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { RouteModuleError } from './errors.js'

export interface RouteModulesOptions {
  /** Real path of the folder of route modules. */
  dir: string
}

export { RouteModuleError }

const TS_FILE = /(?<!\.d)\.[mc]?ts$/

async function hasTypeScript (dir: string): Promise<boolean> {
  const names = await readdir(dir, { recursive: true })
  return names.some((name) => TS_FILE.test(name))
}

let typeScriptReady = false

/**
 * Node 20 cannot run TypeScript. tsx's ESM and CommonJS hooks together cover a
 * module under either kind of package.json (the ESM hook alone fails with
 * ERR_REQUIRE_CYCLE_MODULE under a CommonJS parent), and autoload only loads
 * `.ts` files when it believes a TypeScript runtime is present: it looks for
 * tsx among `--require` preloads, which a hook registered from code is not, so
 * its documented override says so.
 */
async function enableTypeScript (): Promise<void> {
  if (typeScriptReady || Boolean((process.features as { typescript?: unknown }).typescript)) return
  const { register } = await import('tsx/esm/api')
  register()
  createRequire(import.meta.url)('tsx/cjs/api').register()
  process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1'
  typeScriptReady = true
}

function oneLine (text: string): string {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' ')
}

/** How to show a file to the person who started servekit: relative to where they are, when inside it. */
function displayPath (file: string): string {
  const shown = relative(process.cwd(), file)
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown
}

/**
 * Names the module an error came from. Autoload rethrows import and registration
 * errors as they are, but their message (tsx, missing imports) or stack (syntax
 * errors, throws at load or registration) names the file, as a path or a URL.
 */
export function routeModuleError (error: unknown, dir: string): RouteModuleError {
  const { name, message, stack } = error instanceof Error ? error : { name: 'Error', message: String(error), stack: '' }
  const text = `${message}\n${stack ?? ''}`
  const root = dir.endsWith(sep) ? dir : dir + sep
  const url = pathToFileURL(root).href
  const fromPath = new RegExp(`${escapeRegExp(root)}[^\\s:)'"]+`).exec(text)?.[0]
  const fromUrl = new RegExp(`${escapeRegExp(url)}[^\\s:)'"]+`).exec(text)?.[0]
  const file = fromPath ?? (fromUrl === undefined ? undefined : fileURLToPath(fromUrl))
  const what = file === undefined ? `a route module in ${displayPath(dir)}` : `route module ${displayPath(file)}`
  const reason = name === 'Error' ? oneLine(message) : `${name}: ${oneLine(message)}`
  return new RouteModuleError(`${what} failed to load: ${reason}`)
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const routeModules: FastifyPluginAsync<RouteModulesOptions> = async (app, { dir }) => {
  if (await hasTypeScript(dir)) await enableTypeScript()
  try {
    await app.register(autoload, { dir, forceESM: true })
  } catch (error) {
    throw routeModuleError(error, dir)
  }
}

// Not encapsulated: each module gets its own context from autoload, directly
// under the app, so its routes sit beside the static plugin's.
export default fp(routeModules, { name: 'servekit-route-modules', fastify: '5.x' })
