// servekit-spawn: start a CGI script with glibc's posix_spawn
// (clone(CLONE_VM|CLONE_VFORK)), so the cost of a start does not grow with the
// server's memory as Node's spawn does (libuv forks the whole process), and reap
// it through a pidfd on Node's own event loop.
//
//   spawn(file, argv, envp, cwd, onExit[, pipeStderr = true[, pipeStdin = false]])
//     -> { pid, stdinFd, stdoutFd, stderrFd }
//
// - file: run as given (a name without "/" is searched in servekit's own PATH, as
//   posix_spawnp does, not in envp's); a file the kernel cannot exec (ENOEXEC, no
//   "#!") is run by /bin/sh, as execvp, and so Node's spawn, does.
// - argv, envp: arrays of strings ("NAME=value"); cwd: a folder, or null to stay.
// - The child gets a session of its own (so a process group to kill: kill(-pid)),
//   every signal at its default and none blocked (Node leaves SIGPIPE ignored, and
//   a script must die of it), /dev/null on stdin (with pipeStdin, a Unix socket, as
//   libuv gives a child: its end can be shut down for EOF), and pipes on stdout and
//   stderr (stderr on /dev/null when pipeStderr is false). stdinFd, stdoutFd and
//   stderrFd are the parent's ends, close-on-exec, and the caller's to close (-1
//   when not piped).
// - onExit(code, signal) is called once the child has been reaped: code a number
//   and signal null, or code null and signal a name such as "SIGTERM", as Node's
//   'exit' event. The pending child keeps the event loop alive, as a ChildProcess.
// - A child that cannot start throws an Error whose code is the errno's name
//   ("ENOENT", "EACCES"), errno its negative number, as Node's spawn errors.
//
// Why a pidfd: libuv's SIGCHLD handler only waitpid()s the pids of its own
// process handles, so nothing else reaps these children; a pidfd becomes readable
// when its process exits, and a uv_poll_t on it wakes the loop with no signal
// handler and no thread.
//
// Not handled: worker threads ending with children still running
// (no environment cleanup hook), and kernels before 5.3 (no pidfd_open: the child
// is killed and reaped at once, and spawn throws ENOSYS).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "spawn: " #call " failed"); \
      return NULL;                                         \
    }                                                      \
  } while (0)

typedef struct {
  uv_poll_t poll;  // first, so the handle's address is the child's
  napi_env env;
  napi_ref on_exit;
  napi_async_context async;
  pid_t pid;
  int pidfd;
} child_t;

// ---- strings and arrays from JS -----------------------------------------------

// A malloc'd copy of a JS string, or NULL with a TypeError thrown. A NUL inside is
// refused, as Node's spawn refuses it: C would cut the string there.
static char *string_of (napi_env env, napi_value value, const char *what) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "spawn: %s must be a string", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  char *text = malloc(length + 1);
  if (text == NULL) {
    napi_throw_error(env, NULL, "spawn: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  if (strlen(text) != length) {
    char message[96];
    snprintf(message, sizeof message, "spawn: %s must not contain a NUL byte", what);
    free(text);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return NULL;
  }
  return text;
}

static void free_strings (char **list) {
  if (list == NULL) return;
  for (char **item = list; *item != NULL; item++) free(*item);
  free(list);
}

// A NULL-terminated, malloc'd array of malloc'd strings, or NULL with an error thrown.
static char **strings_of (napi_env env, napi_value value, const char *what) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  if (!is_array) {
    char message[96];
    snprintf(message, sizeof message, "spawn: %s must be an array of strings", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  uint32_t count;
  napi_get_array_length(env, value, &count);
  char **list = calloc((size_t)count + 1, sizeof *list);
  if (list == NULL) {
    napi_throw_error(env, NULL, "spawn: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, value, i, &item) != napi_ok || (list[i] = string_of(env, item, what)) == NULL) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

// ---- errors --------------------------------------------------------------------

// Throws what Node's spawn would report: code "ENOENT", errno -2, syscall, path.
static void throw_errno (napi_env env, int error, const char *syscall_name, const char *file) {
  const char *name = strerrorname_np(error);
  if (name == NULL) name = "EUNKNOWN";
  char message[512];
  snprintf(message, sizeof message, "%s %s %s (%s)", syscall_name, file, name, strerror(error));
  napi_value code, text, exception, number, syscall_value, path;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &exception);
  napi_create_int32(env, -error, &number);
  napi_set_named_property(env, exception, "errno", number);
  napi_create_string_utf8(env, syscall_name, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, exception, "syscall", syscall_value);
  napi_create_string_utf8(env, file, NAPI_AUTO_LENGTH, &path);
  napi_set_named_property(env, exception, "path", path);
  napi_throw(env, exception);
}

// ---- reaping -------------------------------------------------------------------

static void on_closed (uv_handle_t *handle) {
  child_t *child = (child_t *)handle;
  // Only now: libuv may still hold the fd in its epoll set until the close completes.
  close(child->pidfd);
  free(child);
}

// known false: the status could not be had (someone else reaped it): code and signal null.
static void report_exit (child_t *child, int status, bool known) {
  napi_env env = child->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver, argv[2];
  napi_get_reference_value(env, child->on_exit, &callback);
  napi_get_global(env, &receiver);  // MakeCallback wants an object
  if (!known) {
    napi_get_null(env, &argv[0]);
    napi_get_null(env, &argv[1]);
  } else if (WIFSIGNALED(status)) {
    char name[32];
    const char *abbrev = sigabbrev_np(WTERMSIG(status));
    snprintf(name, sizeof name, "SIG%s", abbrev == NULL ? "UNKNOWN" : abbrev);
    napi_get_null(env, &argv[0]);
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &argv[1]);
  } else {
    napi_create_int32(env, WEXITSTATUS(status), &argv[0]);
    napi_get_null(env, &argv[1]);
  }
  // napi_make_callback, not napi_call_function: from the loop, with no JS below us,
  // it runs the microtasks (promise reactions) and keeps async_hooks' context.
  napi_value result;
  if (napi_make_callback(env, child->async, receiver, callback, 2, argv, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

static void on_pidfd (uv_poll_t *handle, int poll_status, int events) {
  child_t *child = (child_t *)handle;
  int status;
  pid_t reaped;
  // A readable pidfd means the process has exited, so this does not block. If the
  // poll itself failed, the group is killed first, so the wait is short and the loop
  // is not held by a script that would go on.
  if (poll_status < 0) kill(-child->pid, SIGKILL);
  do reaped = waitpid(child->pid, &status, poll_status < 0 ? 0 : WNOHANG);
  while (reaped < 0 && errno == EINTR);
  if (reaped == 0) return;
  uv_poll_stop(handle);
  // Reaped by someone else (ECHILD): still reported, so whoever waits is not left waiting.
  report_exit(child, status, reaped == child->pid);
  napi_delete_reference(child->env, child->on_exit);
  napi_async_destroy(child->env, child->async);
  uv_close((uv_handle_t *)handle, on_closed);
}

// ---- spawn ---------------------------------------------------------------------

static void close_pipe (int fds[2]) {
  if (fds[0] >= 0) close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);
  fds[0] = fds[1] = -1;
}

// glibc's sigfillset leaves out its two internal signals (32 and 33, SIGCANCEL and
// SIGSETXID), and posix_spawn sets any signal not in the default set but handled in
// the parent, as those two are, to SIG_IGN in the child, which exec keeps: the script
// would start with them ignored, where Node's spawn (and a shell) gives none ignored.
// sigaddset refuses them, so their bits are set directly; posix_spawnattr_setsigdefault
// copies the set as it is. Between the vfork and the exec nothing sends them to the
// child: glibc sends them to threads of its own process only.
static void every_signal_too (sigset_t *set) {
  const size_t bits = 8 * sizeof set->__val[0];
  for (int sig = 1; sig < SIGRTMIN; sig++) set->__val[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
}

// posix_spawn with the file actions and attributes above; ENOEXEC retried through
// /bin/sh with the file as its script, as glibc's execvp does.
static int start (pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                  const posix_spawnattr_t *attributes, char **argv, char **envp) {
  bool has_slash = strchr(file, '/') != NULL;
  int error = has_slash ? posix_spawn(pid, file, actions, attributes, argv, envp)
                        : posix_spawnp(pid, file, actions, attributes, argv, envp);
  if (error != ENOEXEC || !has_slash) return error;
  size_t count = 0;
  while (argv[count] != NULL) count++;
  char **shell_argv = calloc(count + 2, sizeof *shell_argv);
  if (shell_argv == NULL) return ENOMEM;
  shell_argv[0] = "/bin/sh";
  shell_argv[1] = (char *)file;
  for (size_t i = 1; i < count; i++) shell_argv[i + 1] = argv[i];
  error = posix_spawn(pid, "/bin/sh", actions, attributes, shell_argv, envp);
  free(shell_argv);
  return error;
}

static napi_value Spawn (napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "spawn(file, argv, envp, cwd, onExit[, pipeStderr[, pipeStdin]])");
    return NULL;
  }
  napi_valuetype type;
  napi_typeof(env, args[4], &type);
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "spawn: onExit must be a function");
    return NULL;
  }
  bool pipe_stderr = true;
  if (argc > 5) {
    napi_typeof(env, args[5], &type);
    if (type != napi_undefined) napi_get_value_bool(env, args[5], &pipe_stderr);
  }
  bool pipe_stdin = false;
  if (argc > 6) {
    napi_typeof(env, args[6], &type);
    if (type != napi_undefined) napi_get_value_bool(env, args[6], &pipe_stdin);
  }

  napi_value result = NULL;
  char *file = NULL, *cwd = NULL;
  char **argv = NULL, **envp = NULL;
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
  bool actions_made = false, attributes_made = false;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;

  if ((file = string_of(env, args[0], "file")) == NULL) goto done;
  if ((argv = strings_of(env, args[1], "argv")) == NULL) goto done;
  if ((envp = strings_of(env, args[2], "envp")) == NULL) goto done;
  napi_typeof(env, args[3], &type);
  if (type != napi_null && type != napi_undefined && (cwd = string_of(env, args[3], "cwd")) == NULL) goto done;
  if (argv[0] == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "spawn: argv must hold at least argv[0]");
    goto done;
  }

  // Close-on-exec on both ends: the child's ends are dup2()'d onto 1 and 2 (dup2
  // clears the flag on the copy), so no other child, of ours or of libuv's, inherits
  // any of them. Node keeps 0-2 open (it opens /dev/null on any closed at start-up),
  // so a new pipe is never 1 or 2 itself.
  if (pipe2(out, O_CLOEXEC) != 0 || (pipe_stderr && pipe2(err, O_CLOEXEC) != 0)) {
    throw_errno(env, errno, "pipe2", file);
    goto done;
  }
  // in[0] is the child's, in[1] ours.
  if (pipe_stdin && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    throw_errno(env, errno, "socketpair", file);
    goto done;
  }

  posix_spawn_file_actions_init(&actions);
  actions_made = true;
  if (pipe_stdin) posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  else posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  if (pipe_stderr) posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  else posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);

  posix_spawnattr_init(&attributes);
  attributes_made = true;
  sigset_t all, none;
  sigfillset(&all);
  every_signal_too(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid;
  int error = start(&pid, file, &actions, &attributes, argv, envp);
  if (error != 0) {
    throw_errno(env, error, "posix_spawn", file);
    goto done;
  }
  close(out[1]);
  out[1] = -1;
  if (pipe_stdin) {
    close(in[0]);
    in[0] = -1;
  }
  if (pipe_stderr) {
    close(err[1]);
    err[1] = -1;
  }

  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    int pidfd_error = errno;
    // No way to be told of its exit: stop it now rather than leave a zombie behind.
    kill(-pid, SIGKILL);  // the group: the script may have forked already
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    throw_errno(env, pidfd_error, "pidfd_open", file);
    goto done;
  }

  uv_loop_t *loop;
  child_t *child = calloc(1, sizeof *child);
  if (child == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &child->poll, pidfd) != 0) {
    free(child);
    close(pidfd);
    kill(-pid, SIGKILL);  // the group: the script may have forked already
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    napi_throw_error(env, NULL, "spawn: cannot watch the child's pidfd");
    goto done;
  }
  child->env = env;
  child->pid = pid;
  child->pidfd = pidfd;
  napi_value resource_name;
  napi_create_string_utf8(env, "servekit:spawn", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &child->async);
  napi_create_reference(env, args[4], 1, &child->on_exit);
  uv_poll_start(&child->poll, UV_READABLE, on_pidfd);

  napi_value pid_value, stdin_value, stdout_value, stderr_value;
  napi_create_object(env, &result);
  napi_create_int32(env, pid, &pid_value);
  napi_create_int32(env, pipe_stdin ? in[1] : -1, &stdin_value);
  napi_create_int32(env, out[0], &stdout_value);
  napi_create_int32(env, pipe_stderr ? err[0] : -1, &stderr_value);
  napi_set_named_property(env, result, "pid", pid_value);
  napi_set_named_property(env, result, "stdinFd", stdin_value);
  napi_set_named_property(env, result, "stdoutFd", stdout_value);
  napi_set_named_property(env, result, "stderrFd", stderr_value);
  in[1] = out[0] = err[0] = -1;  // the caller's now

done:
  if (result == NULL) {
    close_pipe(in);
    close_pipe(out);
    close_pipe(err);
  }
  if (actions_made) posix_spawn_file_actions_destroy(&actions);
  if (attributes_made) posix_spawnattr_destroy(&attributes);
  free(file);
  free(cwd);
  free_strings(argv);
  free_strings(envp);
  return result;
}

// Whether this kernel lets us reap through a pidfd (Linux 5.3+, and no seccomp
// profile refusing pidfd_open): where not, every spawn would fail, so the caller
// asks once and starts its children another way.
static napi_value Supported (napi_env env, napi_callback_info info) {
  int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (fd >= 0) close(fd);
  napi_value result;
  napi_get_boolean(env, fd >= 0, &result);
  return result;
}

NAPI_MODULE_INIT () {
  napi_value spawn_function, supported_function;
  if (napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, Spawn, NULL, &spawn_function) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "spawn", spawn_function) != napi_ok) return NULL;
  if (napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, NULL, &supported_function) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "supported", supported_function) != napi_ok) return NULL;
  return exports;
}
