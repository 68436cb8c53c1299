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
    public static let killAfter = ForegroundProcess.killAfter

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

    /// Runs the command to its end, a ``ForegroundProcess`` in a blocking loop. `terminal` is the
    /// descriptor of this process's controlling terminal when this process is in its foreground, else
    /// nil. Returns how the command ended and the signals that were forwarded to it.
    public func run(terminal: Int32?, signalFD: Int32) throws(SpawnError) -> (status: ExitStatus, forwarded: [Int32]) {
        let process = try ForegroundProcess(
            executable: executable, arguments: arguments, environment: environment, terminal: terminal)
        var forwarded: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let now = MonotonicInstant.now()
            if let ending = process.advance(now: now) { return (ending.status ?? .exited(255), forwarded) }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if let fd = process.exitFD { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let timeout = now.pollTimeout(until: process.nextDeadline(now: now))
            let count = fds.count
            _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), timeout) }
            while true {
                let n = read(signalFD, &buffer, buffer.count)
                if n > 0 {
                    for byte in buffer[0..<n] {
                        forwarded.append(Int32(byte))
                        process.forward(Int32(byte))
                    }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                break
            }
        }
    }
}
