/// How a check report is written: the one place that picks the format (`runbook check --format`).
public enum CheckReportFormat: String, Sendable, CaseIterable {
    case text, json, junit
    /// OpenMetrics 1.0 text: for a scrape or a file read by an OpenMetrics parser.
    case openmetrics
    /// The Prometheus text format 0.0.4: for node_exporter's textfile collector and the Pushgateway.
    case prometheus
}

extension CheckReport {
    /// The report in `format`. A triage's JSON is the walk alone (`{"path", "entry", "reason"}`);
    /// text is made safe for a terminal.
    public func render(_ format: CheckReportFormat) throws -> String {
        switch format {
        case .text: TerminalSafeText.make(text)
        case .json: triage != nil && suites.isEmpty ? try triageJSON() : try json()
        case .junit: junit
        case .openmetrics: metrics(openMetrics: true)
        case .prometheus: metrics(openMetrics: false)
        }
    }
}
