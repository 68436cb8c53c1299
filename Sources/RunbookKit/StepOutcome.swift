/// How a step came out, judged from how it ended and its indicators' verdicts: the one rule the
/// headless runner, the TUI and every report share.
public enum StepOutcome: String, Sendable, Hashable, Codable {
    case passed
    case failed
    /// Every checkable indicator passed; manual ones still wait for the engineer's answer.
    case needsAnswers = "manual"
    /// Cancelled (Ctrl-C, a signal, quitting): a failure, named as such in journals.
    case cancelled

    /// The verdict rule, "✓ pass" means the check passed:
    ///
    /// 1. A time-out or a failure to start fails the step, whatever the verdicts say; a cancel is
    ///    `cancelled`, which counts as a failure everywhere.
    /// 2. A failed or still pending verdict fails it: a `no` indicator that never saw its text does not
    ///    save a command that exited 1, because the step's `exit` verdict (written, or the implied
    ///    `exit 0` that `IndicatorEvaluator` adds) failed.
    /// 3. Without any `exit` verdict (verdicts made some other way), a command that did not exit 0 fails.
    /// 4. Then a manual indicator still open makes it `needsAnswers`; otherwise it passed.
    public static func judge(end: StepEnd, verdicts: [Verdict]) -> StepOutcome {
        switch end {
        case .cancelled: return .cancelled
        case .timedOut, .failedToStart: return .failed
        case .exited, .signaled: break
        }
        if verdicts.contains(where: { $0.state == .failed || $0.state == .pending }) { return .failed }
        if !verdicts.contains(where: \.indicator.isExit), end != .exited(0) { return .failed }
        if verdicts.contains(where: { $0.state == .needsAnswer }) { return .needsAnswers }
        return .passed
    }
}
