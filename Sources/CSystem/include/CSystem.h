#ifndef RUNBOOK_CSYSTEM_H
#define RUNBOOK_CSYSTEM_H

// Process helpers for RunbookRunner and the TUI's runtime that Swift cannot reach through its Glibc
// module: pipe2, POSIX_SPAWN_SETSID, posix_spawn_file_actions_addclosefrom_np, addchdir_np,
// addtcsetpgrp_np, pidfd_open, the wait-status macros, and signal handlers. Every function reports
// failure by returning an errno value (or -1 with errno set where noted). The only state kept is
// what signal handlers need and can reach nothing else for: the self-pipe's descriptor
// (rb_forward_signals) and the crash guard's terminal, restore bytes and process groups.

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which part of rb_spawn failed.
typedef enum rb_spawn_stage {
    RB_STAGE_NONE = 0,
    /// Creating the output pipes or setting them non-blocking.
    RB_STAGE_PIPES = 1,
    /// Creating or naming the pseudo-terminal.
    RB_STAGE_PSEUDO_TERMINAL = 2,
    /// Preparing the spawn attributes or file actions.
    RB_STAGE_SETUP = 3,
    /// posix_spawn itself: the shell could not be executed or the working directory entered.
    RB_STAGE_SPAWN = 4,
} rb_spawn_stage;

/// A started child and the parent's ends of its output.
typedef struct rb_spawned {
    /// The child's pid; also its process group and session id (it was started with SETSID).
    pid_t pid;
    /// A pidfd for the child (readable once it exits), or -1 where pidfd_open is unavailable.
    int pidfd;
    /// Read end of the child's stdout; in pseudo-terminal mode the pty master, carrying stdout and
    /// stderr together (it is also writable: bytes written arrive on the child's stdin).
    int stdout_fd;
    /// Read end of the child's stderr; -1 in pseudo-terminal mode.
    int stderr_fd;
    /// When rb_spawn fails: which stage.
    rb_spawn_stage failed_stage;
} rb_spawned;

/// Starts `path` with `argv` and exactly `envp`, in `cwd` (NULL: the parent's), as the leader of a
/// new session and process group, with an empty signal mask and every signal at its default action.
///
/// Pipe mode (`use_pty` == 0): stdin is /dev/null; stdout and stderr go into two pipes whose read ends
/// are returned close-on-exec and non-blocking.
///
/// Pseudo-terminal mode: a new pty (`rows` x `cols` when both are non-zero) whose slave is the child's
/// fds 0, 1 and 2 and its controlling terminal. posix_spawn cannot issue TIOCSCTTY, but it does not
/// need to: glibc runs SETSID before the file actions, and on Linux a session leader without a
/// controlling terminal that opens a tty without O_NOCTTY acquires it. The slave is therefore opened
/// by path in the child as fd 0 and duplicated to 1 and 2; the parent never holds the slave open, so
/// reading the master ends with EIO once every process of the step has closed it.
///
/// In both modes every other descriptor is closed in the child (closefrom(3)).
/// Returns 0, or an errno value with `out->failed_stage` set; on failure nothing is left open.
int rb_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
             int use_pty, unsigned short rows, unsigned short cols, rb_spawned *out);

/// Sends `sig` to every process of the group `pgid`. Refuses (EINVAL) a pgid below 2, which would
/// name the caller's own group or every process. Returns 0 or an errno value.
int rb_kill_group(pid_t pgid, int sig);

/// waitpid(pid, WNOHANG), retried on EINTR: returns pid when the child was reaped (`*status` set),
/// 0 while it runs, -1 with errno set on error.
pid_t rb_reap(pid_t pid, int *status);

/// Whether `pid` has exited, without reaping it (waitid with WNOWAIT), so its pid and process group
/// id stay reserved until rb_reap. Returns 1 (exited), 0 (running) or -1 with errno set.
int rb_has_exited(pid_t pid);

/// Sets O_NONBLOCK on `fd`. Returns 0 or an errno value.
int rb_set_nonblocking(int fd);

/// The wait-status macros, which Swift does not import.
int rb_status_exited(int status);
int rb_status_exit_code(int status);
int rb_status_signaled(int status);
int rb_status_signal(int status);

/// Installs handlers for `signals` that write the signal's number (one byte) to `write_fd`, which
/// should be the non-blocking write end of a pipe that a poll loop watches (the self-pipe pattern).
/// The descriptor is kept in the one piece of static state this file has, because a signal handler
/// can reach nothing else. Returns 0 or an errno value.
int rb_forward_signals(int write_fd, const int *signals, int count);


// MARK: - The terminal's owner: interactive steps and crash restore

/// Starts `path` like rb_spawn, but in the foreground of the terminal `tty_fd` instead of in a
/// session of its own: the child gets its own process group, which is made the terminal's foreground
/// group before exec (so it receives Ctrl-C and may read the terminal); fds 0, 1 and 2 are
/// inherited, every other descriptor is closed. Used for interactive steps while the TUI has given
/// the terminal up. `*pid` receives the child (also its group id) and `*pidfd` a pidfd or -1.
/// Returns 0 or an errno value.
int rb_spawn_foreground(const char *path, char *const argv[], char *const envp[], const char *cwd,
                        int tty_fd, pid_t *pid, int *pidfd);

/// tcsetpgrp(`fd`, `pgrp`) with SIGTTOU blocked, so that a process in a background group can take
/// the terminal back. Returns 0 or an errno value.
int rb_set_foreground_group(int fd, pid_t pgrp);

/// Waits without blocking for `pid` to exit or stop: 1 exited (not reaped), 2 stopped (the stop is
/// consumed), 0 neither, -1 with errno set on error.
int rb_exited_or_stopped(pid_t pid);

/// The crash guard: for SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS and SIGFPE, a handler that
/// kills every registered process group (SIGKILL), gives the terminal back to this process's group,
/// writes the restore bytes (sgr0, cnorm, rmcup, ...) to `tty_fd`, restores the terminal modes saved
/// by this call (tcgetattr now), then re-raises the signal to the handler that was there before
/// (Swift's backtracer). Call once, before the terminal is set up. Returns 0 or an errno value.
int rb_crash_guard_install(int tty_fd);

/// Sets the bytes the crash handler writes (at most 1023 are kept); an empty string, or 0 length,
/// disarms the terminal restore (after a normal endwin) while still killing groups.
void rb_crash_guard_set_restore(const char *bytes, int length);

/// Registers a process group for the crash handler to kill. Returns 0, or ENOSPC when 256 groups are
/// already registered.
int rb_crash_guard_add_group(pid_t pgid);

/// Forgets a process group (it has been reaped).
void rb_crash_guard_remove_group(pid_t pgid);

/// Job control (Ctrl-Z, which raw mode turns into a key): stops this process with SIGTSTP at its
/// default action, as the terminal driver would, and returns once it is continued (SIGCONT, `fg`).
/// The SIGTSTP handler in place (ncurses') is put back afterwards. When no shell can continue the
/// process (its process group is orphaned) the kernel discards the signal and this returns at once.
/// The caller gives the terminal up before and takes it back after. Returns 0 or an errno value.
int rb_stop_for_job_control(void);

#ifdef __cplusplus
}
#endif


// MARK: - The run watcher

/// Sets the socket of the run watcher (see RunGuard): every group given to rb_crash_guard_add_group or
/// rb_crash_guard_remove_group is then also written to it as "+PGID\n" or "-PGID\n" (non-blocking,
/// never raising SIGPIPE). -1 stops it.
void rb_watch_set_fd(int fd);

/// Sets the mark of this run ("RUNBOOK_RUN=<run folder>"), put into the environment of everything
/// rb_spawn and rb_spawn_foreground start (in place of an inherited one), so that the watcher can find
/// a process that was never registered: one started in the instant before its registration, or one
/// that left its group. The text is copied; NULL removes the mark. Returns 0 or ENOMEM.
int rb_watch_set_mark(const char *entry);

/// Writes `text` to the watcher's socket (blocking, no SIGPIPE). Returns 0 or an errno value.
int rb_watch_note_text(const char *text, int length);

/// Starts the run watcher `path` with `argv` and `envp` in a session of its own (no terminal's signals
/// reach it), every signal at its default, `stdin_fd` as its fd 0, /dev/null as 1 and 2, nothing else
/// inherited. Returns 0 or an errno value.
int rb_spawn_watcher(const char *path, char *const argv[], char *const envp[], int stdin_fd, pid_t *pid);

#endif
