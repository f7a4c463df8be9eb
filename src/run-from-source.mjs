// Runs servekit's TypeScript sources directly, on a Node that strips types (22.18+,
// 24): `node --import ./src/run-from-source.mjs src/cli.ts`, and the same for tests.
// The sources import each other by the `.js` names tsc compiles them to (NodeNext), so
// a relative `.js` import that is not there resolves to the `.ts` file beside it. Plain
// JavaScript: this file must load before anything can strip types.
import { register } from 'node:module'

if (process.features.typescript === undefined || process.features.typescript === false) {
  process.stderr.write(`servekit: running from source needs a Node that strips types (22.18 or later; this is ${process.version}); build with \`npm run build\` and run dist/ instead\n`)
  process.exit(2)
}

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve (specifier, context, next) {
  try {
    return await next(specifier, context)
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/^\\.\\.?\\//.test(specifier) || !specifier.endsWith('.js')) throw error
    return await next(specifier.slice(0, -3) + '.ts', context)
  }
}`))
