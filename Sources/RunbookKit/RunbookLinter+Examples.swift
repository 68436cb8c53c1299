extension RunbookLinter {
    /// A check (`verify`, `diagnose`) with indicators should carry an example output labelled healthy
    /// and one labelled failing, so `runbook test` can prove that its indicators tell them apart.
    func lintExamples(_ steps: [Step], _ report: (SourceLocation, Severity, String) -> Void) {
        for step in steps where (step.role == .verify || step.role == .diagnose) && step.isRunnable && !step.indicators.isEmpty {
            let labels = Set(step.examples.map(\.label))
            let missing = [LabelledExample.Label.healthy, .failing].filter { !labels.contains($0) }
            guard !missing.isEmpty else { continue }
            let what = missing.map { "`Example output when \($0.rawValue):`" }.joined(separator: " and ")
            report(
                step.location, .warning,
                "\(step.role.rawValue) step `\(step.id)` has no example output labelled \(missing.map(\.rawValue).joined(separator: " or ")): "
                    + "add \(what) and a block of real output after it, so `runbook test` can prove its indicators")
        }
    }
}
