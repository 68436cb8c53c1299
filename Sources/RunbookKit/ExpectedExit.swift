/// The exit statuses an `exit` indicator accepts: `exit 0`, `exit 0 or 1`, `exit 0, 1 or 2`, `exit any`.
///
/// Only an exit is accepted: a command killed by a signal, timed out, cancelled or unable to start
/// fails every `exit` indicator, `exit any` included.
public enum ExpectedExit: Sendable, Hashable {
    /// One of these statuses, each 0 to 255: at least one, ascending, no repeats.
    case statuses([Int32])
    /// Any exit status.
    case any

    /// Exactly this status.
    public static func status(_ code: Int32) -> ExpectedExit { .statuses([code]) }

    /// Whether a step that ended so meets the expectation.
    public func accepts(_ end: StepEnd) -> Bool {
        guard case .exited(let code) = end else { return false }
        switch self {
        case .any: return true
        case .statuses(let codes): return codes.contains(code)
        }
    }

    /// The statuses in words: `0`, `0 or 1`, `0, 1 or 2`, `any`.
    public var words: String {
        switch self {
        case .any:
            return "any"
        case .statuses(let codes):
            let names = codes.map(String.init)
            guard let last = names.last, names.count > 1 else { return names.first ?? "" }
            return names.dropLast().joined(separator: ", ") + " or " + last
        }
    }

    /// `exit 0`, `exit 0 or 1`, `exit any`.
    public var description: String { "exit " + words }
}
