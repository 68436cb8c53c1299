import Foundation
import Testing
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// Every stage of a time-out's escalation, with a real step and a clock the test sets: the step
/// records each signal it gets (a trap writes it), and the test moves the clock to the next stage only
/// once the step has recorded the last one. No stage depends on how fast the machine is.
@Suite("Time-out escalation, stage by stage")
struct EscalationStagesTests {
    /// SIGINT at the time-out, SIGTERM 2 s later, SIGKILL 2 s after that: the standard plan.
    let supervisor = StepSupervisor(timeLimit: TimeLimit(milliseconds: 5_000))
    let plan = TerminationPlan.standard

    /// A step that reports each signal it gets, and never ends on its own. Its background `sleep`s
    /// keep the group busy (they ignore SIGINT, as background jobs of a shell do).
    static func trapping(_ signals: [String]) -> String {
        signals.map { "trap 'echo got-\($0)' \($0); " }.joined()
            + "sleep 1000 & echo ready; while :; do sleep 1000 & wait; done"
    }

    @Test("a step that traps INT and TERM: SIGINT at the time-out, SIGTERM after the grace, then SIGKILL ends it")
    func everyStage() throws {
        let run = try MonitoredStep(Self.trapping(["INT", "TERM"]), supervisor: supervisor)
        let limit = run.monitor.child.startedAt + .milliseconds(5_000)
        try run.pump("the step to start", now: run.monitor.child.startedAt) { $0.contains("ready\n") }

        // Just before the limit: nothing.
        #expect(!run.advance(now: limit + .nanoseconds(-1)))
        #expect(run.monitor.signalsSent.isEmpty)
        #expect(run.monitor.termination == nil)

        // The limit: SIGINT to the group, and the step sees it.
        #expect(!run.advance(now: limit))
        #expect(run.monitor.signalsSent == [SIGINT])
        #expect(run.monitor.termination?.reason == .timedOut)
        try run.pump("the step to record SIGINT", now: limit) { $0.contains("got-INT\n") }

        // SIGTERM only when its grace has passed.
        let terminate = try #require(plan.nextDeadline(start: limit, sent: 1))
        #expect(!run.advance(now: terminate + .nanoseconds(-1)))
        #expect(run.monitor.signalsSent == [SIGINT])
        #expect(!run.advance(now: terminate))
        #expect(run.monitor.signalsSent == [SIGINT, SIGTERM])
        try run.pump("the step to record SIGTERM", now: terminate) { $0.contains("got-TERM\n") }
        #expect(!run.monitor.leaderExited, "the step traps TERM: it runs on")

        // SIGKILL when the last grace has passed: it cannot be trapped.
        let killAt = try #require(plan.nextDeadline(start: limit, sent: 2))
        #expect(!run.advance(now: killAt + .nanoseconds(-1)))
        #expect(run.monitor.signalsSent == [SIGINT, SIGTERM])
        #expect(!run.advance(now: killAt))
        #expect(run.monitor.signalsSent == [SIGINT, SIGTERM, SIGKILL])
        let outcome = try run.finish()
        #expect(outcome.reason == .timedOut)
        #expect(outcome.status == .signaled(SIGKILL))
        #expect(run.output.text(.stdout) == "ready\ngot-INT\ngot-TERM\n")
        #expect(ProcessProbe.groupIsGone(run.monitor.child.processGroup))
    }

    @Test("a step that traps only INT ends at SIGTERM: no SIGKILL is needed")
    func endsAtTerminate() throws {
        let run = try MonitoredStep(Self.trapping(["INT"]), supervisor: supervisor)
        let limit = run.monitor.child.startedAt + .milliseconds(5_000)
        try run.pump("the step to start", now: run.monitor.child.startedAt) { $0.contains("ready\n") }
        #expect(!run.advance(now: limit))
        try run.pump("the step to record SIGINT", now: limit) { $0.contains("got-INT\n") }
        let terminate = try #require(plan.nextDeadline(start: limit, sent: 1))
        #expect(!run.advance(now: terminate))
        let outcome = try run.finish()
        #expect(outcome.reason == .timedOut)
        #expect(outcome.signalsSent == [SIGINT, SIGTERM])
        #expect(outcome.status == .signaled(SIGTERM))
        #expect(run.output.text(.stdout) == "ready\ngot-INT\n")
        #expect(ProcessProbe.groupIsGone(run.monitor.child.processGroup))
    }

    @Test("a step that ends at SIGINT gets nothing more, and its background jobs are killed with the group")
    func endsAtInterrupt() throws {
        // The step's shell waits in `wait` (interruptible), so SIGINT ends it whenever it lands.
        let run = try MonitoredStep("sleep 1000 & echo ready; wait", supervisor: supervisor)
        let limit = run.monitor.child.startedAt + .milliseconds(5_000)
        try run.pump("the step to start", now: run.monitor.child.startedAt) { $0.contains("ready\n") }
        #expect(!run.advance(now: limit))
        let outcome = try run.finish()
        #expect(outcome.reason == .timedOut)
        #expect(outcome.signalsSent == [SIGINT])
        #expect(outcome.status == .signaled(SIGINT))
        #expect(ProcessProbe.groupIsGone(run.monitor.child.processGroup))
    }
}

/// A ``StepMonitor`` driven by the test: descriptors are polled for real, but `now` is what the test
/// says, so the escalation moves only when the test moves the clock.
final class MonitoredStep {
    struct Stuck: Error, CustomStringConvertible {
        var description: String
    }

    var monitor: StepMonitor
    var output = CapturedOutput()
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    deinit { buffer.deallocate() }

    init(_ command: String, supervisor: StepSupervisor) throws {
        monitor = StepMonitor(settings: supervisor, child: try ChildProcess(ProcessProbe.request(command)))
    }

    /// Sends what is due at `now`; whether supervision is over.
    func advance(now: MonotonicInstant) -> Bool { monitor.advance(now: now) }

    /// Reads the step's output and notes its exit, the clock standing at `now`, until `condition`
    /// holds for the standard output so far. The 30 s bound only ends a test that would hang.
    func pump(_ what: String, now: MonotonicInstant, until condition: (String) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition(output.text(.stdout)) {
            guard !monitor.advance(now: now), ContinuousClock.now < deadline, turn() else {
                throw Stuck(description: "waited in vain for \(what); output: \(output.text(.stdout))")
            }
        }
    }

    /// Once every stage it needs was sent: waits for the leader's exit and the output's end, then
    /// reaps it. The clock jumps far ahead, so the exit grace and drain limit pass at once.
    func finish() throws -> StepSupervisor.Outcome {
        let deadline = ContinuousClock.now + .seconds(30)
        while !monitor.leaderExited {
            guard ContinuousClock.now < deadline, turn() else { throw Stuck(description: "the step did not exit") }
            _ = monitor.advance(now: monitor.termination?.start ?? monitor.child.startedAt)
        }
        let later = MonotonicInstant.now() + .seconds(3600)
        while !monitor.advance(now: later) {
            guard ContinuousClock.now < deadline, turn() else { throw Stuck(description: "the output did not end") }
        }
        return monitor.finish()
    }

    /// One poll of the monitor's descriptors (at most 1 s: the caller checks its deadline between
    /// turns) and their handling; false when poll failed.
    private func turn() -> Bool {
        var fds: [pollfd] = []
        var watches: [StepMonitor.Watch] = []
        monitor.watches(into: &fds, &watches)
        let count = fds.count
        let result = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), 1000) }
        if result < 0 { return errno == EINTR }
        var ready: [(watch: StepMonitor.Watch, revents: Int16)] = []
        for (entry, watch) in zip(fds, watches) where entry.revents != 0 { ready.append((watch, entry.revents)) }
        var budget = 1 << 20
        var captured = output
        monitor.handle(ready, buffer: buffer, budget: &budget) { captured.append($0, $1) }
        output = captured
        return true
    }
}
