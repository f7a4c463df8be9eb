'use strict'
// The compiled addon (binding.gyp). Loading throws when it was not built: servekit
// then starts scripts without it.
module.exports = require('./build/Release/spawn.node')
