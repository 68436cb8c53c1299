import Testing
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// The escalation schedule, without processes or clocks.
@Suite("TerminationPlan")
struct TerminationPlanTests {
    let t0 = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    func signals(_ plan: TerminationPlan, at offset: Duration, sent: Int) -> [Int32] {
        plan.due(start: t0, now: t0 + offset, sent: sent).map(\.signal)
    }

    @Test("standard plan: SIGINT at once, SIGTERM at 2 s, SIGKILL at 4 s")
    func standardSchedule() {
        let plan = TerminationPlan.standard
        #expect(plan.stages.map(\.signal) == [SIGINT, SIGTERM, SIGKILL])
        #expect(signals(plan, at: .zero, sent: 0) == [SIGINT])
        #expect(signals(plan, at: .milliseconds(1999), sent: 1) == [])
        #expect(signals(plan, at: .seconds(2), sent: 1) == [SIGTERM])
        #expect(signals(plan, at: .milliseconds(3999), sent: 2) == [])
        #expect(signals(plan, at: .seconds(4), sent: 2) == [SIGKILL])
        #expect(signals(plan, at: .seconds(100), sent: 3) == [])
        #expect(plan.isFinished(sent: 3))
        #expect(!plan.isFinished(sent: 2))
    }

    @Test("next deadline follows the stages sent, nil once all are sent")
    func nextDeadline() {
        let plan = TerminationPlan.standard
        #expect(plan.nextDeadline(start: t0, sent: 0) == t0)
        #expect(plan.nextDeadline(start: t0, sent: 1) == t0 + .seconds(2))
        #expect(plan.nextDeadline(start: t0, sent: 2) == t0 + .seconds(4))
        #expect(plan.nextDeadline(start: t0, sent: 3) == nil)
        #expect(plan.nextDeadline(start: t0, sent: -5) == t0)
    }

    @Test("a late caller gets every overdue stage at once, in order")
    func overdueStages() {
        #expect(signals(.standard, at: .seconds(5), sent: 0) == [SIGINT, SIGTERM, SIGKILL])
        #expect(signals(.standard, at: .seconds(3), sent: 0) == [SIGINT, SIGTERM])
    }

    @Test("before the start nothing is due")
    func beforeStart() {
        #expect(TerminationPlan.standard.due(start: t0, now: t0 + .milliseconds(-1), sent: 0).isEmpty)
    }

    @Test("graces are configurable; negative ones count as zero")
    func configurable() {
        let plan = TerminationPlan(interruptGrace: .milliseconds(500), terminateGrace: .seconds(1))
        #expect(plan.stages.map(\.delay) == [.zero, .milliseconds(500), .milliseconds(1500)])
        let immediate = TerminationPlan(interruptGrace: .seconds(-3), terminateGrace: .zero)
        #expect(immediate.stages.map(\.delay) == [.zero, .zero, .zero])
        #expect(signals(immediate, at: .zero, sent: 0) == [SIGINT, SIGTERM, SIGKILL])
    }

    @Test("custom stages are ordered by delay, equal delays keeping their order")
    func customStages() {
        let plan = TerminationPlan(stages: [
            .init(signal: SIGKILL, delay: .seconds(10)),
            .init(signal: SIGHUP, delay: .zero),
            .init(signal: SIGTERM, delay: .zero),
        ])
        #expect(plan.stages.map(\.signal) == [SIGHUP, SIGTERM, SIGKILL])
        #expect(signals(plan, at: .seconds(1), sent: 0) == [SIGHUP, SIGTERM])
        #expect(signals(plan, at: .seconds(10), sent: 2) == [SIGKILL])
    }

    @Test("poll timeouts round up to whole milliseconds and never go negative")
    func pollTimeout() {
        #expect(t0.pollTimeout(until: t0 + .nanoseconds(1)) == 1)
        #expect(t0.pollTimeout(until: t0 + .milliseconds(250)) == 250)
        #expect(t0.pollTimeout(until: t0 + .microseconds(250_500)) == 251)
        #expect(t0.pollTimeout(until: t0) == 0)
        #expect(t0.pollTimeout(until: t0 + .seconds(-1)) == 0)
        #expect(t0.pollTimeout(until: t0 + .seconds(10_000_000)) == Int32.max)
    }
}
