// Fastify's schema compilers, loaded on the first route that has a schema. Fastify
// requires Ajv and fast-json-stringify (about 100 files, 60-80 ms here) while it is
// being constructed, though none of servekit's own routes has a schema: a user's
// route module that declares one still gets Fastify's own compilers, unchanged.
import { createRequire } from 'node:module'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type Builder = (...args: never[]) => unknown

/**
 * The package's factory, built on first use only: `() => builder`, as Fastify does itself.
 * Required from where Fastify is: a strict layout such as pnpm's gives servekit no path
 * to Fastify's own dependencies.
 */
function lazyBuilder<T extends Builder> (packageName: string): T {
  let builder: T | undefined
  return ((...args: Parameters<T>) => {
    builder ??= (createRequire(createRequire(import.meta.url).resolve('fastify'))(packageName) as () => T)()
    return builder(...args)
  }) as T
}

/** For Fastify's `schemaController` option. */
export function lazyCompilers (): { compilersFactory: CompilersFactory } {
  return {
    compilersFactory: {
      buildValidator: lazyBuilder('@fastify/ajv-compiler'),
      buildSerializer: lazyBuilder('@fastify/fast-json-stringify-compiler')
    }
  }
}

/**
 * Fastify takes any given validator factory for a custom one (Joi, TypeBox) and then stops
 * lower-casing the names in a headers schema, which its own Ajv needs. This one is its own
 * Ajv, so it is marked as such again; contexts registered later copy the flag.
 */
export function markDefaultValidator (app: FastifyInstance): void {
  const key = Object.getOwnPropertySymbols(app).find((symbol) => symbol.description === 'fastify.schemaController')
  const controller = key === undefined ? undefined : (app as unknown as Record<symbol, { isCustomValidatorCompiler?: boolean }>)[key]
  if (controller !== undefined) controller.isCustomValidatorCompiler = false
}
