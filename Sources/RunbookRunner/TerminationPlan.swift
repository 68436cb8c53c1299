#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When to send which signal to a step's process group once it is cancelled or runs out of time.
///
/// The standard plan asks politely first: SIGINT at once (as Ctrl-C would), SIGTERM 2 s later,
/// SIGKILL 2 s after that. It is a pure value: give it the instant the escalation began, the current
/// instant and how many stages were already sent, and it says what is due and when the next stage
/// comes, so it can be tested without processes or clocks.
public struct TerminationPlan: Sendable, Hashable {
    /// One signal and its delay after the escalation began.
    public struct Stage: Sendable, Hashable {
        public var signal: Int32
        public var delay: Duration

        public init(signal: Int32, delay: Duration) {
            self.signal = signal
            self.delay = delay
        }
    }

    /// The stages in the order they are sent; delays never decrease.
    public let stages: [Stage]

    /// SIGINT at once, SIGTERM `interruptGrace` later, SIGKILL `terminateGrace` after that.
    /// Negative graces count as zero.
    public init(interruptGrace: Duration = .seconds(2), terminateGrace: Duration = .seconds(2)) {
        let toTerminate = max(interruptGrace, .zero)
        let toKill = toTerminate + max(terminateGrace, .zero)
        self.init(stages: [
            Stage(signal: SIGINT, delay: .zero),
            Stage(signal: SIGTERM, delay: toTerminate),
            Stage(signal: SIGKILL, delay: toKill),
        ])
    }

    /// Any sequence of stages; they are put in order of delay (stages with equal delays keep their
    /// order), and negative delays count as zero.
    public init(stages: [Stage]) {
        let clamped = stages.map { Stage(signal: $0.signal, delay: max($0.delay, .zero)) }
        self.stages = clamped.enumerated()
            .sorted { ($0.element.delay, $0.offset) < ($1.element.delay, $1.offset) }
            .map(\.element)
    }

    /// SIGINT, then SIGTERM after 2 s, then SIGKILL after 2 s more.
    public static let standard = TerminationPlan()

    /// The stages due at `now` for an escalation that began at `start`, after the first `sent`
    /// stages were sent: send them in order. Several are due at once when the caller was late.
    public func due(start: MonotonicInstant, now: MonotonicInstant, sent: Int) -> ArraySlice<Stage> {
        let first = min(max(sent, 0), stages.count)
        var end = first
        while end < stages.count, start + stages[end].delay <= now { end += 1 }
        return stages[first..<end]
    }

    /// When the next unsent stage falls due, or nil when every stage was sent.
    public func nextDeadline(start: MonotonicInstant, sent: Int) -> MonotonicInstant? {
        let next = max(sent, 0)
        guard next < stages.count else { return nil }
        return start + stages[next].delay
    }

    /// Whether every stage was sent.
    public func isFinished(sent: Int) -> Bool { sent >= stages.count }
}
