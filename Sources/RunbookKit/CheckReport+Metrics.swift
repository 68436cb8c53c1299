import Foundation

/// The report as metrics, for Prometheus: `runbook check --format openmetrics` (OpenMetrics 1.0 text,
/// with `# UNIT` lines and the closing `# EOF`) or `--format prometheus` (the Prometheus text format
/// 0.0.4, which node_exporter's textfile collector and the Pushgateway read).
///
/// Every metric is a gauge describing the last run. Labels carry only identifiers written in the
/// runbook (its id and version, entry, checklist and step ids) and fixed words: never a title, a
/// command, a reason or any output, so no variable's value (a secret's least of all) reaches them.
///
/// ```text
/// runbook_check_run_success{runbook="gke-staging-pre-deploy",version="1.1.0",mode="checklist",checklist="environment-variables-checklist"} 0
/// runbook_check_step_result{runbook="gke-staging-pre-deploy",version="1.1.0",checklist="environment-variables-checklist",step="secret-db-user"} 0
/// ```
extension CheckReport {
    /// The metric families, in the order they are written.
    public static let metricNames = [
        "runbook_check_run_success", "runbook_check_run_timestamp_seconds", "runbook_check_run_duration_seconds",
        "runbook_check_steps", "runbook_check_step_result", "runbook_check_step_duration_seconds",
        "runbook_check_step_skipped",
    ]

    /// The report as metrics: OpenMetrics when `openMetrics`, else the Prometheus text format. No
    /// trailing newline (the caller ends the last line).
    public func metrics(openMetrics: Bool) -> String {
        var families: [MetricFamily] = []
        let run = runLabels

        families.append(MetricFamily(
            name: "runbook_check_run_success",
            help: "1 when every check of the last run passed, 0 when one failed (or triage reached no entry).",
            samples: [.init(run, exitCode == 0 ? 1 : 0)]))
        if let endedAt {
            families.append(MetricFamily(
                name: "runbook_check_run_timestamp_seconds", unit: "seconds",
                help: "When the last run ended, in seconds since the Unix epoch.",
                samples: [.init(run, endedAt.timeIntervalSince1970)]))
            if let startedAt {
                families.append(MetricFamily(
                    name: "runbook_check_run_duration_seconds", unit: "seconds",
                    help: "How long the last run took, from start to end.",
                    samples: [.init(run, max(0, endedAt.timeIntervalSince(startedAt)))]))
            }
        }
        let n = counts
        families.append(MetricFamily(
            name: "runbook_check_steps",
            help: "Steps of the last run by state: passed, failed, skipped (not read-only, or not run) and manual (left to a person).",
            samples: [("passed", n.passed), ("failed", n.failed), ("skipped", n.skipped), ("manual", n.manual)].map {
                .init(run + [("state", $0.0)], Double($0.1))
            }))

        var results: [MetricSample] = []
        var durations: [MetricSample] = []
        var skipped: [MetricSample] = []
        for suite in suites {
            for c in suite.cases {
                let labels = stepLabels(suite: suite.id, step: c.id)
                if isFailure(c) || c.outcome == .passed || c.outcome == .failed {
                    results.append(.init(labels, isFailure(c) ? 0 : 1))
                    if c.outcome == .passed || c.outcome == .failed {
                        durations.append(.init(labels, Double(c.durationMs) / 1000))
                    }
                } else {
                    skipped.append(.init(labels + [("state", c.outcome == .manual ? "manual" : "skipped")], 1))
                }
            }
        }
        families.append(MetricFamily(
            name: "runbook_check_step_result",
            help: "1 when the step passed, 0 when it failed; a step that did not run is in runbook_check_step_skipped.",
            samples: results))
        families.append(MetricFamily(
            name: "runbook_check_step_duration_seconds", unit: "seconds",
            help: "How long the step ran.",
            samples: durations))
        families.append(MetricFamily(
            name: "runbook_check_step_skipped",
            help: "1 for a step the last run did not judge: skipped (state skipped) or left to a person (state manual).",
            samples: skipped))

        var out: [String] = []
        for family in families where !family.samples.isEmpty {
            out += family.lines(openMetrics: openMetrics)
        }
        if openMetrics { out.append("# EOF") }
        return out.joined(separator: "\n")
    }

    /// The labels of the run's own metrics: the runbook, its version, and what was checked.
    var runLabels: [(String, String)] {
        var labels = baseLabels
        switch scope {
        case .triage:
            labels.append(("mode", "triage"))
        case .checklist(let id):
            labels += [("mode", "checklist"), ("checklist", id)]
        case .entries(let ids):
            labels.append(("mode", "entries"))
            if ids.count == 1, let id = ids.first { labels.append(("entry", id)) }
        }
        return labels
    }

    func stepLabels(suite: String, step: String) -> [(String, String)] {
        var labels = baseLabels
        if case .checklist = scope { labels.append(("checklist", suite)) } else { labels.append(("entry", suite)) }
        labels.append(("step", step))
        return labels
    }

    var baseLabels: [(String, String)] {
        var labels = [("runbook", runbookId)]
        if let version { labels.append(("version", version)) }
        return labels
    }

    /// A label value as both text formats want it: backslash, double quote and line feed escaped.
    public static func metricLabelValue(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A sample value: integers without a fraction, others to the millisecond.
    static func metricValue(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

/// One metric family: HELP, TYPE (always gauge), UNIT in OpenMetrics, and its samples.
struct MetricFamily {
    var name: String
    var unit: String?
    var help: String
    var samples: [MetricSample]

    init(name: String, unit: String? = nil, help: String, samples: [MetricSample]) {
        self.name = name
        self.unit = unit
        self.help = help
        self.samples = samples
    }

    func lines(openMetrics: Bool) -> [String] {
        // HELP text escapes backslash and line feed; OpenMetrics also the double quote.
        var help = ""
        for ch in self.help.unicodeScalars {
            switch ch {
            case "\\": help += "\\\\"
            case "\n": help += "\\n"
            case "\"" where openMetrics: help += "\\\""
            default: help.unicodeScalars.append(ch)
            }
        }
        var out = ["# HELP \(name) \(help)", "# TYPE \(name) gauge"]
        if openMetrics, let unit { out.append("# UNIT \(name) \(unit)") }
        // A series appears once (an entry named twice is checked twice; both parsers refuse a repeat).
        var seen = Set<String>()
        for sample in samples {
            let labels = sample.labels.map { "\($0.0)=\"\(CheckReport.metricLabelValue($0.1))\"" }.joined(separator: ",")
            guard seen.insert(labels).inserted else { continue }
            out.append("\(name){\(labels)} \(CheckReport.metricValue(sample.value))")
        }
        return out
    }
}

struct MetricSample {
    var labels: [(String, String)]
    var value: Double

    init(_ labels: [(String, String)], _ value: Double) {
        self.labels = labels
        self.value = value
    }
}
