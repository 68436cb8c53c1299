import CSystem

/// How a process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called exit with this code (0-255).
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Decodes a raw `waitpid` status; nil for a stopped or continued report.
    public init?(waitStatus status: Int32) {
        if rb_status_exited(status) != 0 {
            self = .exited(rb_status_exit_code(status))
        } else if rb_status_signaled(status) != 0 {
            self = .signaled(rb_status_signal(status))
        } else {
            return nil
        }
    }

    /// Whether the process exited with code 0.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}
