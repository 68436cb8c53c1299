import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unique mark in the environment of the processes one test starts, so that the test looks for
/// its own processes only, never at others' (another test's `sleep 1000`, a developer's shell).
///
/// Give ``environment`` to the `runbook` the test starts: every step inherits it, and so does
/// everything the steps start. ``living()`` then lists exactly those still alive.
public struct ProcessMarker: Sendable {
    public static let variable = "RUNBOOK_TEST_MARKER"
    public let value: String

    public init() { value = UUID().uuidString }

    /// The variable to add to the environment of what the test starts.
    public var environment: [String: String] { [Self.variable: value] }

    /// Processes alive now (zombies excluded) whose environment holds this mark.
    public func living() -> [pid_t] {
        let needle = Array("\(Self.variable)=\(value)".utf8) + [0]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), pid != getpid(),
                let environ = FileManager.default.contents(atPath: "/proc/\(name)/environ"),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                let state = stat[stat.index(after: close)...].split(separator: " ").first,
                state != "Z", state != "X"
            else { return nil }
            let bytes = [UInt8](environ)
            // Each variable is NUL-terminated: the mark matches at the start or after a NUL.
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
                if Array(bytes[start..<min(end + 1, bytes.count)]) == needle { return pid }
                start = end + 1
            }
            return nil
        }
    }

    /// The marked processes still alive after waiting up to `timeout` for them to go (a killed
    /// process is reaped by PID 1 on its own schedule): empty when nothing outlived its end.
    public func survivors(within timeout: Duration = .seconds(10)) -> [pid_t] {
        let deadline = ContinuousClock.now + timeout
        var left = living()
        while !left.isEmpty, ContinuousClock.now < deadline {
            var none = pollfd()
            _ = poll(&none, 0, 20)  // the interval of this bounded wait
            left = living()
        }
        return left
    }

    /// Sends SIGKILL to every marked process: cleanup after a failed test.
    public func killAll() {
        for pid in living() { kill(pid, SIGKILL) }
    }
}
