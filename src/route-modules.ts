// `--routes DIR`: every route module in DIR, by @fastify/autoload's conventions
// (folders are URL prefixes, `index.*` stands for its folder). TypeScript modules
// load as they are, by Node's own type stripping or else through tsx, so
// `servekit --routes routes` needs no build step.
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

/** Whether this Node strips types itself: 22.18+ and 24 by default, 22.6+ with --experimental-strip-types. */
export function nodeStripsTypes (features: NodeJS.ProcessFeatures = process.features): boolean {
  const typescript = (features as { typescript?: unknown }).typescript
  return typescript !== undefined && typescript !== false
}

type TsxLoader = () => Promise<{ registerEsm: () => void, registerCjs: () => void }>

/** Hooks are registered once per process. */
const registered = new Set<TsxLoader>()

async function loadTsx (): Promise<{ registerEsm: () => void, registerCjs: () => void }> {
  const { register } = await import('tsx/esm/api')
  return { registerEsm: () => { register() }, registerCjs: () => { createRequire(import.meta.url)('tsx/cjs/api').register() } }
}

/** tsx is an optional peer dependency: only a Node that cannot strip types needs it. */
export function tsxMissing (dir: string, version = process.version): RouteModuleError {
  return new RouteModuleError(`${displayPath(dir)} has TypeScript route modules, which Node ${version} cannot run by itself: ` +
    'install tsx beside servekit (npm install tsx), or use Node 22.18 or later')
}

/**
 * Where Node cannot run TypeScript, tsx does. Its ESM and CommonJS hooks
 * together cover a module under either kind of package.json (the ESM hook alone
 * fails with ERR_REQUIRE_CYCLE_MODULE under a CommonJS parent), and autoload
 * only loads `.ts` files when it believes a TypeScript runtime is present: it
 * looks for tsx among `--require` preloads, which a hook registered from code
 * is not, so its documented override says so.
 */
export async function enableTypeScript (dir: string, load: TsxLoader = loadTsx, features: NodeJS.ProcessFeatures = process.features): Promise<void> {
  if (nodeStripsTypes(features) || registered.has(load)) return
  let tsx
  try {
    tsx = await load()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw tsxMissing(dir)
    throw error
  }
  tsx.registerEsm()
  tsx.registerCjs()
  process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1'
  registered.add(load)
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
  if (await hasTypeScript(dir)) await enableTypeScript(dir)
  try {
    await app.register(autoload, { dir, forceESM: true })
  } catch (error) {
    throw routeModuleError(error, dir)
  }
}

// Not encapsulated: each module gets its own context from autoload, directly
// under the app, so its routes sit beside the static plugin's.
export default fp(routeModules, { name: 'servekit-route-modules', fastify: '5.x' })
