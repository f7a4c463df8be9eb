// The spawner's own program, in Python: small, already on the machines that keep CGI
// scripts (Debian, the Docker image), and its os.posix_spawn is glibc's, which starts
// a child with clone(CLONE_VM | CLONE_VFORK): no copy of the parent's page tables, so
// its cost does not grow with the parent's memory as Node's fork of servekit does.
//
// Protocol, one line each way per event, on its stdin and stdout (pipes from servekit):
//   in:  ["s", token, command, argv, cwd, env, withStdin]   start a script
//        ["r", pgid]                                         servekit is done with the group
//   out: "r"  ready;  "n <reason>"  cannot run here, exits
//        "s <token> <pid>"  started;  "e <token> <ERRNO>"  could not start
//        "x <token> <code|-> <signal|->"  the script exited (reaped here)
// The script's stdout, stderr and (with a body) stdin are connections to servekit's
// socket (an abstract Unix address: argv[1] after its NUL), each opened with "<token><role>\n" so
// servekit knows whose they are; the token is random per script and travels only on
// the private pipe. When servekit's end of the pipe closes, however servekit died,
// every group still listed is killed and the spawner exits: it is the guardian too.
export const SPAWNER_PROGRAM = String.raw`
import errno, json, os, select, signal, socket, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
def say(line):
    os.write(1, line.encode() + b'\n')
if not all(hasattr(os, name) for name in ('posix_spawn', 'pidfd_open', 'POSIX_SPAWN_DUP2')):
    say('n python3 ' + sys.version.split()[0] + ' lacks os.posix_spawn or os.pidfd_open (3.9+ on Linux 5.3+)')
    sys.exit(0)
# The abstract address without its leading NUL, which no argv can carry. libuv binds
# it at its exact length (Node 22+) or padded with NULs to the whole sun_path (Node
# 20): the one that answers is kept.
addresses = ['\0' + sys.argv[1], ('\0' + sys.argv[1]).ljust(108, '\0')]
DEFAULTS = signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}
devnull = os.open('/dev/null', os.O_RDONLY)
poller = select.poll()
poller.register(0, select.POLLIN)
running = {}
groups = set()

def connect(token, role):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            s.connect(addresses[0])
        except ConnectionRefusedError:
            if len(addresses) == 1:
                raise
            s.connect(addresses[1])
            del addresses[0]
        s.sendall((token + role + '\n').encode())
    except BaseException:
        s.close()
        raise
    return s

def spawn(command, argv, env, actions):
    options = dict(file_actions=actions, setsid=True, setsigmask=(), setsigdef=DEFAULTS)
    try:
        return os.posix_spawn(command, argv, env, **options)
    except OSError as e:
        if e.errno != errno.ENOEXEC:
            raise
        # As execvp, and so Node's spawn: an executable text without #! is a shell script.
        return os.posix_spawn('/bin/sh', ['/bin/sh', command] + argv[1:], env, **options)

def start(token, command, argv, cwd, env, with_stdin):
    sockets = []
    try:
        sockets.append(connect(token, 'o'))
        sockets.append(connect(token, 'e'))
        actions = [(os.POSIX_SPAWN_DUP2, sockets[0].fileno(), 1), (os.POSIX_SPAWN_DUP2, sockets[1].fileno(), 2)]
        if with_stdin:
            sockets.append(connect(token, 'i'))
            actions.append((os.POSIX_SPAWN_DUP2, sockets[2].fileno(), 0))
        else:
            actions.append((os.POSIX_SPAWN_DUP2, devnull, 0))
        os.chdir(cwd)
        pid = spawn(command, argv, env, actions)
    except OSError as e:
        say('e %s %s' % (token, errno.errorcode.get(e.errno, 'EIO')))
        return
    except ValueError:
        say('e %s EINVAL' % token)
        return
    finally:
        for s in sockets:
            s.close()
        # Out of the script's folder again, which may be unmounted or removed.
        os.chdir('/')
    groups.add(pid)
    pidfd = os.pidfd_open(pid)
    running[pidfd] = (token, pid)
    poller.register(pidfd, select.POLLIN)
    say('s %s %d' % (token, pid))

def reap(pidfd):
    token, pid = running.pop(pidfd)
    poller.unregister(pidfd)
    os.close(pidfd)
    status = os.waitpid(pid, 0)[1]
    if os.WIFSIGNALED(status):
        say('x %s - %d' % (token, os.WTERMSIG(status)))
    else:
        say('x %s %d -' % (token, os.WEXITSTATUS(status)))

def serve():
    pending = b''
    say('r')
    while True:
        for fd, _ in poller.poll():
            if fd != 0:
                reap(fd)
                continue
            chunk = os.read(0, 65536)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b'\n')
            for line in lines:
                message = json.loads(line)
                if message[0] == 's':
                    start(*message[1:])
                elif message[0] == 'r':
                    groups.discard(message[1])

try:
    serve()
finally:
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
`
