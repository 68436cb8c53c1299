import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The non-blocking core of supervising one started step: which descriptors to watch, what to do
/// when they are ready, and when the next signal or check is due. It never blocks and never polls:
/// its owner runs the `poll()` loop, so one loop can watch many steps (the TUI) or one step and a
/// cancel pipe (``StepSupervisor``).
///
/// Phases: running (time limit and cancel watched; escalation once either fires) → leader exited
/// (output drained for up to the exit grace) → group killed (output drained to EOF, bounded) → done.
/// Use:
///
/// ```swift
/// var monitor = StepMonitor(settings: StepSupervisor(timeLimit: limit), child: child)
/// while !monitor.advance(now: .now()) {
///     // poll monitor.watches plus your own descriptors, until monitor.nextDeadline(now:)
///     monitor.handle(ready, buffer: buffer, budget: &budget) { channel, bytes in ... }
/// }
/// let outcome = monitor.finish()
/// ```
public struct StepMonitor {
    /// A cancel or time-out in progress.
    public struct Termination: Sendable {
        public var reason: StepSupervisor.Outcome.Reason
        public var start: MonotonicInstant
        public var sent = 0
    }

    /// What a watched descriptor stands for.
    public enum Watch: Sendable, Hashable {
        case output(OutputChannel)
        /// The leader's pidfd: readable once it exits.
        case exit
    }

    public let settings: StepSupervisor
    public let child: ChildProcess
    let timeLimitDeadline: MonotonicInstant?

    public private(set) var termination: Termination?
    public private(set) var signalsSent: [Int32] = []
    private var exitedAt: MonotonicInstant?
    private var groupKilledAt: MonotonicInstant?
    private var watchesPidFD: Bool
    private var finished = false

    public init(settings: StepSupervisor, child: ChildProcess) {
        self.settings = settings
        self.child = child
        self.timeLimitDeadline = settings.timeLimit.map { child.startedAt + .milliseconds($0.milliseconds) }
        self.watchesPidFD = settings.usesPidFD && child.pidFD != nil
    }

    private var outputsOpen: Bool { child.outputFD != nil || child.errorFD != nil }

    /// Whether a cancel would still change anything: the leader runs and no escalation has begun.
    public var acceptsCancel: Bool { exitedAt == nil && termination == nil }

    /// Whether the leader has been seen to exit.
    public var leaderExited: Bool { exitedAt != nil }

    /// Begins the escalation (SIGINT now, then the rest of the termination plan) unless one is under
    /// way or the leader has exited. The first signal goes out at the next ``advance(now:)``.
    public mutating func cancel(now: MonotonicInstant = .now()) {
        guard acceptsCancel else { return }
        termination = Termination(reason: .cancelled, start: now)
    }

    /// Skips what is left of the escalation: SIGKILL to the group now (quitting, a second cancel).
    public mutating func kill(now: MonotonicInstant = .now()) {
        guard exitedAt == nil else { return }
        if termination == nil { termination = Termination(reason: .cancelled, start: now) }
        if var t = termination, !settings.terminationPlan.isFinished(sent: t.sent) {
            child.signalGroup(SIGKILL)
            signalsSent.append(SIGKILL)
            t.sent = settings.terminationPlan.stages.count
            termination = t
        }
    }

    /// Sends what is due at `now` (escalation signals, the group kill after the leader's exit) and
    /// says whether supervision is over: then call ``finish()``.
    public mutating func advance(now: MonotonicInstant) -> Bool {
        if finished { return true }
        if exitedAt == nil, !watchesPidFD, child.hasExited() { exitedAt = now }
        guard let exited = exitedAt else {
            if termination == nil, let deadline = timeLimitDeadline, now >= deadline {
                termination = Termination(reason: .timedOut, start: now)
            }
            if var t = termination {
                for stage in settings.terminationPlan.due(start: t.start, now: now, sent: t.sent) {
                    child.signalGroup(stage.signal)
                    signalsSent.append(stage.signal)
                    t.sent += 1
                }
                termination = t
            }
            return false
        }
        if groupKilledAt == nil, !outputsOpen || now >= exited + settings.exitGrace {
            // Background jobs and subshells of the step die here, whether or not they hold output open.
            child.signalGroup(SIGKILL)
            groupKilledAt = now
        }
        if let killed = groupKilledAt, !outputsOpen || now >= killed + settings.drainLimit {
            finished = true
        }
        return finished
    }

    /// The next instant something is due, or nil to wait for descriptors only.
    public func nextDeadline(now: MonotonicInstant) -> MonotonicInstant? {
        if finished { return now }
        if let exited = exitedAt {
            if let killed = groupKilledAt { return killed + settings.drainLimit }
            return exited + settings.exitGrace
        }
        var wake: MonotonicInstant?
        if let t = termination {
            wake = settings.terminationPlan.nextDeadline(start: t.start, sent: t.sent)
        } else {
            wake = timeLimitDeadline
        }
        if !watchesPidFD {
            let check = now + settings.pollingInterval
            wake = min(wake ?? check, check)
        }
        return wake
    }

    /// The descriptors to poll for reading now, with what each stands for.
    public func watches(into fds: inout [pollfd], _ watches: inout [Watch]) {
        for channel in [OutputChannel.stdout, .stderr] {
            if let fd = child.fd(for: channel) {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                watches.append(.output(channel))
            }
        }
        if exitedAt == nil, watchesPidFD, let fd = child.pidFD {
            fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            watches.append(.exit)
        }
    }

    /// Handles the descriptors `poll` reported ready: notes the leader's exit, and reads the readable
    /// channels in turn, one chunk each per round, until each would block or hits EOF, or `budget`
    /// (bytes, shared with the caller's other work this turn) is spent.
    ///
    /// `onOutput` receives each chunk in arrival order with its channel. The buffer is only valid
    /// during the call: copy what you keep.
    public mutating func handle(
        _ ready: [(watch: Watch, revents: Int16)], buffer: UnsafeMutableRawBufferPointer, budget: inout Int,
        onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) {
        var pending: [OutputChannel] = []
        for (watch, revents) in ready where revents != 0 {
            switch watch {
            case .output(let channel): pending.append(channel)
            case .exit: noteExit(revents: revents)
            }
        }
        while !pending.isEmpty, budget > 0 {
            var stillReadable: [OutputChannel] = []
            for channel in pending {
                let n = readChunk(channel, into: buffer, limit: budget)
                guard n > 0 else { continue }
                budget -= n
                onOutput(channel, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                stillReadable.append(channel)
            }
            pending = stillReadable
        }
    }

    /// Gives up on watching: SIGKILL to the group (when polling itself fails).
    public mutating func abandon() {
        child.signalGroup(SIGKILL)
        finished = true
    }

    /// Closes the descriptors and reaps the leader (a wait bounded by the group kill already sent),
    /// and says how the step ended.
    public func finish() -> StepSupervisor.Outcome {
        child.closeAll()
        let status = child.reap() ?? child.waitForExit()
        return StepSupervisor.Outcome(
            status: status,
            reason: termination?.reason ?? .exited,
            duration: MonotonicInstant.now() - child.startedAt,
            signalsSent: signalsSent)
    }

    private mutating func noteExit(revents: Int16) {
        if revents & Int16(POLLIN) != 0 || child.hasExited() {
            exitedAt = .now()
        } else if revents & Int16(POLLERR | POLLNVAL) != 0 {
            watchesPidFD = false  // fall back to checking with waitid
        }
    }

    /// One read of at most `limit` bytes from `channel`: the byte count, or 0 when nothing more can be
    /// read this turn. Closes the channel at its end: EOF, EIO from a pty master whose slave every
    /// process has closed, or any other error.
    private func readChunk(_ channel: OutputChannel, into buffer: UnsafeMutableRawBufferPointer, limit: Int) -> Int {
        guard let fd = child.fd(for: channel) else { return 0 }
        while true {
            let n = read(fd, buffer.baseAddress, min(buffer.count, limit))
            if n > 0 { return n }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            child.close(channel)
            return 0
        }
    }
}
