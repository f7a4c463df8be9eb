// Lint and format rules: neostandard, the Fastify family's style (standard, for
// TypeScript too). `npm run lint` checks; `npm run lint:fix` fixes what it can.
import neostandard from 'neostandard'

export default neostandard({
  ts: true,
  ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**']
})
