import Testing
@testable import RunbookKit

/// The verdict rule: every kind of indicator set against every way a step can end, through
/// `IndicatorEvaluator` (which adds the implied `exit 0`) and `StepOutcome.judge`.
@Suite("the verdict rule: a command that fails fails the step")
struct StepOutcomeTests {
    /// The indicator sets of the table, as a runbook would write them.
    enum Written: String, CaseIterable, Sendable {
        case negativeOnly = "no `ERROR`"
        case positiveOnly = "contains `ready`"
        case manualOnly = "manual only"
        case exit1 = "exit 1"
        case exit0or1 = "exit 0 or 1"
        case exitAny = "exit any"
        case none = "no indicators"
        case mixed = "contains, no, manual"
        case mixedWithExit = "contains, no, manual, exit 0 or 1"

        var indicators: [Indicator] {
            func make(_ kind: Indicator.Kind, _ text: String) -> Indicator {
                Indicator(kind: kind, note: "", text: text, location: SourceLocation(line: 1, column: 1))
            }
            let contains = make(.contains("ready"), "contains `ready`")
            let no = make(.notContains("ERROR"), "no `ERROR`")
            let manual = make(.manual, "Looks right")
            switch self {
            case .negativeOnly: return [no]
            case .positiveOnly: return [contains]
            case .manualOnly: return [manual]
            case .exit1: return [make(.exitCode(1), "exit 1")]
            case .exit0or1: return [make(.exit(.statuses([0, 1])), "exit 0 or 1")]
            case .exitAny: return [make(.exit(.any), "exit any")]
            case .none: return []
            case .mixed: return [contains, no, manual]
            case .mixedWithExit: return [contains, no, manual, make(.exit(.statuses([0, 1])), "exit 0 or 1")]
            }
        }
    }

    static let ends: [StepEnd] = [.exited(0), .exited(1), .signaled(9), .timedOut, .cancelled, .failedToStart("no such file")]

    /// What the table expects: the outcome and, when it failed, the first failing verdict's reason and
    /// whether that verdict is the implied `exit 0`.
    struct Expected: Sendable, CustomTestStringConvertible {
        var written: Written
        var end: StepEnd
        var outcome: StepOutcome
        var reason: String?
        var implied: Bool

        var testDescription: String { "\(written.rawValue) × \(end.description) → \(outcome.rawValue)" }
    }

    /// The whole table. The output is one line, `status: ready`, so `contains` passes and `no` finds
    /// nothing: only the end differs.
    static let table: [Expected] = Written.allCases.flatMap { written in ends.map { end in expected(written, end) } }

    static func expected(_ w: Written, _ end: StepEnd) -> Expected {
        func pass(_ o: StepOutcome = .passed) -> Expected { Expected(written: w, end: end, outcome: o, reason: nil, implied: false) }
        func fail(_ reason: String, implied: Bool) -> Expected {
            // A cancel is a failure named as such.
            Expected(written: w, end: end, outcome: end == .cancelled ? .cancelled : .failed, reason: reason, implied: implied)
        }
        let hasManual = [.manualOnly, .mixed, .mixedWithExit].contains(w)
        switch end {
        case .timedOut, .cancelled, .failedToStart:
            // Whatever waited for the end fails with the end's words: `no`, then the exit verdict.
            let impliedFirst = [.positiveOnly, .manualOnly, .none].contains(w)
            return fail(end.description, implied: impliedFirst)
        case .exited(0):
            if w == .exit1 { return fail("exit 0, expected exit 1", implied: false) }
            return pass(hasManual ? .needsAnswers : .passed)
        case .exited(let code):
            switch w {
            case .exit1, .exit0or1, .exitAny, .mixedWithExit: return pass(hasManual ? .needsAnswers : .passed)
            default: return fail("exit \(code), expected exit 0", implied: true)
            }
        case .signaled:
            let expectation: String
            switch w {
            case .exit1: expectation = "exit 1"
            case .exit0or1, .mixedWithExit: expectation = "exit 0 or 1"
            case .exitAny: expectation = "exit any"
            default: expectation = "exit 0"
            }
            let written = [.exit1, .exit0or1, .exitAny, .mixedWithExit].contains(w)
            return fail("\(end.description), expected \(expectation)", implied: !written)
        }
    }

    @Test("every indicator set against every end", arguments: StepOutcomeTests.table)
    func rule(_ e: Expected) {
        var evaluator = IndicatorEvaluator(indicators: e.written.indicators)
        evaluator.observe("status: ready", channel: .stdout)
        evaluator.finish(e.end)
        let outcome = StepOutcome.judge(end: e.end, verdicts: evaluator.verdicts)
        #expect(outcome == e.outcome)
        let failing = evaluator.verdicts.first { $0.state == .failed }
        #expect(failing?.reason == e.reason)
        if e.reason != nil { #expect(failing?.implied == e.implied) }
        // The written indicators keep their indices; the implied exit 0 comes last, only without an exit.
        let written = e.written.indicators
        #expect(Array(evaluator.verdicts.prefix(written.count)).map(\.indicator) == written)
        let hasExit = written.contains(where: \.isExit)
        #expect(evaluator.verdicts.count == written.count + (hasExit ? 0 : 1))
        #expect(evaluator.verdicts.filter(\.implied).map(\.indicator.kind) == (hasExit ? [] : [.exitCode(0)]))
    }

    @Test("the incident: `connection refused` and exit 1 under a lone `no` indicator fails, and says why")
    func incident() throws {
        var evaluator = IndicatorEvaluator(indicators: Written.negativeOnly.indicators)
        evaluator.observe("The connection to the server localhost:8080 was refused", channel: .stderr)
        evaluator.finish(.exited(1))
        #expect(evaluator.verdicts.map(\.state) == [.passed, .failed])
        try #require(evaluator.verdicts.count > 1)
        #expect(evaluator.verdicts[1].indicator.text == "exit 0 (implied: the step fails when its command fails)")
        #expect(evaluator.verdicts[1].reason == "exit 1, expected exit 0")
        #expect(StepOutcome.judge(end: .exited(1), verdicts: evaluator.verdicts) == .failed)
    }

    @Test("a manual answer cannot rescue a command that failed")
    func manualAfterFailure() throws {
        var evaluator = IndicatorEvaluator(indicators: Written.manualOnly.indicators)
        evaluator.finish(.exited(2))
        #expect(StepOutcome.judge(end: .exited(2), verdicts: evaluator.verdicts) == .failed)
        evaluator.answer(0, yes: true)
        try #require(evaluator.verdicts.count > 0)
        #expect(evaluator.verdicts[0].state == .passed)
        #expect(StepOutcome.judge(end: .exited(2), verdicts: evaluator.verdicts) == .failed)

        var healthy = IndicatorEvaluator(indicators: Written.manualOnly.indicators)
        healthy.finish(.exited(0))
        #expect(StepOutcome.judge(end: .exited(0), verdicts: healthy.verdicts) == .needsAnswers)
        healthy.answer(0, yes: true)
        #expect(StepOutcome.judge(end: .exited(0), verdicts: healthy.verdicts) == .passed)
        // The implied exit 0 is not a manual indicator: an answer to its index changes nothing.
        healthy.answer(1, yes: false)
        try #require(healthy.verdicts.count > 1)
        #expect(healthy.verdicts[1].state == .passed)
    }

    @Test("judge holds the rule for verdicts made without the implied exit too")
    func judgeAlone() {
        let contains = Indicator(kind: .contains("x"), note: "", text: "contains `x`", location: SourceLocation(line: 1, column: 1))
        let passed = [Verdict(indicator: contains, state: .passed)]
        #expect(StepOutcome.judge(end: .exited(0), verdicts: passed) == .passed)
        #expect(StepOutcome.judge(end: .exited(1), verdicts: passed) == .failed)
        #expect(StepOutcome.judge(end: .signaled(15), verdicts: passed) == .failed)
        #expect(StepOutcome.judge(end: .exited(1), verdicts: []) == .failed)
        #expect(StepOutcome.judge(end: .exited(0), verdicts: []) == .passed)
        // A passed `exit any` does not outweigh a time-out or a cancel.
        let any = Indicator(kind: .exit(.any), note: "", text: "exit any", location: SourceLocation(line: 1, column: 1))
        for end in [StepEnd.timedOut, .failedToStart("x")] {
            #expect(StepOutcome.judge(end: end, verdicts: [Verdict(indicator: any, state: .passed)]) == .failed)
        }
        #expect(StepOutcome.judge(end: .cancelled, verdicts: [Verdict(indicator: any, state: .passed)]) == .cancelled)
        #expect(StepOutcome.judge(end: .exited(3), verdicts: [Verdict(indicator: any, state: .passed)]) == .passed)
    }

    @Test("expected exits accept only exits, and say themselves in words")
    func expectedExit() {
        #expect(ExpectedExit.statuses([0, 1]).accepts(.exited(1)))
        #expect(!ExpectedExit.statuses([0, 1]).accepts(.exited(2)))
        #expect(ExpectedExit.any.accepts(.exited(255)))
        #expect(!ExpectedExit.any.accepts(.signaled(9)))
        #expect(!ExpectedExit.any.accepts(.timedOut))
        #expect(ExpectedExit.status(2).description == "exit 2")
        #expect(ExpectedExit.statuses([0, 1]).description == "exit 0 or 1")
        #expect(ExpectedExit.statuses([0, 1, 2]).description == "exit 0, 1 or 2")
        #expect(ExpectedExit.any.description == "exit any")
    }
}
