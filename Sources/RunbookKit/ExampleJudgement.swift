/// One labelled example of a step, judged by the step's indicators: what `runbook test` reports.
///
/// There is no second judge: the example's lines go through the runner's `IndicatorEvaluator`, its
/// stated end (`exit 0` unless the label says otherwise) finishes the evaluator, and
/// `StepOutcome.judge` gives the outcome, exactly as when the step runs. Manual indicators stay open.
public struct ExampleJudgement: Sendable, Hashable {
    public var step: Step
    public var example: LabelledExample
    /// Every indicator's verdict, the implied `exit 0` included.
    public var verdicts: [Verdict]
    public var outcome: StepOutcome

    /// Judges `example` as if `step` had printed it and ended as the label says.
    public init(step: Step, example: LabelledExample) {
        var evaluator = IndicatorEvaluator(indicators: step.indicators)
        for line in example.lines where evaluator.observesOutput {
            evaluator.observe(line, channel: .stdout)
        }
        evaluator.finish(example.end)
        self.step = step
        self.example = example
        self.verdicts = evaluator.verdicts
        self.outcome = StepOutcome.judge(end: example.end, verdicts: evaluator.verdicts)
    }

    /// Whether the outcome is the label's: a healthy example passes (manual questions may stay open,
    /// only the engineer can answer them); a failing one fails. A failing example that only a manual
    /// answer would fail does not agree: the tool cannot tell it from a healthy one.
    public var agrees: Bool {
        switch example.label {
        case .healthy: outcome == .passed || outcome == .needsAnswers
        case .failing: outcome == .failed
        }
    }

    /// Every labelled example of every step of `runbook`, in document order.
    public static func judgeAll(_ runbook: Runbook) -> [ExampleJudgement] {
        runbook.allSteps.flatMap { step in step.examples.map { ExampleJudgement(step: step, example: $0) } }
    }
}
