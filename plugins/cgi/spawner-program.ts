// The spawner's own program, in Python: small, already on the machines that keep CGI
// scripts (Debian, the Docker image), and its os.posix_spawn is glibc's, which starts
// a child with clone(CLONE_VM | CLONE_VFORK): no copy of the parent's page tables, so
// its cost does not grow with the parent's memory as Node's fork of servekit does.
//
// Protocol, one line each way per event, on its stdin and stdout (pipes from servekit):
//   in:  ["s", token, command, argv, cwd, env, withStdin, stderrMax]   start a script
//        ["r", pgid]                                                    servekit is done with the group
//   out: "r"  ready;  "n <reason>"  cannot run here, exits
//        "s <token> <pid>"  started;  "e <token> <ERRNO>"  could not start
//        "l <token> <base64>"  bytes the script wrote to stderr;  "c <token>"  its stderr closed
//        "x <token> <code|-> <signal|->"  the script exited (reaped here)
// The script's stdout and (with a body) stdin are connections to servekit's socket (an
// abstract Unix address: argv[1] after its NUL), each opened with "<token><role>\n" so
// servekit knows whose they are; the token is random per script and travels only on
// the private pipe. Its stderr is a pipe read here and relayed on stdout, at most
// stderrMax + 1 bytes of it (one more than servekit logs, so it sees the cap was
// passed), the rest read and dropped: one connection fewer per script (servekit's
// accept, socket, shutdown and close), which measured 60-400 µs less CPU per script in
// servekit, while the pipe costs the spawner what the connection did. If the spawner
// dies, a script still running meets a closed stderr (EPIPE, or SIGPIPE at its
// default). When servekit's end of the pipe closes, however servekit died, every
// group still listed is killed and the spawner exits: it is the guardian too.
export const SPAWNER_PROGRAM = String.raw`
import binascii, errno, json, os, select, signal, socket, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
    signal.signal(s, signal.SIG_IGN)
def say(line):
    data = memoryview(line.encode() + b'\n')
    while data:
        data = data[os.write(1, data):]
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
stderrs = {}
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

def start(token, command, argv, cwd, env, with_stdin, stderr_max):
    sockets = []
    # Not inherited (O_CLOEXEC), but as the script's fd 2, which dup2 makes inheritable.
    stderr_read, stderr_write = os.pipe()
    try:
        sockets.append(connect(token, 'o'))
        actions = [(os.POSIX_SPAWN_DUP2, sockets[0].fileno(), 1), (os.POSIX_SPAWN_DUP2, stderr_write, 2)]
        if with_stdin:
            sockets.append(connect(token, 'i'))
            actions.append((os.POSIX_SPAWN_DUP2, sockets[1].fileno(), 0))
        else:
            actions.append((os.POSIX_SPAWN_DUP2, devnull, 0))
        os.chdir(cwd)
        pid = spawn(command, argv, env, actions)
    except OSError as e:
        os.close(stderr_read)
        say('e %s %s' % (token, errno.errorcode.get(e.errno, 'EIO')))
        return
    except ValueError:
        os.close(stderr_read)
        say('e %s EINVAL' % token)
        return
    finally:
        for s in sockets:
            s.close()
        os.close(stderr_write)
        # Out of the script's folder again, which may be unmounted or removed.
        os.chdir('/')
    stderrs[stderr_read] = [token, stderr_max + 1]
    poller.register(stderr_read, select.POLLIN)
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

def relay(fd):
    entry = stderrs[fd]
    chunk = os.read(fd, 65536)
    if not chunk:
        del stderrs[fd]
        poller.unregister(fd)
        os.close(fd)
        say('c ' + entry[0])
    elif entry[1] > 0:
        chunk = chunk[:entry[1]]
        entry[1] -= len(chunk)
        say('l %s %s' % (entry[0], binascii.b2a_base64(chunk, newline=False).decode()))

def serve():
    pending = b''
    say('r')
    while True:
        for fd, _ in poller.poll():
            if fd in stderrs:
                relay(fd)
                continue
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
