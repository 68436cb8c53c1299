import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one ``StepSupervisor`` run: which phase the step is in and what was sent.
///
/// Phases: running (time limit and cancel watched; escalation once either fires) → leader exited
/// (output drained for up to the exit grace) → group killed (output drained to EOF, bounded) → done.
struct SupervisionLoop {
    /// A cancel or time-out in progress.
    struct Termination {
        var reason: StepSupervisor.Outcome.Reason
        var start: MonotonicInstant
        var sent = 0
    }

    /// What a `pollfd` entry stands for.
    private enum Watch {
        case output(OutputChannel)
        case exit
        case cancel
    }

    let settings: StepSupervisor
    let child: ChildProcess
    let cancelFD: Int32?
    let timeLimitDeadline: MonotonicInstant?

    private(set) var termination: Termination?
    private(set) var signalsSent: [Int32] = []
    private var exitedAt: MonotonicInstant?
    private var groupKilledAt: MonotonicInstant?
    private var watchesCancel: Bool
    private var watchesPidFD: Bool

    init(settings: StepSupervisor, child: ChildProcess, cancelFD: Int32?) {
        self.settings = settings
        self.child = child
        self.cancelFD = cancelFD
        self.timeLimitDeadline = settings.timeLimit.map { child.startedAt + .milliseconds($0.milliseconds) }
        self.watchesCancel = cancelFD != nil
        self.watchesPidFD = settings.usesPidFD && child.pidFD != nil
    }

    private var outputsOpen: Bool { child.outputFD != nil || child.errorFD != nil }

    /// Runs until the group was killed after the leader's exit and the output is drained.
    mutating func run(
        buffer: UnsafeMutableRawBufferPointer, onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) {
        var fds: [pollfd] = []
        var watches: [Watch] = []
        fds.reserveCapacity(4)
        watches.reserveCapacity(4)
        while true {
            let now = MonotonicInstant.now()
            if exitedAt == nil, !watchesPidFD, child.hasExited() { exitedAt = now }
            if advance(now: now) == .finished { return }

            fds.removeAll(keepingCapacity: true)
            watches.removeAll(keepingCapacity: true)
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
            if exitedAt == nil, termination == nil, watchesCancel, let fd = cancelFD {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                watches.append(.cancel)
            }
            let timeout = nextWake(now: now).map { now.pollTimeout(until: $0) } ?? -1
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                // Nothing sensible can be watched any more: end the step now.
                child.signalGroup(SIGKILL)
                return
            }
            guard ready > 0 else { continue }
            var readable: [OutputChannel] = []
            for (entry, watch) in zip(fds, watches) where entry.revents != 0 {
                switch watch {
                case .output(let channel): readable.append(channel)
                case .exit: noteExit(revents: entry.revents)
                case .cancel: readCancel(revents: entry.revents)
                }
            }
            if !readable.isEmpty { pump(readable, buffer: buffer, onOutput: onOutput) }
        }
    }

    private enum Progress { case running, finished }

    /// Sends what is due at `now`; says whether the run is over.
    private mutating func advance(now: MonotonicInstant) -> Progress {
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
            return .running
        }
        if groupKilledAt == nil, !outputsOpen || now >= exited + settings.exitGrace {
            // Background jobs and subshells of the step die here, whether or not they hold output open.
            child.signalGroup(SIGKILL)
            groupKilledAt = now
        }
        if let killed = groupKilledAt, !outputsOpen || now >= killed + settings.drainLimit {
            return .finished
        }
        return .running
    }

    /// The next instant something is due, or nil to wait for descriptors only.
    private func nextWake(now: MonotonicInstant) -> MonotonicInstant? {
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

    private mutating func noteExit(revents: Int16) {
        if revents & Int16(POLLIN) != 0 || child.hasExited() {
            exitedAt = .now()
        } else if revents & Int16(POLLERR | POLLNVAL) != 0 {
            watchesPidFD = false  // fall back to checking with waitid
        }
    }

    private mutating func readCancel(revents: Int16) {
        guard let fd = cancelFD else { return }
        var bytes: (UInt64, UInt64) = (0, 0)
        let n = withUnsafeMutableBytes(of: &bytes) { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            termination = Termination(reason: .cancelled, start: .now())
        } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            || revents & Int16(POLLNVAL) != 0
        {
            watchesCancel = false  // EOF or unusable: no cancel can come any more
        }
    }

    /// Reads the readable channels in turn, one chunk each per round, until each would block or hits
    /// EOF, or the turn's byte budget is spent.
    private func pump(
        _ channels: [OutputChannel], buffer: UnsafeMutableRawBufferPointer,
        onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) {
        var pending = channels
        var budget = settings.maximumBytesPerTurn
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
