/// Checks a loaded runbook for what would mislead its reader or break its walk: dangling links,
/// duplicate anchors, unreachable entries, unchecked verifications, undeclared variables, stale reviews.
/// The loader's own diagnostics (front matter, attributes, indicators) come first.
public struct RunbookLinter: Sendable {
    public var today: CalendarDate

    public init(today: CalendarDate) {
        self.today = today
    }

    /// Lints `runbook`; `resolve` loads another runbook by the path a link names (relative to this
    /// runbook's folder), or returns nil when there is no such file.
    public func lint(_ runbook: Runbook, resolve: (String) -> Runbook?) -> [Diagnostic] {
        var out = runbook.diagnostics
        func report(_ location: SourceLocation, _ severity: Severity, _ message: String) {
            out.append(Diagnostic(file: runbook.path, location: location, severity: severity, message: message))
        }

        if runbook.version == nil && !out.contains(where: { $0.message.hasPrefix("version ") }) {
            report(SourceLocation(line: 1, column: 1), .warning, "no version: add `version: 1.0.0` to the front matter and bump it with every change")
        }
        if let reviewBy = runbook.reviewBy, reviewBy < today {
            report(
                SourceLocation(line: 1, column: 1), .warning,
                "review_by \(reviewBy) is past: review the runbook, then move review_by forward")
        }

        // Links to anchors and other runbooks.
        let folder = Self.folder(of: runbook.path)
        var checkedFiles: [String: Runbook?] = [:]
        for link in runbook.links {
            guard let target = link.target else { continue }
            if let file = target.file {
                let resolved = file.hasPrefix("/") ? file : Self.join(folder, file)
                if checkedFiles[resolved] == nil { checkedFiles[resolved] = .some(resolve(resolved)) }
                guard let other = checkedFiles[resolved] ?? nil else {
                    report(link.location, .error, "link `\(link.destination)` names no runbook: `\(resolved)` does not exist or does not load")
                    continue
                }
                if let anchor = target.anchor, !other.anchors.contains(anchor) {
                    report(
                        link.location, .error,
                        "link `\(link.destination)` names no heading of \(file)\(Self.suggestion(anchor, other.anchors))")
                }
            } else if let anchor = target.anchor, !runbook.anchors.contains(anchor) {
                report(link.location, .error, "link `#\(anchor)` names no heading in this file\(Self.suggestion(anchor, runbook.anchors))")
            }
        }

        // Headings whose anchors collide: GitHub gives the later one a -1 suffix, so links silently go elsewhere.
        var headings: [(slug: String, level: Int, text: String, location: SourceLocation)] = []
        var stack: [MarkdownBlock] = [runbook.document]
        while let block = stack.popLast() {
            if case .heading(let level, let inlines) = block.kind {
                headings.append((HeadingSlugger.slug(inlines.plainText), level, inlines.plainText, block.location))
            }
            stack.append(contentsOf: block.children.reversed())
        }
        var firstBySlug: [String: (Int, SourceLocation)] = [:]
        for h in headings {
            if let (level, earlier) = firstBySlug[h.slug] {
                if h.level <= 2 || level <= 2 {
                    report(
                        h.location, .error,
                        "duplicate anchor `#\(h.slug)`: the heading at line \(earlier.line) has the same anchor; rename one of them")
                }
            } else {
                firstBySlug[h.slug] = (h.level, h.location)
            }
        }

        // The decision tree, as declared: a tree read from prose or a diagram was not written for the tool.
        if let tree = runbook.decisionTree, tree.source == .declared {
            var reached = Set<String>()
            for node in tree.allNodes {
                if let target = node.target, target.file == nil, let anchor = target.anchor { reached.insert(anchor) }
                if node.children.isEmpty && node.target == nil {
                    report(node.location, .warning, "this branch of the decision tree leads nowhere: link it to an entry, as in [Issue](#issue-anchor)")
                }
                if node.probe != nil && node.children.allSatisfy({ $0.patterns.isEmpty }) && !node.children.isEmpty {
                    report(node.location, .warning, "this probe's branches have no patterns: start each branch with the `text` its output shows")
                }
            }
            for entry in runbook.entries where !entry.steps.isEmpty && !reached.contains(entry.anchor) {
                report(entry.location, .warning, "no branch of the decision tree reaches entry `\(entry.title)`: link to #\(entry.anchor) from the tree")
            }
        }

        // Verification without a way to tell success.
        for step in runbook.allSteps where step.role == .verify && step.indicators.isEmpty && step.isRunnable {
            report(step.location, .warning, "verify step `\(step.id)` has no success indicator: add a list such as `- exit 0` after it")
        }

        lintSafety(runbook.allSteps, report)
        lintExamples(runbook.allSteps, report)

        // Variables: declared in the front matter, asked for as placeholders, or assigned by an earlier step.
        let declared = Set(runbook.variables.map(\.name)).union(ShellText.ambient)
        var assigned = Set<String>()
        for step in runbook.allSteps {
            let shell = ShellText(step.command)
            var reported = Set<String>()
            for name in shell.references
            where !declared.contains(name) && !assigned.contains(name) && !shell.assignments.contains(name)
                && reported.insert(name).inserted
            {
                report(
                    step.location, .warning,
                    "command uses `$\(name)`, which is neither declared under `variables:` nor assigned by an earlier step")
            }
            assigned.formUnion(shell.assignments)
        }

        return out.sorted { a, b in a.location != b.location ? a.location < b.location : a.severity > b.severity }
    }

    /// Checks that run headless (verify, diagnose, probe) must only read: a step the command table
    /// classes `changes`, or one that asks for confirmation, belongs in a Fix section. Vouched steps get a note.
    private func lintSafety(_ steps: [Step], _ report: (SourceLocation, Severity, String) -> Void) {
        for step in steps where step.isRunnable {
            let s = step.safety
            if let table = s.vouchedOver {
                let said = table == .readOnly ? "agrees it is read-only" : "says \(table.rawValue)"
                report(
                    step.location, .note,
                    "step `\(step.id)`: the table \(said): \(s.vouchedOverReason ?? ""); the author vouches it is read-only")
            }
            guard step.role == .verify || step.role == .diagnose || step.role == .probe else { continue }
            if s.safety == .changes {
                report(
                    step.location, .warning,
                    "\(step.role.rawValue) step `\(step.id)` changes something (\(s.reason)): move it to a Fix section, or add {readonly=true} if the table is wrong")
            } else if step.attributes.confirm == true {
                report(
                    step.location, .warning,
                    "\(step.role.rawValue) step `\(step.id)` has confirm=true: a step that must be confirmed belongs in a Fix section")
            }
        }
    }

    private static func suggestion(_ anchor: String, _ anchors: Set<String>) -> String {
        let close = anchors.filter { $0.hasPrefix(anchor) || anchor.hasPrefix($0) }.sorted().first
        return close.map { "; did you mean `#\($0)`?" } ?? ""
    }

    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let f = String(path[..<slash])
        return f.isEmpty ? "/" : f
    }

    /// `folder` + `relative`, with `.` and `..` resolved textually.
    static func join(_ folder: String, _ relative: String) -> String {
        var parts = folder == "." ? [] : folder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for p in relative.split(separator: "/") {
            if p == "." { continue }
            if p == "..", let last = parts.last, last != "..", !last.isEmpty {
                parts.removeLast()
            } else {
                parts.append(String(p))
            }
        }
        let joined = parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }
}
