import { readFileSync } from 'node:fs'

/**
 * Read once from the package's own package.json: two folders up from
 * dist/src/version.js, one up from src/version.ts when run from source.
 */
function packageVersion (): string {
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (manifest.name === 'servekit' && manifest.version !== undefined) return manifest.version
    } catch {}
  }
  return '0.0.0'
}

export const VERSION: string = packageVersion()
