// Lint and format rules: neostandard, the Fastify family's style (standard, for
// TypeScript too). `npm run lint` checks; `npm run lint:fix` fixes what it can.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**']
  }),
  {
    rules: {
      // `void promise` is how this code marks a promise deliberately not awaited.
      'no-void': ['error', { allowAsStatement: true }],
      // A template literal is the readable way to write text holding both kinds of quote.
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: true }],
      // `resolveRest`, `rejectBody`: a promise's functions named for what they settle.
      'promise/param-names': ['error', { resolvePattern: '^_?resolve', rejectPattern: '^_?reject' }]
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      // `_` names what must be bound but is not used (`for await (const _ of stream)`).
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['test/**'],
    rules: {
      // Tests check text that holds `${...}` literally (shell and Dockerfile variables).
      'no-template-curly-in-string': 'off'
    }
  }
]
