// Apache 2.4 with the event MPM, from a config written into the run's folder: one
// process in the foreground (-X, no children to fork), 64 threads (with 16 the event
// MPM took at most 48 connections, 16 + AsyncRequestWorkerFactor 2 x 16, and reset
// the rest of wrk's 50: 2,865 read errors in 3 s), no access log, sendfile, folder
// listings (mod_autoindex) and CGI under /cgi-bin/ (mod_cgid, whose script-spawning
// daemon is a child of that process).
import { join } from 'node:path'
import type { PeerInput, PeerSpec } from './peer.js'

export const APACHE_MODULES = '/usr/lib/apache2/modules'
const MODULES = ['mpm_event', 'authz_core', 'mime', 'dir', 'autoindex', 'alias', 'cgid']
export const APACHE_THREADS = 64

export function apacheConfig (root: string, prefix: string, port: number, options: { modules?: string, runAs?: { user: string, group: string } } = {}): string {
  const modules = options.modules ?? APACHE_MODULES
  return `${MODULES.map((name) => `LoadModule ${name}_module ${join(modules, `mod_${name}.so`)}`).join('\n')}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
DefaultRuntimeDir ${prefix}
PidFile ${join(prefix, 'apache.pid')}
ErrorLog ${join(prefix, 'error.log')}
LogLevel warn
ScriptSock ${join(prefix, 'cgid.sock')}
${options.runAs === undefined ? '' : `User ${options.runAs.user}\nGroup ${options.runAs.group}\n`}StartServers 1
ServerLimit 1
ThreadLimit ${APACHE_THREADS}
ThreadsPerChild ${APACHE_THREADS}
MaxRequestWorkers ${APACHE_THREADS}
KeepAlive On
MaxKeepAliveRequests 0
EnableSendfile On
TypesConfig /etc/mime.types
DocumentRoot ${root}
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory ${root}>
  Options Indexes
  Require all granted
</Directory>
ScriptAlias /cgi-bin/ ${join(root, 'cgi-bin')}/
<Directory ${join(root, 'cgi-bin')}>
  Options ExecCGI
  Require all granted
</Directory>
`
}

export const APACHE: PeerSpec = {
  name: 'apache',
  executable: 'apache2',
  install: { debian: 'apache2' },
  abilities: ['static', 'listing', 'cgi'],
  cpuUncounted: { cgi: 'its mod_cgid daemon ignores SIGCHLD, so the kernel reaps the scripts and their CPU is counted nowhere: no CPU µs/req' },
  note: `event MPM in one process (-X), ${APACHE_THREADS} threads, mod_cgid, no access log`,
  launch: (input: PeerInput) => {
    const config = join(input.prefix, 'apache.conf')
    return {
      command: { command: input.executable, args: ['-X', '-d', input.prefix, '-f', config], env: input.ctx.env, cwd: input.ctx.root },
      files: [{ path: config, content: apacheConfig(input.ctx.root, input.prefix, input.port, input.root ? { runAs: { user: 'nobody', group: 'nogroup' } } : {}) }],
      folders: [input.prefix]
    }
  }
}
