#!/usr/bin/env node
// The `servekit` command's entry (dist/cli/servekit.js): Node's compile cache is
// turned on before the command's modules load, so that they are what it keeps.
import { enableCompileCache } from './compile-cache.js'

enableCompileCache()
await import('./cli.js')
