import CSystem
import RunbookKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one step's child to completion on the calling thread: streams its output, enforces its time
/// limit, honours a cancel request, and leaves nothing of its process group behind.
///
/// The work is ``StepMonitor``'s, which does not block; this type runs it in a blocking loop.
/// One `poll()` loop watches the output descriptors, the leader's pidfd (without one: short poll
/// timeouts and a non-reaping exit check) and an optional cancel descriptor. The loop never sleeps:
/// each poll timeout runs to the next deadline (time limit, next escalation signal, end of the exit
/// grace), so a step that prints nothing costs no wake-ups.
///
/// When the leader exits, output already written is drained; once both streams reach EOF, or
/// ``exitGrace`` has passed with a background job still holding them open, the whole group gets
/// SIGKILL (always, even when it looks empty: `sleep 1000 >/dev/null &` holds nothing open), and the
/// streams are read to EOF, for at most ``drainLimit``. Only then is the leader reaped, so the group
/// id cannot be recycled before that final kill.
///
/// ```swift
/// var output: [UInt8] = []
/// let outcome = try StepSupervisor(timeLimit: step.timeout).run(request) { channel, bytes in
///     output.append(contentsOf: bytes)
/// }
/// ```
public struct StepSupervisor: Sendable {
    /// How a supervised step ended.
    public struct Outcome: Sendable, Hashable {
        /// Why the step ended.
        public enum Reason: String, Sendable, Hashable {
            /// The leader exited on its own.
            case exited
            /// The time limit ran out and the group was signalled.
            case timedOut
            /// A cancel request arrived and the group was signalled.
            case cancelled
        }

        /// The leader's exit status; nil only if it could not be collected (another part of the
        /// process reaped it).
        public var status: ExitStatus?
        public var reason: Reason
        /// From spawn until the supervisor returned, on the monotonic clock.
        public var duration: Duration
        /// The escalation signals sent for a time-out or cancel, in order; the final SIGKILL that
        /// clears the group after the leader exits is not listed (it is always sent).
        public var signalsSent: [Int32]

        public init(status: ExitStatus?, reason: Reason, duration: Duration, signalsSent: [Int32] = []) {
            self.status = status
            self.reason = reason
            self.duration = duration
            self.signalsSent = signalsSent
        }
    }

    /// The step's time limit, counted from spawn; nil for none.
    public var timeLimit: TimeLimit?
    /// The signals sent on cancel or time-out, and when.
    public var terminationPlan: TerminationPlan
    /// How long, after the leader exits, output may still arrive before the group is killed.
    public var exitGrace: Duration = .milliseconds(100)
    /// How long, after that kill, the streams are read while waiting for EOF. Only a process that
    /// left the step's session (`setsid`, a daemon) can hold them open that long.
    public var drainLimit: Duration = .seconds(1)
    /// Whether to wait on the pidfd when there is one; without it the loop checks for the leader's
    /// exit every ``pollingInterval``.
    public var usesPidFD = true
    /// The exit check interval when there is no pidfd.
    public var pollingInterval: Duration = .milliseconds(20)
    /// At most this many bytes are read per loop turn before deadlines and cancel are checked again.
    public var maximumBytesPerTurn = 1 << 20
    /// The size of each read, and of the one buffer the loop reuses.
    public var readSize = 64 << 10

    public init(timeLimit: TimeLimit? = nil, terminationPlan: TerminationPlan = .standard) {
        self.timeLimit = timeLimit
        self.terminationPlan = terminationPlan
    }

    /// Starts `request` and runs it to completion, as the `ChildProcess` variant below does.
    public func run(
        _ request: SpawnRequest,
        cancelFD: Int32? = nil,
        onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) throws(SpawnError) -> Outcome {
        let child = try ChildProcess(request)
        return run(child, cancelFD: cancelFD, onOutput: onOutput)
    }

    /// Runs an already started `child` to completion, reaps it and closes its descriptors.
    ///
    /// - Parameters:
    ///   - cancelFD: a descriptor that becomes readable to request cancellation (the read end of a
    ///     pipe that the caller or a SIGINT handler writes a byte to); the bytes are consumed. It is
    ///     not closed; at its EOF it is no longer watched.
    ///   - onOutput: receives each chunk in arrival order with its channel. The buffer is only valid
    ///     during the call: copy what you keep.
    public func run(
        _ child: ChildProcess,
        cancelFD: Int32? = nil,
        onOutput: (OutputChannel, UnsafeRawBufferPointer) -> Void
    ) -> Outcome {
        var loop = SupervisionLoop(settings: self, child: child, cancelFD: cancelFD)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(readSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        loop.run(buffer: buffer, onOutput: onOutput)
        return loop.monitor.finish()
    }
}
