import Foundation

/// What `runbook check` found: suites (an entry, a checklist, the triage) of cases (a step, or a
/// checklist item ticked by hand), rendered as text, JSON, JUnit XML or metrics (``CheckReportFormat``).
public struct CheckReport: Sendable, Codable {
    public var runbookId: String
    public var runbookTitle: String
    public var version: String?
    public var sessionId: String?
    public var suites: [Suite]
    public var triage: Triage?
    /// Whether unanswered manual indicators count as failures.
    public var strict: Bool
    /// Whether the session's journal recorded the whole check.
    public var journal: JournalStatus = .recorded
    /// What was asked for; the metrics name it in their labels (not part of the JSON).
    public var scope: Scope = .entries([])
    /// When the check started and ended; the metrics report them (not part of the JSON).
    public var startedAt: Date?
    public var endedAt: Date?
    /// What the context probes found (front matter `context:`), nil when the runbook declares none.
    public var context: [ContextReading]?
    /// True when nothing was checked because a context did not match (or was unknown): exit 2.
    public var contextRefused: Bool?

    /// The report's JSON keys: the scope and the times are for the metrics only, so the JSON stays as it was.
    enum CodingKeys: String, CodingKey {
        case runbookId, runbookTitle, version, sessionId, suites, triage, strict, journal, context, contextRefused
    }

    /// Whether a declared context did not match or is unknown.
    public var contextMismatch: Bool { context?.contains { !$0.matches } ?? false }

    /// What a check was asked to check.
    public enum Scope: Sendable, Hashable {
        /// Entries by id; none named means every entry.
        case entries([String])
        /// A checklist, by id.
        case checklist(String)
        /// The decision tree's probes.
        case triage
    }

    public init(runbookId: String, runbookTitle: String, version: String?, sessionId: String?, suites: [Suite] = [],
                triage: Triage? = nil, strict: Bool = false) {
        self.runbookId = runbookId
        self.runbookTitle = runbookTitle
        self.version = version
        self.sessionId = sessionId
        self.suites = suites
        self.triage = triage
        self.strict = strict
    }

    public struct Suite: Sendable, Codable {
        public var id: String
        public var title: String
        public var cases: [Case]

        public init(id: String, title: String, cases: [Case] = []) {
            self.id = id
            self.title = title
            self.cases = cases
        }
    }

    public struct Case: Sendable, Codable {
        public enum Outcome: String, Sendable, Codable {
            case passed, failed, skipped
            /// Only manual indicators (or a checklist item without a command): a person must answer.
            case manual
        }

        public var id: String
        public var title: String
        public var role: String
        /// The command, secrets masked; nil for an item ticked by hand.
        public var command: String?
        public var outcome: Outcome
        /// Why: the failing indicators, the skip reason.
        public var reason: String?
        /// `exit 0`, `timed out` ...
        public var end: String?
        public var durationMs: Int
        public var verdicts: [VerdictSummary]
        /// The last lines of output (secrets masked).
        public var outputTail: [String]

        public init(
            id: String, title: String, role: String, command: String?, outcome: Outcome, reason: String? = nil,
            end: String? = nil, durationMs: Int = 0, verdicts: [VerdictSummary] = [], outputTail: [String] = []
        ) {
            self.id = id
            self.title = title
            self.role = role
            self.command = command
            self.outcome = outcome
            self.reason = reason
            self.end = end
            self.durationMs = durationMs
            self.verdicts = verdicts
            self.outputTail = outputTail
        }
    }

    public struct VerdictSummary: Sendable, Codable {
        public var kind: String
        public var text: String
        public var state: Verdict.State
        public var line: String?
        public var reason: String?
        /// True for the implied `exit 0` of a step without an `exit` indicator; absent otherwise.
        public var implied: Bool?

        public init(_ v: Verdict, masker: SecretMasker) {
            kind = v.indicator.kind.name
            text = masker.mask(v.indicator.text)
            state = v.state
            line = v.decidingLine.map(masker.mask)
            reason = v.reason.map(masker.mask)
            implied = v.implied ? true : nil
        }
    }

    public struct Triage: Sendable, Codable {
        public var path: [String]
        public var entry: String?
        public var reason: String?

        public init(path: [String], entry: String?, reason: String?) {
            self.path = path
            self.entry = entry
            self.reason = reason
        }
    }

    public var allCases: [Case] { suites.flatMap(\.cases) }

    /// Whether a case counts as a failure.
    public func isFailure(_ c: Case) -> Bool {
        switch c.outcome {
        case .failed: true
        case .manual: strict
        case .passed: strict && c.verdicts.contains { $0.state == .needsAnswer }
        case .skipped: false
        }
    }

    /// 0 when everything checked passed, 1 when something failed (or triage reached no entry).
    public var exitCode: Int32 {
        if contextRefused == true { return 2 }
        if allCases.contains(where: isFailure) { return 1 }
        if let triage, triage.entry == nil { return 1 }
        return 0
    }

    public var counts: (passed: Int, failed: Int, skipped: Int, manual: Int) {
        var p = 0, f = 0, s = 0, m = 0
        for c in allCases {
            if isFailure(c) {
                f += 1
            } else {
                switch c.outcome {
                case .passed: p += 1
                case .failed: f += 1
                case .skipped: s += 1
                case .manual: m += 1
                }
            }
        }
        return (p, f, s, m)
    }

    // MARK: - Text

    public var text: String {
        var out: [String] = []
        out.append("\(runbookTitle) (\(runbookId) \(version ?? "unversioned"))")
        for reading in context ?? [] { out.append("context: \(reading.summary)") }
        if contextRefused == true {
            out.append("")
            out.append("nothing checked: the context is not the one this runbook is for; switch to it, or run with --ignore-context")
        } else if contextMismatch {
            out.append("the context does not match: checked anyway (--ignore-context)")
        }
        if let triage {
            out.append("")
            out.append("Triage")
            for (i, label) in triage.path.enumerated() {
                out.append(String(repeating: "  ", count: i + 1) + "→ " + label)
            }
            if let e = triage.entry {
                out.append("  reached entry: \(e)")
            } else {
                out.append("  reached no entry" + (triage.reason.map { ": \($0)" } ?? ""))
            }
        }
        for suite in suites {
            out.append("")
            out.append(suite.title)
            for c in suite.cases {
                let mark: String
                switch (c.outcome, isFailure(c)) {
                case (_, true): mark = "✗ FAIL"
                case (.passed, _): mark = "✓ PASS"
                case (.skipped, _): mark = "- SKIP"
                case (.manual, _): mark = "? ASK "
                case (.failed, _): mark = "✗ FAIL"
                }
                var line = "  \(mark) \(c.id)"
                if !c.title.isEmpty { line += ": \(c.title)" }
                if let end = c.end { line += "  (\(end), \(Self.seconds(c.durationMs)))" }
                out.append(line)
                if let reason = c.reason, c.outcome != .passed { out.append("         \(reason)") }
                // The implied `exit 0` is shown when it failed: it is then the reason.
                for v in c.verdicts where v.implied != true || v.state != .passed {
                    let m: String
                    switch v.state {
                    case .passed: m = "✓"
                    case .failed: m = "✗"
                    case .pending: m = "…"
                    case .needsAnswer: m = "?"
                    }
                    var t = "         \(m) \(v.text)"
                    if v.state == .failed, let r = v.reason { t += " — \(r)" }
                    if v.state == .needsAnswer { t += " — answer in the TUI (manual)" }
                    out.append(t)
                }
                if isFailure(c), !c.outputTail.isEmpty {
                    out.append("         last output:")
                    for l in c.outputTail { out.append("         | " + l) }
                }
            }
        }
        let n = counts
        out.append("")
        out.append("\(n.passed) passed, \(n.failed) failed, \(n.skipped) skipped, \(n.manual) to answer by hand")
        if journal.recorded, let id = sessionId {
            out.append("session \(id): `runbook report \(id)` writes its timeline")
        }
        return out.joined(separator: "\n")
    }

    static func seconds(_ ms: Int) -> String {
        String(format: "%.1f s", Double(ms) / 1000)
    }

    // MARK: - JSON

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The triage alone: `{"path": [...], "entry": "<entry id>"}`.
    public func triageJSON() throws -> String {
        struct Shape: Encodable {
            let path: [String]
            let entry: String?
            let reason: String?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: K.self)
                try c.encode(path, forKey: .path)
                try c.encode(entry, forKey: .entry)
                try c.encode(reason, forKey: .reason)
            }
            enum K: String, CodingKey { case path, entry, reason }
        }
        let t = triage ?? Triage(path: [], entry: nil, reason: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Shape(path: t.path, entry: t.entry, reason: t.reason)), as: UTF8.self)
    }

    // MARK: - JUnit XML

    /// JUnit XML as CI systems read it: one testsuite per entry or checklist, one testcase per step.
    public var junit: String {
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let n = counts
        let contextCases = contextRefused == true ? (context ?? []) : []
        let total = allCases.count + (triage == nil ? 0 : 1) + contextCases.count
        let triageFailed = triage != nil && triage?.entry == nil
        let totalTime = Double(allCases.map(\.durationMs).reduce(0, +)) / 1000
        out.append(
            "<testsuites name=\"\(Self.xml("runbook check " + runbookId))\" tests=\"\(total)\" failures=\"\(n.failed + (triageFailed ? 1 : 0) + contextCases.filter { !$0.matches }.count)\" errors=\"0\" skipped=\"\(n.skipped + n.manual)\" time=\"\(String(format: "%.3f", totalTime))\">")
        if let triage {
            out.append("  <testsuite name=\"triage\" tests=\"1\" failures=\"\(triageFailed ? 1 : 0)\" errors=\"0\" skipped=\"0\">")
            out.append("    <testcase classname=\"\(Self.xml(runbookId)).triage\" name=\"decision tree\">")
            if triageFailed {
                out.append("      <failure message=\"\(Self.xml("reached no entry" + (triage.reason.map { ": \($0)" } ?? "")))\" type=\"triage\"/>")
            }
            out.append("      <system-out>\(Self.xml((triage.path + ["entry: \(triage.entry ?? "none")"]).joined(separator: "\n")))</system-out>")
            out.append("    </testcase>")
            out.append("  </testsuite>")
        }
        if contextRefused == true, let context {
            let failing = context.filter { !$0.matches }
            out.append("  <testsuite name=\"context\" tests=\"\(context.count)\" failures=\"\(failing.count)\" errors=\"0\" skipped=\"0\">")
            out.append(contentsOf: contextProperties)
            for reading in context {
                out.append("    <testcase classname=\"\(Self.xml(runbookId)).context\" name=\"\(Self.xml(reading.name))\">")
                if !reading.matches {
                    out.append("      <failure message=\"\(Self.xml(reading.summary))\" type=\"context\"/>")
                }
                out.append("    </testcase>")
            }
            out.append("  </testsuite>")
        }
        for suite in suites {
            let failures = suite.cases.filter(isFailure).count
            let skipped = suite.cases.filter { !isFailure($0) && ($0.outcome == .skipped || $0.outcome == .manual) }.count
            let time = Double(suite.cases.map(\.durationMs).reduce(0, +)) / 1000
            out.append(
                "  <testsuite name=\"\(Self.xml(suite.title))\" id=\"\(Self.xml(suite.id))\" tests=\"\(suite.cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(String(format: "%.3f", time))\">")
            out.append(contentsOf: contextProperties)
            for c in suite.cases {
                let name = c.title.isEmpty ? c.id : "\(c.id): \(c.title)"
                out.append(
                    "    <testcase classname=\"\(Self.xml(runbookId + "." + suite.id))\" name=\"\(Self.xml(name))\" time=\"\(String(format: "%.3f", Double(c.durationMs) / 1000))\">")
                if isFailure(c) {
                    let failed = c.verdicts.filter { $0.state == .failed || (strict && $0.state == .needsAnswer) }
                    let message =
                        c.reason
                        ?? failed.map { "\($0.text): \($0.reason ?? ($0.state == .needsAnswer ? "not answered" : "failed"))" }.joined(separator: "; ")
                    var body = [String]()
                    if let command = c.command { body.append("$ " + command) }
                    if let end = c.end { body.append(end) }
                    body += c.outputTail
                    out.append("      <failure message=\"\(Self.xml(message))\" type=\"\(c.outcome == .manual ? "manual" : "indicator")\">\(Self.xml(body.joined(separator: "\n")))</failure>")
                } else if c.outcome == .skipped || c.outcome == .manual {
                    out.append("      <skipped message=\"\(Self.xml(c.reason ?? "to be checked by hand"))\"/>")
                }
                if let command = c.command {
                    out.append("      <system-out>\(Self.xml((["$ " + command] + c.outputTail).joined(separator: "\n")))</system-out>")
                }
                out.append("    </testcase>")
            }
            out.append("  </testsuite>")
        }
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The context as JUnit `<properties>` of a testsuite: `context.NAME` (the value, `unknown` when
    /// unknown), `context.NAME.expect` and `context.NAME.matches`.
    var contextProperties: [String] {
        guard let context, !context.isEmpty else { return [] }
        var out = ["    <properties>"]
        for r in context {
            out.append("      <property name=\"context.\(Self.xml(r.name))\" value=\"\(Self.xml(r.value ?? "unknown"))\"/>")
            out.append("      <property name=\"context.\(Self.xml(r.name)).expect\" value=\"\(Self.xml(r.expect))\"/>")
            out.append("      <property name=\"context.\(Self.xml(r.name)).matches\" value=\"\(r.matches)\"/>")
        }
        out.append("    </properties>")
        return out
    }

    /// Escapes text for XML 1.0 attributes and content; characters XML cannot hold become U+FFFD.
    public static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
