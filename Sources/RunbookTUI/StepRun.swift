import RunbookKit
import RunbookRunner

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

/// One run of one step as the TUI shows it: its output, its verdicts as the runtime's
/// ``StepExecution`` reports them, how it ended. Kept in `AppState.runs` by `RunID` while it runs and
/// after. Nothing here judges output or journals it: the execution did both before the event came.
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
    private(set) var verdicts: [Verdict]
    var output = OutputBuffer(capacity: StepRun.outputCapacity)
    /// The incomplete last line, shown live.
    var partial: OutputLine?
    var end: StepEnd?
    var durationMs: Int?
    /// Monotonic time of the first tick after the start (elapsed time while it runs).
    var startedAtMs: Int?
    var cancelRequested = false
    /// For a decision-tree probe: the branches it chooses between, and the first line that suggested each.
    var branches: [TreeNode] = []
    var branchMatches: [Int: String] = [:]

    static let outputCapacity = 10_000

    init(id: RunID, step: Step, scope: String?, runbook: Int, preview: String, isDryRun: Bool, isInteractive: Bool) {
        self.id = id
        self.step = step
        self.scope = scope
        self.runbook = runbook
        self.preview = preview
        self.isDryRun = isDryRun
        self.isInteractive = isInteractive
        verdicts = IndicatorEvaluator(indicators: step.indicators).verdicts
    }

    var isRunning: Bool { end == nil && !isDryRun }

    var outcome: RunOutcome {
        if isDryRun { return .dryRun }
        guard let end else { return .running }
        if end == .cancelled { return .cancelled }
        return RunOutcome(StepOutcome.judge(end: end, verdicts: verdicts))
    }

    /// The branch the probe's output suggests: the first branch (in order) with a pattern in some
    /// line, as `TriageWalk.suggest` picks it, and that line.
    var suggestion: (branch: Int, line: String)? {
        guard let i = branchMatches.keys.min(), let line = branchMatches[i] else { return nil }
        return (i, line)
    }

    /// Takes a batch of output lines (masked), the line in progress and the verdicts so far.
    mutating func take(_ lines: OutputLineBatch, partial: OutputLine?, verdicts: [Verdict]) {
        self.partial = partial
        if verdicts.count == self.verdicts.count { self.verdicts = verdicts }
        guard !lines.isEmpty else { return }
        if branches.indices.contains(where: { branchMatches[$0] == nil && !branches[$0].patterns.isEmpty }) {
            for line in lines {
                for (i, branch) in branches.enumerated() where branchMatches[i] == nil {
                    if branch.isSuggested(byLine: Substring(line.text)) { branchMatches[i] = line.text }
                }
            }
        }
        output.append(contentsOf: lines)
    }

    /// Ends the run with the runtime's settled verdicts.
    mutating func finish(_ ending: RunEnding) {
        guard end == nil else { return }
        end = ending.end
        durationMs = ending.durationMs
        partial = nil
        if ending.verdicts.count == verdicts.count || verdicts.isEmpty { verdicts = ending.verdicts }
    }

    /// Records the engineer's y/n for manual indicator `index`; returns the verdict, or nil when
    /// there is no such manual indicator.
    mutating func answer(_ index: Int, yes: Bool) -> Verdict? {
        guard verdicts.indices.contains(index), verdicts[index].indicator.isManual else { return nil }
        verdicts[index].state = yes ? .passed : .failed
        verdicts[index].reason = yes ? "answered yes" : "answered no"
        return verdicts[index]
    }

    /// Elapsed time at `nowMs`, or the duration once ended.
    func elapsedMs(now: Int?) -> Int? {
        if let durationMs { return durationMs }
        guard let startedAtMs, let now else { return nil }
        return max(0, now - startedAtMs)
    }
}
