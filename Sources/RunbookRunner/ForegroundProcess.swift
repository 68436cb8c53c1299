import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// A process group running in the foreground of the real terminal, watched without blocking: the one
/// monitor of `runbook drill -- COMMAND` (``ForegroundCommand``) and the TUI's interactive steps.
///
/// The leader is spawned in a process group of its own with fds 0-2 inherited; when this process has
/// the terminal, that group becomes the terminal's foreground group before it runs (so Ctrl-C, Ctrl-\
/// and reading the terminal are the command's). A stop (Ctrl-Z) is undone: the group is put back in the
/// foreground and continued, because there is no job-control shell to return to. When the leader
/// exits, the rest of its group is killed (background jobs do not outlive it), the leader is reaped
/// and the terminal is given back to this process's group.
public final class ForegroundProcess {
    /// How the leader ended.
    public struct Ending: Sendable, Hashable {
        /// Nil when its status could not be collected.
        public var status: ExitStatus?
        /// Whether ``terminate(now:)`` had begun the escalation.
        public var terminated: Bool
        public var duration: Duration
    }

    public let pid: pid_t
    public let startedAt: MonotonicInstant
    private var pidFD: Int32?
    private let terminal: Int32?
    private let ownGroup: pid_t
    private let plan: TerminationPlan
    private var termination: (start: MonotonicInstant, sent: Int)?
    private var killAt: MonotonicInstant?
    private var ending: Ending?

    /// How long a group may outlive a forwarded SIGTERM or SIGHUP before it gets SIGKILL.
    public static let killAfter = Duration.seconds(5)

    /// Starts `executable` with `arguments` (from argv[0]) in the foreground of `terminal` (the
    /// descriptor of this process's controlling terminal while this process is in its foreground).
    public init(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String? = nil,
        terminal: Int32?, plan: TerminationPlan = .standard
    ) throws(SpawnError) {
        guard let strings = SpawnStrings(arguments: arguments, environment: environment, workingDirectory: workingDirectory)
        else {
            throw SpawnError(stage: .request, code: EINVAL, shell: executable, workingDirectory: workingDirectory)
        }
        defer { strings.release() }
        var pid: pid_t = -1
        var pidfd: Int32 = -1
        let code: Int32
        if let cwd = workingDirectory {
            code = rb_spawn_foreground(executable, strings.argv, strings.envp, cwd, terminal ?? -1, &pid, &pidfd)
        } else {
            code = rb_spawn_foreground(executable, strings.argv, strings.envp, nil, terminal ?? -1, &pid, &pidfd)
        }
        guard code == 0 else {
            throw SpawnError(
                stage: access(executable, X_OK) != 0 ? .shell : .system, code: code, shell: executable,
                workingDirectory: workingDirectory)
        }
        self.pid = pid
        pidFD = pidfd >= 0 ? pidfd : nil
        self.terminal = terminal
        self.plan = plan
        ownGroup = getpgrp()
        startedAt = .now()
        _ = rb_crash_guard_add_group(pid)
    }

    deinit {
        if ending == nil { abandon() }
        if let fd = pidFD { close(fd) }
    }

    /// The pidfd to poll, if there is one; without it (and for stops, which a pidfd does not report)
    /// the owner looks again by ``nextDeadline(now:)``.
    public var exitFD: Int32? { pidFD }

    /// Asks the group to stop: the termination plan (SIGINT, SIGTERM after 2 s, SIGKILL after 2 s more).
    public func terminate(now: MonotonicInstant = .now()) {
        guard termination == nil, ending == nil else { return }
        termination = (now, 0)
    }

    /// Sends `signal` on to the group (a signal that reached this process); a SIGTERM or SIGHUP it
    /// survives for ``killAfter`` is followed by SIGKILL.
    public func forward(_ signal: Int32, now: MonotonicInstant = .now()) {
        guard ending == nil else { return }
        _ = rb_kill_group(pid, signal)
        if (signal == SIGTERM || signal == SIGHUP) && killAt == nil { killAt = now + Self.killAfter }
    }

    /// Sends what is due and checks the leader: its ending once it has exited (the group then killed,
    /// the leader reaped, the terminal given back).
    public func advance(now: MonotonicInstant) -> Ending? {
        if let ending { return ending }
        if var t = termination {
            for stage in plan.due(start: t.start, now: now, sent: t.sent) {
                _ = rb_kill_group(pid, stage.signal)
                t.sent += 1
            }
            termination = t
        }
        if let deadline = killAt, now >= deadline {
            _ = rb_kill_group(pid, SIGKILL)
            killAt = nil
        }
        switch rb_exited_or_stopped(pid) {
        case 1, -1:
            return finish()
        case 2:
            // Stopped (Ctrl-Z, or it read the terminal from the background): foreground it again.
            if let terminal { _ = rb_set_foreground_group(terminal, pid) }
            _ = rb_kill_group(pid, SIGCONT)
            return nil
        default:
            return nil
        }
    }

    /// The next instant something is due: a signal, or a stop check (every 100 ms).
    public func nextDeadline(now: MonotonicInstant) -> MonotonicInstant {
        var next = now + .milliseconds(100)
        if let t = termination, let due = plan.nextDeadline(start: t.start, sent: t.sent) { next = min(next, due) }
        if let killAt { next = min(next, killAt) }
        return next
    }

    /// Gives up waiting (this process is leaving): SIGKILL to the group and the terminal back. The
    /// leader is left to be reaped by whoever inherits it.
    public func abandon() {
        guard ending == nil else { return }
        ending = Ending(status: nil, terminated: true, duration: .now() - startedAt)
        _ = rb_kill_group(pid, SIGKILL)
        rb_crash_guard_remove_group(pid)
        if let terminal { _ = rb_set_foreground_group(terminal, ownGroup) }
    }

    private func finish() -> Ending {
        _ = rb_kill_group(pid, SIGKILL)  // what the leader left behind in its group; it is not reaped yet
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, 0) } while r < 0 && errno == EINTR
        rb_crash_guard_remove_group(pid)
        if let fd = pidFD {
            close(fd)
            pidFD = nil
        }
        if let terminal { _ = rb_set_foreground_group(terminal, ownGroup) }
        let status = r == pid ? ExitStatus(waitStatus: raw) : nil
        let ending = Ending(status: status, terminated: termination != nil, duration: .now() - startedAt)
        self.ending = ending
        return ending
    }
}
