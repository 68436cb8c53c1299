import RunbookKit

/// A runbook: where to start (triage, walkthrough, variables), its entries and its checklists.
struct RunbookScreen: Sendable, Hashable {
    var runbook: Int
    var selection = 0
    var top = 0

    enum Row: Sendable, Hashable {
        case triage, walkthrough, variables
        case entry(Int)
        case checklist(Int)
    }
}

extension AppState {
    func runbookLines(_ s: RunbookScreen, width: Int, theme: Theme) -> [ListLine<RunbookScreen.Row>] {
        guard let rb = runbook(s.runbook) else { return [] }
        typealias Line = ListLine<RunbookScreen.Row>
        var lines: [Line] = []
        var facts: [Line.Part] = []
        facts.append(.text(" " + (rb.version.map { "v\($0)" } ?? "no version"), theme.plain))
        if let u = rb.updated { facts.append(.text(" · updated \(u)", theme.plain)) }
        if let r = rb.reviewBy { facts.append(.text(" · review by \(r)", theme.plain)) }
        if rb.isOverdue(today: options.today) { facts.append(.text(" ⚠ review overdue", theme.warning)) }
        lines.append(Line(parts: facts))
        lines.append(Line(" " + ([rb.owner.map { "owner \($0.safeLine)" }, rb.path.safeLine].compactMap { $0 }.joined(separator: " · ")), style: theme.dim))
        if let d = rb.description {
            lines += TextWrap.lines(d.safeLine, width: width - 2).prefix(3).map { Line(" " + $0, style: theme.dim) }
        }
        lines.append(Line())
        lines.append(Line(" Start", style: theme.heading))
        if let tree = rb.decisionTree {
            lines.append(Line(parts: [.text("  ▸ Triage", theme.bold), .text(": walk the \(tree.title.safeLine.lowercased()) from what you see", theme.plain)], target: .triage))
        }
        lines.append(Line(parts: [.text("  ▸ Walkthrough", theme.bold), .text(": read it top to bottom, run any block", theme.plain)], target: .walkthrough))
        lines.append(Line(parts: [.text("  ▸ Variables", theme.bold), .text(" (\(rb.variables.count)): values, secrets masked", theme.plain)], target: .variables))
        // An entry that is only the heading of a checklist is listed as the checklist.
        let entries = rb.entries.enumerated().filter { _, e in !(e.steps.isEmpty && rb.checklists.contains { $0.id == e.id }) }
        if !entries.isEmpty {
            lines.append(Line())
            lines.append(Line(" Entries (\(entries.count))", style: theme.heading))
            for (i, e) in entries {
                var parts: [Line.Part] = [.text("  " + e.title.safeLine, theme.plain)]
                let n = e.steps.count
                if n > 0 { parts.append(.right("\(n) step\(n == 1 ? "" : "s")", theme.dim)) }
                lines.append(Line(parts: parts, target: .entry(i)))
            }
        }
        if !rb.checklists.isEmpty {
            lines.append(Line())
            lines.append(Line(" Checklists (\(rb.checklists.count))", style: theme.heading))
            for (i, c) in rb.checklists.enumerated() {
                let summary = checklistSummary(ChecklistKey(runbook: s.runbook, checklist: i))
                lines.append(Line(parts: [.text("  " + c.title.safeLine, theme.plain), .right(summary.short, theme.dim)], target: .checklist(i)))
            }
        }
        return lines
    }

    mutating func runbookKey(_ key: Key, _ s: inout RunbookScreen) -> [AppEffect]? {
        let theme = Theme(monochrome: options.monochrome)
        let lines = runbookLines(s, width: size.columns, theme: theme)
        let items = ListNavigation.items(lines)
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, items.count - 1), s.selection + 1)
        case .pageUp:
            s.selection = max(0, s.selection - max(1, bodyHeight / 2))
        case .pageDown:
            s.selection = min(max(0, items.count - 1), s.selection + max(1, bodyHeight / 2))
        case .home, .character("g"):
            s.selection = 0
        case .end, .character("G"):
            s.selection = max(0, items.count - 1)
        case .enter, .right, .character("l"):
            guard items.indices.contains(s.selection), let row = lines[items[s.selection]].target else { return [] }
            return open(row, in: s.runbook)
        case .character("t"):
            return open(.triage, in: s.runbook)
        case .character("w"):
            return open(.walkthrough, in: s.runbook)
        default:
            return nil
        }
        if items.indices.contains(s.selection) {
            s.top = Scroll.keepVisible(top: s.top, line: items[s.selection], count: lines.count, height: bodyHeight)
        }
        return []
    }

    mutating func open(_ row: RunbookScreen.Row, in runbook: Int) -> [AppEffect] {
        switch row {
        case .triage:
            return openTriage(runbook)
        case .walkthrough:
            push(.walkthrough(WalkthroughScreen(runbook: runbook)))
        case .variables:
            push(.variables(VariablesScreen(runbook: runbook)))
        case .entry(let i):
            push(.entry(EntryScreen(runbook: runbook, entry: i)))
        case .checklist(let i):
            push(.checklist(ChecklistScreen(runbook: runbook, checklist: i)))
        }
        return []
    }

    func runbookHints(_ s: RunbookScreen) -> [KeyHint] {
        let triage = runbook(s.runbook)?.decisionTree == nil ? [] : [KeyHint("t", "triage")]
        return [KeyHint("↑↓", "move"), KeyHint("⏎", "open")] + triage
            + [KeyHint("w", "walkthrough"), KeyHint("v", "variables"), KeyHint("?", "help"), KeyHint("q", "back")]
    }

    func drawRunbook(_ s: RunbookScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        guard let rb = runbook(s.runbook) else { return }
        grid.put(" " + rb.title.safeLine, in: body, line: 0, style: theme.bold)
        let lines = runbookLines(s, width: body.width, theme: theme)
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, body.splitTop(1).rest, theme: theme)
    }
}
