// node:http as its CommonJS module, never an ESM import. On Node 22 and 24 an ESM
// import of node:http (even `import { STATUS_CODES }`) builds the module's namespace
// from every export, which runs its lazy WebSocket getters and so loads undici, node:tls
// and node:http2 into every start: 25.2 ms against 2.8 ms on Node 22.23, 30.3 against
// 3.4 on 24.21 (Node 20: 4.5 against 4.0). Types may still be imported with `import type`.
export const http = process.getBuiltinModule('node:http')

export const { STATUS_CODES } = http
