import RunbookKit

/// How a run of a step came out, or how it stands.
enum RunOutcome: String, Sendable, Hashable {
    case running
    case passed
    case failed
    case cancelled
    /// Every checkable indicator is settled; manual ones wait for y/n.
    case needsAnswers
    /// Shown, not run (`--dry-run`).
    case dryRun

    /// The word the journal uses in `step_finished`.
    var journalResult: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .needsAnswers: "manual"
        case .running: "running"
        case .dryRun: "skipped"
        }
    }
}

/// One run of one step: its indicators judged as its output arrives, its output, how it ended. Kept in
/// `AppState.runs` by `RunID` while it runs and after.
struct StepRun: Sendable {
    let id: RunID
    let step: Step
    /// Entry id, checklist id or `tree`.
    let scope: String?
    let runbook: Int
    /// The command as shown before it ran: variables resolved, secrets masked.
    let preview: String
    let isDryRun: Bool
    let isInteractive: Bool
    var evaluator: IndicatorEvaluator
    var output = OutputBuffer(capacity: StepRun.outputCapacity)
    /// The incomplete last line, shown live.
    var partial: OutputLine?
    var end: StepEnd?
    var durationMs: Int?
    /// Monotonic time of the first tick after the start (elapsed time while it runs).
    var startedAtMs: Int?
    var cancelRequested = false
    /// For a decision-tree probe: the patterns of each branch it chooses between, and the first line
    /// that suggested each.
    var branchPatterns: [[String]] = []
    var branchMatches: [Int: String] = [:]

    // Journal bookkeeping, as `StepRunner` does it: the first half of the share as lines come, the
    // last half at the end, from `output`.
    var lineCount = 0
    var journaledLines = 0
    var reportedVerdicts: Set<Int> = []

    static let outputCapacity = 10_000
    static let journalLineLimit = 1_000

    init(id: RunID, step: Step, scope: String?, runbook: Int, preview: String, isDryRun: Bool, isInteractive: Bool) {
        self.id = id
        self.step = step
        self.scope = scope
        self.runbook = runbook
        self.preview = preview
        self.isDryRun = isDryRun
        self.isInteractive = isInteractive
        evaluator = IndicatorEvaluator(indicators: step.indicators)
    }

    var isRunning: Bool { end == nil && !isDryRun }
    var verdicts: [Verdict] { evaluator.verdicts }

    var outcome: RunOutcome {
        if isDryRun { return .dryRun }
        guard let end else { return .running }
        if end == .cancelled { return .cancelled }
        return RunOutcome(StepOutcome.judge(end: end, verdicts: evaluator.verdicts))
    }

    /// The branch the probe's output suggests: the first branch (in order) with a pattern in some
    /// line, as `TriageWalk.suggest` picks it, and that line.
    var suggestion: (branch: Int, line: String)? {
        guard let i = branchMatches.keys.min(), let line = branchMatches[i] else { return nil }
        return (i, line)
    }

    /// Takes a batch of output lines and the line in progress: judges indicators, keeps the lines,
    /// and returns what goes to the journal.
    ///
    /// As the headless runner does it: the indicators search the whole batch at once and the output
    /// buffer copies its bytes, so a line costs no `String` unless something needs one (a journaled
    /// line, a deciding line, a probe's branch patterns while some branch has no match yet).
    mutating func take(_ lines: OutputLineBatch, partial: OutputLine?, masker: SecretMasker) -> [AppEffect] {
        self.partial = partial
        guard !lines.isEmpty else { return newVerdicts(masker: masker) }
        var effects: [AppEffect] = []
        if evaluator.observesOutput { evaluator.observe(lines) }
        if branchPatterns.indices.contains(where: { branchMatches[$0] == nil && !branchPatterns[$0].isEmpty }) {
            for line in lines {
                for (i, patterns) in branchPatterns.enumerated() where branchMatches[i] == nil && !patterns.isEmpty {
                    if patterns.contains(where: { line.text.contains($0) }) { branchMatches[i] = line.text }
                }
            }
        }
        let room = max(0, min(Self.journalLineLimit / 2 - journaledLines, lines.count))
        for i in 0..<room {
            effects.append(
                .journal(
                    .output(.init(step: step.id, channel: lines.channel(of: i), line: lineCount + i + 1,
                                  text: masker.mask(lines[i].text))),
                    sync: false))
        }
        journaledLines += room
        lineCount += lines.count
        output.append(contentsOf: lines)
        effects += newVerdicts(masker: masker)
        return effects
    }

    /// Verdicts decided since the last call, as journal records.
    mutating func newVerdicts(masker: SecretMasker) -> [AppEffect] {
        var effects: [AppEffect] = []
        for (i, v) in evaluator.verdicts.enumerated()
        where v.state != .pending && v.state != .needsAnswer && !reportedVerdicts.contains(i) {
            reportedVerdicts.insert(i)
            effects.append(.journal(.verdict(Self.record(step: step.id, index: i, verdict: v, masker: masker)), sync: false))
        }
        return effects
    }

    /// Ends the run: judges what is pending, journals the rest of the output, every verdict and the end.
    mutating func finish(_ end: StepEnd, durationMs: Int, masker: SecretMasker) -> [AppEffect] {
        guard self.end == nil else { return [] }
        self.end = end
        self.durationMs = durationMs
        partial = nil
        var effects: [AppEffect] = []
        if lineCount > journaledLines {
            // The journal's last half: as many of the lines past its first half as `output` still holds.
            let kept = min(output.count, lineCount - journaledLines, max(1, Self.journalLineLimit / 2))
            let dropped = lineCount - journaledLines - kept
            if dropped > 0 { effects.append(.journal(.outputTruncated(step: step.id, droppedLines: dropped), sync: false)) }
            var n = lineCount - kept
            for line in output.lines(in: (output.count - kept)..<output.count) {
                n += 1
                effects.append(
                    .journal(
                        .output(.init(step: step.id, channel: line.channel, line: n, text: masker.mask(line.text))),
                        sync: false))
            }
        }
        evaluator.finish(end)
        effects += newVerdicts(masker: masker)
        for (i, v) in evaluator.verdicts.enumerated() where v.state == .needsAnswer {
            effects.append(.journal(.verdict(Self.record(step: step.id, index: i, verdict: v, masker: masker)), sync: false))
        }
        effects.append(.journal(finishRecord(masker: masker), sync: true))
        return effects
    }

    func finishRecord(masker: SecretMasker) -> JournalEvent {
        let end = self.end ?? .cancelled
        var code: Int32? = nil
        if case .exited(let c) = end { code = c }
        return .stepFinished(
            .init(step: step.id, end: masker.mask(end.description), exitCode: code, durationMs: durationMs ?? 0,
                  result: outcome.journalResult))
    }

    static func record(step: String, index: Int, verdict v: Verdict, masker: SecretMasker) -> JournalEvent.VerdictRecord {
        JournalEvent.VerdictRecord(step: step, index: index, verdict: v, masker: masker)
    }

    /// Elapsed time at `nowMs`, or the duration once ended.
    func elapsedMs(now: Int?) -> Int? {
        if let durationMs { return durationMs }
        guard let startedAtMs, let now else { return nil }
        return max(0, now - startedAtMs)
    }
}
