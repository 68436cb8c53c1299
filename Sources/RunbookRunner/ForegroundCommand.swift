import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// A command run in the foreground on behalf of the user (`runbook drill SCENARIO -- COMMAND`):
/// fds 0-2 inherited, its own process group, which is made the terminal's foreground group when
/// this process has the terminal (so Ctrl-C, Ctrl-\ and reading the terminal are the command's).
///
/// While it runs, the signals that arrive on `signalFD` (a self-pipe fed by `rb_forward_signals`,
/// one byte per signal) are sent on to its group; a SIGTERM or SIGHUP it survives for
/// ``ForegroundCommand/killAfter`` is followed by SIGKILL. A stop (Ctrl-Z) is undone, as for the
/// TUI's interactive steps: there is no job-control shell to return to. When the leader exits, the
/// rest of its group is killed (background jobs do not outlive it) and the terminal is taken back.
public struct ForegroundCommand: Sendable {
    /// The program: a path (found by ``find(_:path:)``).
    public var executable: String
    /// argv, from argv[0].
    public var arguments: [String]
    /// Exactly the environment the command gets.
    public var environment: [String: String]

    /// How long a command may outlive a forwarded SIGTERM or SIGHUP before its group gets SIGKILL.
    public static let killAfter = Duration.seconds(5)

    public init(executable: String, arguments: [String], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// `name` as given when it contains a `/`, else the first executable file of that name in the
    /// folders of `path`; nil when there is none.
    public static func find(_ name: String, path: String?) -> String? {
        if name.isEmpty { return nil }
        if name.contains("/") { return name }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let folder = dir.isEmpty ? "." : String(dir)
            let candidate = folder + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs the command to its end. `terminal` is the descriptor of this process's controlling
    /// terminal when this process is in its foreground, else nil. Returns how the command ended and
    /// the signals that were forwarded to it.
    public func run(terminal: Int32?, signalFD: Int32) throws(SpawnError) -> (status: ExitStatus, forwarded: [Int32]) {
        guard let strings = SpawnStrings(arguments: arguments, environment: environment) else {
            throw SpawnError(stage: .request, code: EINVAL, shell: executable)
        }
        defer { strings.release() }
        var pid: pid_t = -1
        var pidfd: Int32 = -1
        let code = rb_spawn_foreground(executable, strings.argv, strings.envp, nil, terminal ?? -1, &pid, &pidfd)
        guard code == 0 else {
            throw SpawnError(stage: access(executable, X_OK) != 0 ? .shell : .system, code: code, shell: executable)
        }
        let ownGroup = getpgrp()
        defer { if pidfd >= 0 { close(pidfd) } }

        var forwarded: [Int32] = []
        var killAt: MonotonicInstant?
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            switch rb_exited_or_stopped(pid) {
            case 1, -1:
                return (finish(pid, terminal: terminal, ownGroup: ownGroup), forwarded)
            case 2:
                if let terminal { _ = rb_set_foreground_group(terminal, pid) }
                _ = rb_kill_group(pid, SIGCONT)
            default:
                break
            }
            let now = MonotonicInstant.now()
            if let deadline = killAt, now >= deadline {
                _ = rb_kill_group(pid, SIGKILL)
                killAt = nil
            }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            // Without a pidfd, and for stops (which a pidfd does not report), look again every 100 ms.
            var timeout: Int32 = 100
            if let deadline = killAt { timeout = min(timeout, now.pollTimeout(until: deadline)) }
            let count = fds.count
            _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), timeout) }
            while true {
                let n = read(signalFD, &buffer, buffer.count)
                if n > 0 {
                    for byte in buffer[0..<n] {
                        let signal = Int32(byte)
                        forwarded.append(signal)
                        _ = rb_kill_group(pid, signal)
                        if (signal == SIGTERM || signal == SIGHUP) && killAt == nil {
                            killAt = MonotonicInstant.now() + Self.killAfter
                        }
                    }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                break
            }
        }
    }

    private func finish(_ pid: pid_t, terminal: Int32?, ownGroup: pid_t) -> ExitStatus {
        _ = rb_kill_group(pid, SIGKILL)  // what the command left behind in its group
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, 0) } while r < 0 && errno == EINTR
        if let terminal { _ = rb_set_foreground_group(terminal, ownGroup) }
        if r == pid, let status = ExitStatus(waitStatus: raw) { return status }
        return .exited(255)
    }
}
