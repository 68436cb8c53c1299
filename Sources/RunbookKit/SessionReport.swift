import Foundation

/// A session's timeline for a postmortem, made from its journal: when each step ran, the command,
/// its verdicts and an excerpt of its output, the path taken through the tree, and every decision.
public struct SessionReport: Sendable {
    public var sessionId: String
    public var journal: Journal
    /// How many output lines of each step the report quotes (first and last).
    public var excerptLines: Int
    /// Why the journal stopped recording, when it did (its `incomplete` file).
    public var incomplete: String?

    public init(sessionId: String, journal: Journal, excerptLines: Int = 8, incomplete: String? = nil) {
        self.sessionId = sessionId
        self.journal = journal
        self.excerptLines = excerptLines
        self.incomplete = incomplete
    }

    /// One step as the report tells it.
    public struct StepStory: Sendable, Codable {
        public var step: String
        public var entry: String?
        public var role: String
        public var title: String
        public var command: String
        public var startedAt: String
        public var end: String?
        public var result: String?
        public var durationMs: Int?
        public var verdicts: [JournalEvent.VerdictRecord]
        public var output: [String]
        public var omittedLines: Int

        enum CodingKeys: String, CodingKey {
            case step, entry, role, title, command, end, result, verdicts, output
            case startedAt = "started_at", durationMs = "duration_ms", omittedLines = "omitted_lines"
        }
    }

    /// Events in the order of the timeline, grouped into steps.
    public enum Item: Sendable {
        case step(StepStory)
        case decision(time: String, JournalEvent.Decision)
        case skipped(time: String, step: String, reason: String)
    }

    public var items: [Item] {
        var out: [Item] = []
        var open: [String: Int] = [:]  // step id -> index in out
        var outputs: [String: [String]] = [:]
        for record in journal.records {
            switch record.event {
            case .stepStarted(let s):
                open[s.step] = out.count
                outputs[s.step] = []
                out.append(
                    .step(
                        StepStory(
                            step: s.step, entry: s.entry, role: s.role, title: s.title, command: s.command,
                            startedAt: record.time, end: nil, result: nil, durationMs: nil, verdicts: [], output: [],
                            omittedLines: 0)))
            case .output(let o):
                outputs[o.step, default: []].append(o.text + OutputLine.cutMark(droppedBytes: o.droppedBytes ?? 0))
            case .outputTruncated(let step, let n):
                if let i = open[step], case .step(var s) = out[i] {
                    s.omittedLines += n
                    out[i] = .step(s)
                }
            case .verdict(let v):
                if let i = open[v.step], case .step(var s) = out[i] {
                    s.verdicts.removeAll { $0.index == v.index }
                    s.verdicts.append(v)
                    out[i] = .step(s)
                }
            case .stepFinished(let f):
                if let i = open[f.step], case .step(var s) = out[i] {
                    s.end = f.end
                    s.result = f.result
                    s.durationMs = f.durationMs
                    s.output = excerpt(outputs[f.step] ?? [], omitted: &s.omittedLines)
                    s.verdicts.sort { $0.index < $1.index }
                    out[i] = .step(s)
                }
            case .stepSkipped(let step, let reason):
                out.append(.skipped(time: record.time, step: step, reason: reason))
            case .decision(let d):
                out.append(.decision(time: record.time, d))
            case .sessionStarted, .sessionEnded, .context:
                break
            }
        }
        // A step the session never saw finish (the tool was killed): show the output it recorded.
        for (step, i) in open {
            if case .step(var s) = out[i], s.result == nil {
                s.output = excerpt(outputs[step] ?? [], omitted: &s.omittedLines)
                out[i] = .step(s)
            }
        }
        return out
    }

    private func excerpt(_ lines: [String], omitted: inout Int) -> [String] {
        guard lines.count > excerptLines * 2 else { return lines }
        omitted += lines.count - excerptLines * 2
        return Array(lines.prefix(excerptLines)) + ["…"] + Array(lines.suffix(excerptLines))
    }

    /// The branches chosen in the decision tree, in order.
    public var path: [String] {
        journal.records.compactMap {
            if case .decision(let d) = $0.event, d.kind == "branch_chosen" || d.kind == "entry_reached" { return d.detail }
            return nil
        }
    }

    /// What the context probes found at the session's start.
    public var context: [ContextReading] {
        journal.records.compactMap { if case .context(let r) = $0.event { r } else { nil } }
    }

    var endResult: String? {
        for r in journal.records.reversed() {
            if case .sessionEnded(let result) = r.event { return result }
        }
        return nil
    }

    // MARK: - Markdown

    public var markdown: String {
        var out: [String] = []
        let start = journal.start
        out.append("# Session \(sessionId)")
        out.append("")
        if let s = start {
            out.append("- Runbook: **\(s.runbookTitle)** (`\(s.runbookId)` \(s.version ?? "unversioned"), sha256 `\(s.sha256.prefix(16))`), `\(s.path)`")
            out.append("- By \(s.user) on \(s.host), with `runbook \(s.mode)`\(s.drill ? " — **DRILL** (simulated environment\(s.drillScenario.map { ", scenario `\($0)`" } ?? ""))" : "")")
        }
        if let first = journal.records.first { out.append("- Started: \(first.time)") }
        if let last = journal.records.last { out.append("- Last event: \(last.time)") }
        if let incomplete {
            out.append("- Result: incomplete: \(incomplete) (what follows is what was recorded before)")
        } else {
            out.append("- Result: \(endResult ?? "unfinished (the session ended without closing its journal)")")
        }
        for reading in context {
            out.append("- Context: \(reading.matches ? "" : "**")\(reading.summary)\(reading.matches ? "" : "**")")
        }
        if journal.tornLines > 0 { out.append("- Note: the journal's last line was cut short and is left out.") }
        if !journal.damagedLines.isEmpty {
            out.append("- Note: journal lines \(journal.damagedLines.map(String.init).joined(separator: ", ")) could not be read.")
        }
        if !path.isEmpty {
            out.append("")
            out.append("## Path through the decision tree")
            out.append("")
            for (i, p) in path.enumerated() { out.append("\(i + 1). \(p)") }
        }
        out.append("")
        out.append("## Timeline")
        for item in items {
            out.append("")
            switch item {
            case .decision(let time, let d):
                out.append("- `\(Self.clock(time))` **\(d.kind.replacingOccurrences(of: "_", with: " "))**\(d.step.map { " (`\($0)`)" } ?? ""): \(d.detail)")
            case .skipped(let time, let step, let reason):
                out.append("- `\(Self.clock(time))` skipped `\(step)`: \(reason)")
            case .step(let s):
                let result = s.result.map { " — **\($0)**" } ?? " — did not finish"
                out.append("- `\(Self.clock(s.startedAt))` \(s.role) `\(s.step)`\(s.title.isEmpty ? "" : ": \(s.title)")\(result)")
                out.append("")
                out.append("  ```sh")
                for l in s.command.split(separator: "\n", omittingEmptySubsequences: false) { out.append("  " + l) }
                out.append("  ```")
                if let end = s.end {
                    out.append("")
                    out.append("  \(end) after \(String(format: "%.1f", Double(s.durationMs ?? 0) / 1000)) s")
                }
                if s.verdicts.contains(where: { $0.implied != true || $0.state != .passed }) {
                    out.append("")
                    // The implied `exit 0` is shown when it did not pass: it is then the reason.
                    for v in s.verdicts where v.implied != true || v.state != .passed {
                        let mark: String
                        switch v.state {
                        case .passed: mark = "✓"
                        case .failed: mark = "✗"
                        case .pending: mark = "…"
                        case .needsAnswer: mark = "?"
                        }
                        var line = "  - \(mark) \(v.text)"
                        if let r = v.reason { line += " — \(r)" }
                        if let l = v.line { line += ": `\(l.replacingOccurrences(of: "`", with: "'"))`" }
                        out.append(line)
                    }
                }
                if !s.output.isEmpty {
                    out.append("")
                    out.append("  ```text")
                    for l in s.output { out.append("  " + l) }
                    out.append("  ```")
                    if s.omittedLines > 0 { out.append("  (\(s.omittedLines) lines of output not shown)") }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func clock(_ iso: String) -> String {
        // 2026-11-30T01:15:02.123Z -> 01:15:02
        guard let t = iso.firstIndex(of: "T") else { return iso }
        return String(iso[iso.index(after: t)...].prefix(8))
    }

    // MARK: - JSON

    public func json() throws -> String {
        struct Shape: Encodable {
            let session: String
            let start: JournalEvent.SessionStart?
            let result: String?
            let path: [String]
            let timeline: [Entry]
            let tornLines: Int
            let incomplete: String?
            let context: [ContextReading]?
            enum CodingKeys: String, CodingKey { case session, start, result, path, timeline, tornLines = "torn_lines", incomplete, context }
        }
        struct Entry: Encodable {
            let type: String
            let time: String
            let step: StepStory?
            let decision: JournalEvent.Decision?
            let reason: String?
            let stepId: String?
            enum CodingKeys: String, CodingKey { case type, time, step, decision, reason, stepId = "step_id" }
        }
        let timeline: [Entry] = items.map {
            switch $0 {
            case .step(let s): Entry(type: "step", time: s.startedAt, step: s, decision: nil, reason: nil, stepId: s.step)
            case .decision(let t, let d): Entry(type: "decision", time: t, step: nil, decision: d, reason: nil, stepId: d.step)
            case .skipped(let t, let step, let r): Entry(type: "skipped", time: t, step: nil, decision: nil, reason: r, stepId: step)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let shape = Shape(session: sessionId, start: journal.start, result: endResult, path: path, timeline: timeline, tornLines: journal.tornLines,
            incomplete: incomplete, context: context.isEmpty ? nil : context)
        return String(decoding: try encoder.encode(shape), as: UTF8.self)
    }
}
