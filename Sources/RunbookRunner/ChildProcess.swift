import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One started step: the leader of its own session and process group, and the parent's ends of its
/// output.
///
/// The leader stays unreaped (a zombie once it exits) until ``reap()``, so its pid, which is also
/// the group id, cannot be recycled while the group may still be signalled: ``signalGroup(_:)`` can
/// never reach a stranger's group. After ``reap()`` it refuses.
///
/// The object owns its descriptors and its process: when it goes away before the leader was reaped,
/// it sends SIGKILL to the group and reaps the leader (a wait bounded by SIGKILL), and it always
/// closes every descriptor. Not thread-safe: use it from one thread.
public final class ChildProcess {
    /// The leader's pid.
    public let pid: pid_t
    /// When the child was started, on the monotonic clock.
    public let startedAt: MonotonicInstant
    /// Whether the child runs on a pseudo-terminal (then ``outputFD`` is its master, and there is no
    /// ``errorFD``).
    public let usesPseudoTerminal: Bool
    /// The read end of stdout (or the pty master); nil once closed.
    public private(set) var outputFD: Int32?
    /// The read end of stderr; nil in pseudo-terminal mode or once closed.
    public private(set) var errorFD: Int32?
    /// A pidfd that becomes readable when the leader exits; nil where unsupported or once closed.
    public private(set) var pidFD: Int32?

    private enum Life {
        case running
        /// Reaped; the status is nil when something else reaped the child first.
        case reaped(ExitStatus?)
    }

    private var life = Life.running

    /// The process group and session id: the leader's pid (it was started with `POSIX_SPAWN_SETSID`).
    public var processGroup: pid_t { pid }

    /// The leader's exit status, once ``reap()`` has collected it.
    public var status: ExitStatus? {
        if case .reaped(let status) = life { return status }
        return nil
    }

    /// Whether ``reap()`` has collected the leader.
    public var isReaped: Bool {
        if case .reaped = life { return true }
        return false
    }

    /// Starts `request.shell` as described by `request`; see `rb_spawn` in CSystem for the details
    /// (own session, empty signal mask, default dispositions, stdin /dev/null or the pty, no other
    /// inherited descriptors).
    public init(_ request: SpawnRequest) throws(SpawnError) {
        guard let strings = Self.cStrings(for: request) else {
            throw SpawnError(
                stage: .request, code: EINVAL, shell: request.shell, workingDirectory: request.workingDirectory)
        }
        defer { strings.release() }

        var spawned = rb_spawned()
        let size = request.terminalSize
        let code: Int32
        if let cwd = request.workingDirectory {
            code = rb_spawn(
                request.shell, strings.argv, strings.envp, cwd, request.usePseudoTerminal ? 1 : 0,
                size.rows, size.columns, &spawned)
        } else {
            code = rb_spawn(
                request.shell, strings.argv, strings.envp, nil, request.usePseudoTerminal ? 1 : 0,
                size.rows, size.columns, &spawned)
        }
        guard code == 0 else {
            throw SpawnError(
                stage: Self.diagnose(spawned.failed_stage, request: request), code: code,
                shell: request.shell, workingDirectory: request.workingDirectory)
        }
        pid = spawned.pid
        startedAt = .now()
        usesPseudoTerminal = request.usePseudoTerminal
        outputFD = spawned.stdout_fd
        errorFD = spawned.stderr_fd >= 0 ? spawned.stderr_fd : nil
        pidFD = spawned.pidfd >= 0 ? spawned.pidfd : nil
        // Until it is reaped, the group is killed if this process crashes (the crash guard) or dies
        // any other way, SIGKILL included (the run watcher, when one runs: see RunGuard).
        _ = rb_crash_guard_add_group(pid)
    }

    deinit {
        closeAll()
        if case .running = life {
            _ = rb_kill_group(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    /// The descriptor that carries `channel`, if still open.
    public func fd(for channel: OutputChannel) -> Int32? {
        switch channel {
        case .stdout: outputFD
        case .stderr: errorFD
        }
    }

    /// Closes the descriptor of `channel` (after its EOF).
    public func close(_ channel: OutputChannel) {
        switch channel {
        case .stdout: Self.close(&outputFD)
        case .stderr: Self.close(&errorFD)
        }
    }

    /// Closes the pidfd (once the exit it announces has been seen).
    public func closePidFD() { Self.close(&pidFD) }

    /// Closes every descriptor; the process is not touched.
    public func closeAll() {
        Self.close(&outputFD)
        Self.close(&errorFD)
        Self.close(&pidFD)
    }

    /// Sends `signal` to every process of the step's group. Returns false after ``reap()`` (the id
    /// may belong to someone else by then) or when the group no longer exists.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        guard case .running = life else { return false }
        return rb_kill_group(pid, signal) == 0
    }

    /// Whether the leader has exited, without reaping it. True as well when the child can no longer
    /// be waited for (something else reaped it).
    public func hasExited() -> Bool {
        guard case .running = life else { return true }
        return rb_has_exited(pid) != 0
    }

    /// Collects the leader's exit status without blocking: nil while it runs. The first successful
    /// call reaps the process; later calls return the same status.
    public func reap() -> ExitStatus? {
        if case .reaped(let status) = life { return status }
        var raw: Int32 = 0
        let r = rb_reap(pid, &raw)
        if r == pid {
            let status = ExitStatus(waitStatus: raw)
            life = .reaped(status)
            rb_crash_guard_remove_group(pid)
            closePidFD()
            return status
        }
        if r < 0 {
            // ECHILD: reaped elsewhere. The status is lost, and the id must no longer be signalled.
            life = .reaped(nil)
            rb_crash_guard_remove_group(pid)
            closePidFD()
        }
        return nil
    }

    /// Waits, blocking, for the leader to exit and reaps it. Only for after SIGKILL was sent to the
    /// group, when the wait is bounded.
    func waitForExit() -> ExitStatus? {
        if case .reaped(let status) = life { return status }
        var raw: Int32 = 0
        var r: pid_t
        repeat {
            r = waitpid(pid, &raw, 0)
        } while r < 0 && errno == EINTR
        let status = r == pid ? ExitStatus(waitStatus: raw) : nil
        life = .reaped(status)
        rb_crash_guard_remove_group(pid)
        closePidFD()
        return status
    }

    private static func close(_ fd: inout Int32?) {
        if let open = fd {
            closeDescriptor(open)
            fd = nil
        }
    }

    /// Which request field a spawn failure points at: posix_spawn reports a missing shell and a
    /// missing directory with the same ENOENT, so look at both.
    private static func diagnose(_ stage: rb_spawn_stage, request: SpawnRequest) -> SpawnError.Stage {
        switch stage {
        case RB_STAGE_PIPES: return .pipes
        case RB_STAGE_PSEUDO_TERMINAL: return .pseudoTerminal
        case RB_STAGE_SPAWN:
            if access(request.shell, X_OK) != 0 { return .shell }
            if let cwd = request.workingDirectory {
                var info = stat()
                if stat(cwd, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR || access(cwd, X_OK) != 0 {
                    return .workingDirectory
                }
            }
            return .system
        default: return .system
        }
    }

    /// argv (shell first) and envp for `rb_spawn`, or nil when the request cannot be passed on.
    private static func cStrings(for request: SpawnRequest) -> SpawnStrings? {
        SpawnStrings(
            arguments: [request.shell] + request.arguments, environment: request.environment,
            workingDirectory: request.workingDirectory)
    }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
