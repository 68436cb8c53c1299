import RunbookKit

/// Triage: the current question of the decision tree, its answers, and the path so far. `p` runs
/// the question's probe, which suggests an answer (highlighted, with the output line that matched);
/// any answer can be chosen by hand.
struct TriageScreen: Sendable, Hashable {
    var runbook: Int
    /// The way down from the tree's top: the index of each chosen node among its siblings. Empty at
    /// the top, where the answers are the tree's first-level items.
    var path: [Int] = []
    /// Index of the highlighted answer.
    var selection = 0

    /// The nodes along the path.
    func nodes(in rb: Runbook?) -> [TreeNode] {
        guard let tree = rb?.decisionTree else { return [] }
        var out: [TreeNode] = []
        var level = tree.roots
        for i in path {
            guard level.indices.contains(i) else { break }
            out.append(level[i])
            level = level[i].children
        }
        return out
    }

    /// The current question; nil at the top of the tree.
    func node(in rb: Runbook?) -> TreeNode? { nodes(in: rb).last }

    /// The answers to the current question.
    func answers(in rb: Runbook?) -> [TreeNode] {
        if path.isEmpty { return rb?.decisionTree?.roots ?? [] }
        return node(in: rb)?.children ?? []
    }
}

extension AppState {
    /// Opens triage at the first question that has a probe (as `runbook check --triage` starts).
    mutating func openTriage(_ runbook: Int) -> [AppEffect] {
        guard let rb = self.runbook(runbook), let tree = rb.decisionTree else {
            status = .info("this runbook has no decision tree")
            return []
        }
        var s = TriageScreen(runbook: runbook)
        var effects: [AppEffect] = []
        if let i = tree.roots.firstIndex(where: { $0.probe != nil }) ?? (tree.roots.count == 1 ? 0 : nil) {
            s.path = [i]
            effects.append(.journal(.decision(.init(kind: "branch_chosen", detail: tree.roots[i].label)), sync: false))
            if let suggestion = probeSuggestion(s) { s.selection = suggestion.branch }
        }
        push(.triage(s))
        return effects
    }

    /// The finished or running probe run of the current question, and what it suggests.
    func probeRun(_ s: TriageScreen) -> StepRun? {
        guard let probe = s.node(in: runbook(s.runbook))?.probe else { return nil }
        return lastRun(StepKey(runbook: s.runbook, step: probe.id))
    }

    func probeSuggestion(_ s: TriageScreen) -> (branch: Int, line: String)? { probeRun(s)?.suggestion }

    mutating func triageKey(_ key: Key, _ s: inout TriageScreen) -> [AppEffect]? {
        let rb = runbook(s.runbook)
        let answers = s.answers(in: rb)
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, answers.count - 1), s.selection + 1)
        case .home, .character("g"):
            s.selection = 0
        case .end, .character("G"):
            s.selection = max(0, answers.count - 1)
        case .enter, .right, .character("l"):
            if answers.isEmpty, let node = s.node(in: rb) {
                if let target = node.target { return reach(target, from: s.runbook, label: node.label) }
                status = .info("this answer leads to no entry")
                return []
            }
            guard answers.indices.contains(s.selection) else { return [] }
            return follow(s.selection, &s)
        case .character("p"):
            guard let node = s.node(in: rb), let probe = node.probe else {
                status = .info("this question has no probe: choose an answer by hand")
                return []
            }
            return request(RunRequest(runbook: s.runbook, step: probe, scope: "tree", show: false))
        case .character("o"):
            guard let probe = s.node(in: rb)?.probe else { return [] }
            showStep(StepKey(runbook: s.runbook, step: probe.id))
        case .left, .character("h"), .backspace:
            guard !s.path.isEmpty else { return nil }
            s.path.removeLast()
            // Step back over questions that were passed through on the way (one answer, no probe).
            while let node = s.node(in: rb), node.probe == nil, node.children.count == 1, s.path.count > 1 {
                s.path.removeLast()
            }
            s.selection = probeSuggestion(s)?.branch ?? 0
        default:
            return nil
        }
        return []
    }

    /// Follows answer `index` of the current question: records the choice, passes through questions
    /// with a single answer and no probe, and opens the entry a leaf leads to.
    mutating func follow(_ index: Int, _ s: inout TriageScreen) -> [AppEffect] {
        let rb = runbook(s.runbook)
        let answers = s.answers(in: rb)
        guard answers.indices.contains(index) else { return [] }
        var effects: [AppEffect] = [.journal(.decision(.init(kind: "branch_chosen", detail: answers[index].label)), sync: false)]
        s.path.append(index)
        var node = answers[index]
        while node.target == nil, node.probe == nil, node.children.count == 1 {
            node = node.children[0]
            s.path.append(0)
            effects.append(.journal(.decision(.init(kind: "branch_chosen", detail: node.label)), sync: false))
        }
        s.selection = probeSuggestion(s)?.branch ?? 0
        if let target = node.target {
            effects += reach(target, from: s.runbook, label: node.label)
        } else if node.children.isEmpty {
            status = .info("this answer leads to no entry")
        }
        return effects
    }

    /// Opens where a tree leaf leads: an entry or checklist of this runbook or another one loaded.
    mutating func reach(_ target: LinkTarget, from runbookIndex: Int, label: String) -> [AppEffect] {
        var index = runbookIndex
        var effects: [AppEffect] = []
        if let file = target.file {
            let name = file.split(separator: "/").last.map(String.init) ?? file
            guard let other = library.runbooks.firstIndex(where: { ($0.path.split(separator: "/").last.map(String.init) ?? $0.path) == name })
            else {
                status = .warning("\(file.safeLine) is not loaded: open it with `runbook \(file.safeLine)`")
                return []
            }
            index = other
        }
        guard let rb = runbook(index) else { return [] }
        let detail: String
        let checklist = target.anchor.flatMap { a in rb.checklists.firstIndex { $0.id == a } }
        if let anchor = target.anchor, let e = rb.entries.firstIndex(where: { $0.id == anchor || $0.anchor == anchor }),
            checklist == nil || !rb.entries[e].steps.isEmpty
        {
            detail = target.file == nil ? rb.entries[e].id : target.description
            effects.append(.journal(.decision(.init(kind: "entry_reached", detail: detail)), sync: false))
            if index != runbookIndex { effects += startSession(index, rb) }
            push(.entry(EntryScreen(runbook: index, entry: e)))
        } else if let c = checklist {
            effects.append(.journal(.decision(.init(kind: "entry_reached", detail: target.description)), sync: false))
            if index != runbookIndex { effects += startSession(index, rb) }
            push(.checklist(ChecklistScreen(runbook: index, checklist: c)))
        } else if target.anchor == nil, index != runbookIndex {
            effects.append(.journal(.decision(.init(kind: "entry_reached", detail: target.description)), sync: false))
            effects += startSession(index, rb)
            push(.runbook(RunbookScreen(runbook: index)))
        } else if let anchor = target.anchor, let place = try? RunbookResolver(runbooks: [], searchPath: []).target(rb, anchor: anchor).place,
            case .heading(let line) = place
        {
            // A tree read from `If …` headings leads to a heading inside an entry: read on from there.
            effects.append(.journal(.decision(.init(kind: "entry_reached", detail: target.description)), sync: false))
            if index != runbookIndex { effects += startSession(index, rb) }
            push(.walkthrough(WalkthroughScreen(runbook: index, startLine: line)))
        } else {
            status = .warning("\(target.description.safeLine) names no entry or checklist")
        }
        return effects
    }

    func triageHints(_ s: TriageScreen) -> [KeyHint] {
        var hints = [KeyHint("↑↓", "move"), KeyHint("⏎", "choose")]
        let node = s.node(in: runbook(s.runbook))
        if node?.probe != nil {
            hints.append(KeyHint("p", "run probe"))
            if probeRun(s)?.isRunning == true { hints.append(KeyHint("^C", "cancel")) }
            if probeRun(s) != nil { hints.append(KeyHint("o", "output")) }
        }
        if !s.path.isEmpty { hints.append(KeyHint("←", "back up")) }
        hints += [KeyHint("?", "help"), KeyHint("q", "leave")]
        return hints
    }

    func drawTriage(_ s: TriageScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        let rb = runbook(s.runbook)
        guard let tree = rb?.decisionTree else { return }
        let nodes = s.nodes(in: rb)
        var line = 0
        // Breadcrumb: the path so far, the start cut off first when it is too long.
        var crumbs = [tree.title.safeLine] + nodes.dropLast().map(Self.crumb)
        var crumb = "Path: " + crumbs.joined(separator: " › ")
        while DisplayWidth.of(crumb) > body.width - 2, crumbs.count > 2 {
            if crumbs[0] == "…" { crumbs.remove(at: 1) } else { crumbs[0] = "…" }
            crumb = "Path: " + crumbs.joined(separator: " › ")
        }
        grid.put(" " + DisplayWidth.clip(crumb, to: body.width - 2), in: body, line: line, style: theme.dim)
        line += 2

        let question = nodes.last?.label.safeLine ?? "Where do you start?"
        for l in TextWrap.lines(question, width: body.width - 2).prefix(2) {
            grid.put(" " + l, in: body, line: line, style: theme.bold)
            line += 1
        }
        let run = probeRun(s)
        if let probe = nodes.last?.probe {
            var parts: [ListLine<Int>.Part] = [.text(" probe ", theme.dim), .text(probe.id.safeLine, theme.code)]
            if let run {
                parts.append(.text("  " + Label.outcome(run.outcome), theme.style(run.outcome)))
                if let ms = run.elapsedMs(now: nowMs) { parts.append(.text(" · " + Label.duration(ms), theme.dim)) }
                if let end = run.end { parts.append(.text(" · " + end.description.safeLine, theme.dim)) }
                if let hint = Label.endHint(run.end, short: true) { parts.append(.text(" · " + hint, theme.warning)) }
            } else {
                parts.append(.text("  p runs it and suggests an answer", theme.dim))
            }
            ListLine<Int>(parts: parts).draw(into: &grid, body, line: line, selected: false, theme: theme)
            line += 1
        }
        line += 1

        // The answers, with the suggested one marked and the line that suggested it.
        let answers = s.answers(in: rb)
        let suggestion = run?.suggestion
        var lines: [ListLine<Int>] = []
        for (i, a) in answers.enumerated() {
            let suggested = suggestion?.branch == i
            let room = body.width - 4 - (suggested ? 13 : 0)
            let wrapped = TextWrap.lines(a.label.safeLine, width: max(10, room))
            var parts: [ListLine<Int>.Part] = [.text("  " + (wrapped.first ?? ""), theme.plain)]
            if suggested { parts.append(.right("◆ suggested", theme.pass)) }
            lines.append(ListLine(parts: parts, target: i))
            if wrapped.count > 1 {
                let rest = wrapped.dropFirst().joined(separator: " ")
                lines.append(ListLine("    " + DisplayWidth.clip(rest, to: max(4, body.width - 5)), style: theme.plain))
            }
            if suggestion?.branch == i, let matched = suggestion?.line {
                let shown = Self.excerpt(String(matched.safeLine.drop { $0 == " " }), around: a.patterns,
                                         width: max(10, body.width - 16))
                lines.append(ListLine(parts: [.text("      matched: ", theme.dim), .text(shown, theme.match)]))
            }
        }
        if answers.isEmpty {
            if let t = nodes.last?.target {
                lines.append(ListLine("  This answer leads to \(t.description.safeLine): ⏎ opens it", style: theme.plain))
            } else {
                lines.append(ListLine("  No answers here: ← goes back up", style: theme.dim))
            }
        }
        let rest = Rect(row: body.row + line, column: body.column, width: body.width, height: body.height - line)
        // The probe's latest output below the answers, when there is room.
        let outputRows = run == nil ? 0 : min(8, max(0, rest.height - lines.count - 1))
        let (listArea, outputArea) = rest.splitBottom(outputRows >= 3 ? outputRows : 0)
        ListNavigation.draw(lines, selection: s.selection, top: 0, into: &grid, listArea, theme: theme)
        if let run, outputArea.height >= 3 {
            grid.box(outputArea, title: "probe output (\(Label.count(run.output.totalLineCount, "line"))) · o shows all", style: theme.dim)
            drawOutput(run, into: &grid, outputArea.inner, top: nil, search: "", theme: theme)
        }
    }

    /// `line` in at most `width` columns, keeping the first of `patterns` it contains in view: a long
    /// log line is cut at its start (`…`) rather than past the words that matched.
    static func excerpt(_ line: String, around patterns: [String], width: Int) -> String {
        guard DisplayWidth.of(line) > width else { return line }
        guard let pattern = patterns.first(where: { line.contains($0) }), let range = line.range(of: pattern) else {
            return DisplayWidth.clip(line, to: width)
        }
        let before = DisplayWidth.of(String(line[..<range.lowerBound]))
        let matchWidth = DisplayWidth.of(pattern)
        guard before + matchWidth > width - 1 else { return DisplayWidth.clip(line, to: width) }
        // Start where the text up to the match's end fills three quarters of the room, after `…`.
        let room = max(matchWidth + 2, width * 3 / 4) - 1
        var start = range.upperBound
        var used = 0
        while start > line.startIndex {
            let previous = line.index(before: start)
            let w = DisplayWidth.of(line[previous])
            if used + w > room { break }
            used += w
            start = previous
        }
        return DisplayWidth.clip("…" + line[start...], to: width)
    }

    /// A node made short for a breadcrumb: its patterns when it has some, else its label.
    static func crumb(_ node: TreeNode) -> String {
        let text = node.patterns.isEmpty ? node.label : node.patterns.joined(separator: " or ")
        return DisplayWidth.clip(text.safeLine, to: 36)
    }
}
