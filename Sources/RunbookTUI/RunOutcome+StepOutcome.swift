import RunbookKit

extension RunOutcome {
    /// A finished run's outcome as `StepOutcome.judge` decided it.
    init(_ outcome: StepOutcome) {
        switch outcome {
        case .passed: self = .passed
        case .failed: self = .failed
        case .needsAnswers: self = .needsAnswers
        case .cancelled: self = .cancelled
        }
    }
}
