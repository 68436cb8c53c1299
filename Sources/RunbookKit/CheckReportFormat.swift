/// How a check report is written: the one place that picks the format (`runbook check --format`).
public enum CheckReportFormat: String, Sendable, CaseIterable {
    case text, json, junit
}

extension CheckReport {
    /// The report in `format`. A triage's JSON is the walk alone (`{"path", "entry", "reason"}`);
    /// text is made safe for a terminal.
    public func render(_ format: CheckReportFormat) throws -> String {
        switch format {
        case .text: TerminalSafeText.make(text)
        case .json: triage != nil && suites.isEmpty ? try triageJSON() : try json()
        case .junit: junit
        }
    }
}
