// The library: build the app, start it, or take single plugins into your own Fastify app.
export { buildApp, TIMEOUTS, type AppOptions } from './app.js'
export { startServer, ListenError, type RunningServer, type StartOptions } from './server.js'
export { resolveOptions, type ResolvedOptions, type ServekitOptions, type LogLevel, type LogFormat } from './options.js'
export { OptionError } from './errors.js'
export { default as staticFiles, type StaticFilesOptions } from '../plugins/static/index.js'
export { default as echo, type EchoOptions } from '../routes/echo/index.js'
export { default as cgi, type CgiOptions } from '../plugins/cgi/index.js'
export { default as upload, UPLOAD_METHODS, type UploadOptions } from '../plugins/upload/index.js'
