// Process helpers for RunbookRunner; see include/CSystem.h. Compiled with _GNU_SOURCE (Package.swift)
// so that pipe2, POSIX_SPAWN_SETSID, posix_spawn_file_actions_addclosefrom_np / addchdir_np and
// SYS_pidfd_open are declared.

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "CSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void close_if_open(int *fd) {
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/// Moves `*fd` above 2 (keeping it close-on-exec), so that a parent started with closed standard
/// descriptors cannot make the child's dup2 file actions overwrite one pipe with another.
static int move_above_stdio(int *fd) {
    if (*fd > 2) return 0;
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (moved < 0) return errno;
    close(*fd);
    *fd = moved;
    return 0;
}

static int make_pipe(int fds[2]) {
#ifdef __linux__
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
#else
    if (pipe(fds) != 0) return errno;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
    int err = move_above_stdio(&fds[0]);
    if (err == 0) err = move_above_stdio(&fds[1]);
    if (err == 0) err = rb_set_nonblocking(fds[0]);
    if (err != 0) {
        close_if_open(&fds[0]);
        close_if_open(&fds[1]);
    }
    return err;
}

static int open_pseudo_terminal(unsigned short rows, unsigned short cols, int *master,
                                char *slave_name, size_t name_size) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return errno;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, slave_name, name_size) != 0) {
        int err = errno;
        close(fd);
        return err;
    }
    int err = move_above_stdio(&fd);
    if (err == 0) err = rb_set_nonblocking(fd);
    if (err != 0) {
        close(fd);
        return err;
    }
    if (rows > 0 && cols > 0) {
        struct winsize size = {.ws_row = rows, .ws_col = cols};
        (void)ioctl(fd, TIOCSWINSZ, &size); // a size is a courtesy: the step runs without one
    }
    *master = fd;
    return 0;
}

static int open_pidfd(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
    long fd = syscall(SYS_pidfd_open, pid, 0); // close-on-exec by definition
    return fd >= 0 ? (int)fd : -1;
#else
    (void)pid;
    return -1;
#endif
}

/// Fills the spawn attributes: own session, empty mask, every signal at its default action.
static int prepare_attributes(posix_spawnattr_t *attr) {
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
#ifdef __GLIBC__
    // glibc's sigfillset leaves out the two signals it uses internally (32 and 33), and posix_spawn
    // then starts the child with them *ignored*, which survives exec. Set their bits directly so
    // that they too start at SIG_DFL (the child's sigaction calls are glibc's own, which accept them).
    for (int sig = 32; sig <= 33; sig++) {
        const size_t bits = 8 * sizeof all.__val[0];
        all.__val[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
    }
#endif
    short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#ifndef __linux__
    flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
#endif
    int err = posix_spawnattr_setflags(attr, flags);
    if (err == 0) err = posix_spawnattr_setsigmask(attr, &empty);
    if (err == 0) err = posix_spawnattr_setsigdefault(attr, &all);
    return err;
}

/// Fills the file actions: working directory, fds 0-2, nothing else inherited.
static int prepare_file_actions(posix_spawn_file_actions_t *actions, const char *cwd, int use_pty,
                                const char *slave_name, int out_write, int err_write) {
    int err = 0;
    if (cwd != NULL) err = posix_spawn_file_actions_addchdir_np(actions, cwd);
    if (use_pty) {
        // No O_NOCTTY: the child is a session leader without a terminal, so this open makes the
        // slave its controlling terminal.
        if (err == 0) err = posix_spawn_file_actions_addopen(actions, 0, slave_name, O_RDWR, 0);
        if (err == 0) err = posix_spawn_file_actions_adddup2(actions, 0, 1);
        if (err == 0) err = posix_spawn_file_actions_adddup2(actions, 0, 2);
    } else {
        if (err == 0) err = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
        if (err == 0) err = posix_spawn_file_actions_adddup2(actions, out_write, 1);
        if (err == 0) err = posix_spawn_file_actions_adddup2(actions, err_write, 2);
    }
#ifdef __linux__
    if (err == 0) err = posix_spawn_file_actions_addclosefrom_np(actions, 3);
#endif
    return err;
}

/* The run's mark (see rb_watch_set_mark): copied into every environment rb_spawn and
 * rb_spawn_foreground pass on. */
static char *rb_watch_mark = NULL;

int rb_watch_set_mark(const char *entry) {
    char *copy = NULL;
    if (entry != NULL) {
        copy = strdup(entry);
        if (copy == NULL) return ENOMEM;
    }
    char *old = rb_watch_mark;
    rb_watch_mark = copy;
    free(old);
    return 0;
}

/// `envp` with the run's mark in place of any inherited one, in a new array to free (NULL when there is
/// no mark: use `envp` as it is).
static char **with_mark(char *const envp[]) {
    const char *mark = rb_watch_mark;
    if (mark == NULL) return NULL;
    const char *eq = strchr(mark, '=');
    size_t name = eq != NULL ? (size_t)(eq - mark) + 1 : strlen(mark);
    size_t count = 0;
    while (envp[count] != NULL) count++;
    char **out = calloc(count + 2, sizeof *out);
    if (out == NULL) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(envp[i], mark, name) != 0) out[k++] = envp[i];
    }
    out[k++] = (char *)mark;
    out[k] = NULL;
    return out;
}

int rb_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
             int use_pty, unsigned short rows, unsigned short cols, rb_spawned *out) {
    out->pid = -1;
    out->pidfd = -1;
    out->stdout_fd = -1;
    out->stderr_fd = -1;
    out->failed_stage = RB_STAGE_NONE;

    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    int master = -1;
    char slave_name[128] = {0};
    int err = 0;

    if (use_pty) {
        err = open_pseudo_terminal(rows, cols, &master, slave_name, sizeof slave_name);
        if (err != 0) {
            out->failed_stage = RB_STAGE_PSEUDO_TERMINAL;
            return err;
        }
    } else {
        err = make_pipe(out_pipe);
        if (err == 0) {
            err = make_pipe(err_pipe);
            if (err != 0) {
                close_if_open(&out_pipe[0]);
                close_if_open(&out_pipe[1]);
            }
        }
        if (err != 0) {
            out->failed_stage = RB_STAGE_PIPES;
            return err;
        }
    }

    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int have_attr = 0, have_actions = 0;
    pid_t pid = -1;

    err = posix_spawnattr_init(&attr);
    if (err == 0) {
        have_attr = 1;
        err = posix_spawn_file_actions_init(&actions);
    }
    if (err == 0) {
        have_actions = 1;
        err = prepare_attributes(&attr);
    }
    if (err == 0) {
        err = prepare_file_actions(&actions, cwd, use_pty, slave_name, out_pipe[1], err_pipe[1]);
    }
    if (err != 0) {
        out->failed_stage = RB_STAGE_SETUP;
    } else {
        char **marked = with_mark(envp);
        err = posix_spawn(&pid, path, &actions, &attr, argv, marked != NULL ? marked : envp);
        free(marked);
        if (err != 0) out->failed_stage = RB_STAGE_SPAWN;
    }

    if (have_actions) posix_spawn_file_actions_destroy(&actions);
    if (have_attr) posix_spawnattr_destroy(&attr);
    // The write ends belong to the child alone: holding them would keep EOF from ever arriving.
    close_if_open(&out_pipe[1]);
    close_if_open(&err_pipe[1]);

    if (err != 0) {
        close_if_open(&out_pipe[0]);
        close_if_open(&err_pipe[0]);
        close_if_open(&master);
        return err;
    }

    out->pid = pid;
    out->pidfd = open_pidfd(pid);
    out->stdout_fd = use_pty ? master : out_pipe[0];
    out->stderr_fd = use_pty ? -1 : err_pipe[0];
    return 0;
}

int rb_kill_group(pid_t pgid, int sig) {
    if (pgid < 2) return EINVAL;
    return kill(-pgid, sig) == 0 ? 0 : errno;
}

pid_t rb_reap(pid_t pid, int *status) {
    pid_t r;
    do {
        r = waitpid(pid, status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r;
}

int rb_has_exited(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do {
        r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    return info.si_pid == pid ? 1 : 0;
}

int rb_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    if (flags & O_NONBLOCK) return 0;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : errno;
}

int rb_status_exited(int status) { return WIFEXITED(status); }
int rb_status_exit_code(int status) { return WEXITSTATUS(status); }
int rb_status_signaled(int status) { return WIFSIGNALED(status); }
int rb_status_signal(int status) { return WTERMSIG(status); }

/* The self-pipe that rb_forward_signals writes to. */
static volatile sig_atomic_t rb_signal_fd = -1;

static void rb_signal_to_pipe(int sig) {
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (rb_signal_fd >= 0) {
        ssize_t ignored = write(rb_signal_fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int rb_forward_signals(int write_fd, const int *signals, int count) {
    rb_signal_fd = write_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = rb_signal_to_pipe;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < count; i++) {
        if (sigaction(signals[i], &sa, NULL) != 0) return errno;
    }
    return 0;
}

// MARK: - The terminal's owner: interactive steps and crash restore

int rb_spawn_foreground(const char *path, char *const argv[], char *const envp[], const char *cwd,
                        int tty_fd, pid_t *pid, int *pidfd) {
    *pid = -1;
    *pidfd = -1;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int err = posix_spawnattr_init(&attr);
    if (err != 0) return err;
    err = posix_spawn_file_actions_init(&actions);
    if (err != 0) {
        posix_spawnattr_destroy(&attr);
        return err;
    }
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
#ifdef __GLIBC__
    for (int sig = 32; sig <= 33; sig++) {
        const size_t bits = 8 * sizeof all.__val[0];
        all.__val[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
    }
#endif
    err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (err == 0) err = posix_spawnattr_setpgroup(&attr, 0);
    if (err == 0) err = posix_spawnattr_setsigmask(&attr, &empty);
    if (err == 0) err = posix_spawnattr_setsigdefault(&attr, &all);
    if (err == 0 && cwd != NULL) err = posix_spawn_file_actions_addchdir_np(&actions, cwd);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
    // The child makes its own group the foreground one before exec (its signals are still blocked
    // there, so SIGTTOU cannot stop it), so it never reads the terminal from the background.
    int child_sets_foreground = 0;
    if (err == 0 && tty_fd >= 0) {
        err = posix_spawn_file_actions_addtcsetpgrp_np(&actions, tty_fd);
        child_sets_foreground = (err == 0);
    }
#else
    int child_sets_foreground = 0;
#endif
#ifdef __linux__
    if (err == 0) err = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    pid_t child = -1;
    char **marked = with_mark(envp);
    if (err == 0) err = posix_spawn(&child, path, &actions, &attr, argv, marked != NULL ? marked : envp);
    free(marked);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) return err;
    if (!child_sets_foreground && tty_fd >= 0) {
        // Without the file action: hand the terminal over from here and wake the child in case it
        // tried to read before that and was stopped by SIGTTIN.
        (void)rb_set_foreground_group(tty_fd, child);
        (void)kill(-child, SIGCONT);
    }
    *pid = child;
    *pidfd = open_pidfd(child);
    return 0;
}

int rb_set_foreground_group(int fd, pid_t pgrp) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTTOU);
    sigprocmask(SIG_BLOCK, &block, &old);
    int r = tcsetpgrp(fd, pgrp);
    int err = r == 0 ? 0 : errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    return err;
}

int rb_exited_or_stopped(pid_t pid) {
    siginfo_t info;
    int r;
    memset(&info, 0, sizeof info);
    do {
        r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (info.si_pid == pid) return 1;
    memset(&info, 0, sizeof info);
    do {
        r = waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    return info.si_pid == pid ? 2 : 0;
}

/* The crash guard's state: written by the main thread, read by the handler. */
#define RB_GUARD_GROUPS 256
static const int rb_guard_signals[] = {SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE};
#define RB_GUARD_SIGNAL_COUNT ((int)(sizeof rb_guard_signals / sizeof rb_guard_signals[0]))
static struct sigaction rb_guard_previous[RB_GUARD_SIGNAL_COUNT];
static int rb_guard_fd = -1;
static struct termios rb_guard_termios;
static int rb_guard_have_termios = 0;
static pid_t rb_guard_foreground = -1;
static char rb_guard_restore[1024];
static volatile sig_atomic_t rb_guard_restore_length = 0;
static volatile pid_t rb_guard_groups[RB_GUARD_GROUPS];
static volatile sig_atomic_t rb_guard_entered = 0;
static char rb_guard_stack[64 * 1024];

static void rb_guard_write(int fd, const char *bytes, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, bytes + done, length - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += (size_t)n;
    }
}

static void rb_guard_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved = errno;
    if (!rb_guard_entered) {
        rb_guard_entered = 1;
        for (int i = 0; i < RB_GUARD_GROUPS; i++) {
            pid_t g = rb_guard_groups[i];
            if (g > 1) kill(-g, SIGKILL);
        }
        if (rb_guard_fd >= 0) {
            sigset_t block, old;
            sigemptyset(&block);
            sigaddset(&block, SIGTTOU);
            sigaddset(&block, SIGTTIN);
            sigprocmask(SIG_BLOCK, &block, &old);
            if (rb_guard_foreground > 0 && tcgetpgrp(rb_guard_fd) != rb_guard_foreground) {
                (void)tcsetpgrp(rb_guard_fd, rb_guard_foreground);
            }
            int length = rb_guard_restore_length;
            if (length > 0) rb_guard_write(rb_guard_fd, rb_guard_restore, (size_t)length);
            if (rb_guard_have_termios) (void)tcsetattr(rb_guard_fd, TCSADRAIN, &rb_guard_termios);
            sigprocmask(SIG_SETMASK, &old, NULL);
        }
    }
    for (int i = 0; i < RB_GUARD_SIGNAL_COUNT; i++) {
        if (rb_guard_signals[i] == sig) sigaction(sig, &rb_guard_previous[i], NULL);
    }
    // A fault (si_code > 0) happens again when the handler returns, now reaching the previous
    // handler with its real context. A signal that was sent (abort, raise, kill) must be sent again;
    // it stays pending until this handler returns.
    if (info == NULL || info->si_code <= 0) raise(sig);
    errno = saved;
}

int rb_crash_guard_install(int tty_fd) {
    rb_guard_fd = tty_fd;
    if (tty_fd >= 0 && tcgetattr(tty_fd, &rb_guard_termios) == 0) rb_guard_have_termios = 1;
    rb_guard_foreground = tty_fd >= 0 ? tcgetpgrp(tty_fd) : -1;
    // A stack overflow can only be handled on another stack: add one unless there is one already.
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
        stack_t alt = {.ss_sp = rb_guard_stack, .ss_size = sizeof rb_guard_stack, .ss_flags = 0};
        (void)sigaltstack(&alt, NULL);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rb_guard_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (int i = 0; i < RB_GUARD_SIGNAL_COUNT; i++) {
        if (sigaction(rb_guard_signals[i], &sa, &rb_guard_previous[i]) != 0) return errno;
    }
    return 0;
}

void rb_crash_guard_set_restore(const char *bytes, int length) {
    if (bytes == NULL || length <= 0) {
        rb_guard_restore_length = 0;
        return;
    }
    if (length > (int)sizeof rb_guard_restore - 1) length = (int)sizeof rb_guard_restore - 1;
    rb_guard_restore_length = 0;  // the handler never sees a half-copied string
    memcpy(rb_guard_restore, bytes, (size_t)length);
    rb_guard_restore_length = length;
}

/* The run watcher's socket: every group added to or removed from the guard is also told to it. */
static volatile int rb_watch_fd = -1;

void rb_watch_set_fd(int fd) { rb_watch_fd = fd; }

/// Writes "+PGID\n" or "-PGID\n" to the watcher, without blocking and without SIGPIPE.
static void rb_watch_note(char sign, pid_t pgid) {
    int fd = rb_watch_fd;
    if (fd < 0 || pgid < 2) return;
    char digits[16];
    int n = 0;
    unsigned long v = (unsigned long)pgid;
    while (v > 0 && n < (int)sizeof digits) {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    }
    char line[24];
    int k = 0;
    line[k++] = sign;
    while (n > 0) line[k++] = digits[--n];
    line[k++] = '\n';
    ssize_t r;
    do {
        r = send(fd, line, (size_t)k, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (r < 0 && errno == EINTR);
}

int rb_watch_note_text(const char *text, int length) {
    int fd = rb_watch_fd;
    if (fd < 0) return EBADF;
    int done = 0;
    while (done < length) {
        ssize_t r = send(fd, text + done, (size_t)(length - done), MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return errno;
        done += (int)r;
    }
    return 0;
}

int rb_spawn_watcher(const char *path, char *const argv[], char *const envp[], int stdin_fd, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int err = posix_spawnattr_init(&attr);
    if (err != 0) return err;
    err = posix_spawn_file_actions_init(&actions);
    if (err != 0) {
        posix_spawnattr_destroy(&attr);
        return err;
    }
    err = prepare_attributes(&attr);
    if (err == 0) err = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (err == 0) err = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    if (err == 0) err = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    if (err == 0) err = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (err == 0) err = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return err;
}

int rb_crash_guard_add_group(pid_t pgid) {
    rb_watch_note('+', pgid);
    for (int i = 0; i < RB_GUARD_GROUPS; i++) {
        if (rb_guard_groups[i] == pgid) return 0;
    }
    for (int i = 0; i < RB_GUARD_GROUPS; i++) {
        if (rb_guard_groups[i] <= 0) {
            rb_guard_groups[i] = pgid;
            return 0;
        }
    }
    return ENOSPC;
}

void rb_crash_guard_remove_group(pid_t pgid) {
    rb_watch_note('-', pgid);
    for (int i = 0; i < RB_GUARD_GROUPS; i++) {
        if (rb_guard_groups[i] == pgid) rb_guard_groups[i] = 0;
    }
}

int rb_stop_for_job_control(void) {
    struct sigaction dfl, previous;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGTSTP, &dfl, &previous) != 0) return errno;
    sigset_t tstp, old;
    sigemptyset(&tstp);
    sigaddset(&tstp, SIGTSTP);
    (void)pthread_sigmask(SIG_UNBLOCK, &tstp, &old);
    // A signal sent to oneself and not blocked is delivered before kill returns: the process stops
    // here, and goes on at SIGCONT.
    int err = kill(getpid(), SIGTSTP) == 0 ? 0 : errno;
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
    (void)sigaction(SIGTSTP, &previous, NULL);
    return err;
}
