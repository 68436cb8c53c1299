import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The blocking loop of one ``StepSupervisor`` run: a ``StepMonitor`` plus an optional cancel
/// descriptor, polled until the monitor is done.
struct SupervisionLoop {
    private(set) var monitor: StepMonitor
    let cancelFD: Int32?
    private var watchesCancel: Bool

    init(settings: StepSupervisor, child: ChildProcess, cancelFD: Int32?) {
        monitor = StepMonitor(settings: settings, child: child)
        self.cancelFD = cancelFD
        self.watchesCancel = cancelFD != nil
    }

    /// Runs until the group was killed after the leader's exit and the output is drained.
    mutating func run(
        buffer: UnsafeMutableRawBufferPointer, onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) {
        var fds: [pollfd] = []
        var watches: [StepMonitor.Watch] = []
        var ready: [(watch: StepMonitor.Watch, revents: Int16)] = []
        fds.reserveCapacity(4)
        watches.reserveCapacity(4)
        while true {
            let now = MonotonicInstant.now()
            if monitor.advance(now: now) { return }

            fds.removeAll(keepingCapacity: true)
            watches.removeAll(keepingCapacity: true)
            monitor.watches(into: &fds, &watches)
            let cancelIndex = fds.count
            let cancelWatched = monitor.acceptsCancel && watchesCancel && cancelFD != nil
            if cancelWatched, let fd = cancelFD {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
            }
            let timeout = monitor.nextDeadline(now: now).map { now.pollTimeout(until: $0) } ?? -1
            let count = fds.count
            let result = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), timeout) }
            if result < 0 {
                if errno == EINTR { continue }
                // Nothing sensible can be watched any more: end the step now.
                monitor.abandon()
                return
            }
            guard result > 0 else { continue }
            if cancelWatched, fds[cancelIndex].revents != 0 { readCancel(revents: fds[cancelIndex].revents) }
            ready.removeAll(keepingCapacity: true)
            for (entry, watch) in zip(fds, watches) where entry.revents != 0 {
                ready.append((watch, entry.revents))
            }
            var budget = monitor.settings.maximumBytesPerTurn
            if !ready.isEmpty { monitor.handle(ready, buffer: buffer, budget: &budget, onOutput: onOutput) }
        }
    }

    private mutating func readCancel(revents: Int16) {
        guard let fd = cancelFD else { return }
        var bytes: (UInt64, UInt64) = (0, 0)
        let n = withUnsafeMutableBytes(of: &bytes) { read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            monitor.cancel(now: .now())
        } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            || revents & Int16(POLLNVAL) != 0
        {
            watchesCancel = false  // EOF or unusable: no cancel can come any more
        }
    }
}
