import RunbookKit

/// Help (`?`): every key, the keys of the screen it was opened from first. The same table is in
/// `docs/keys.md`.
struct HelpScreen: Sendable, Hashable {
    /// The kind of screen help was opened from.
    var topic: String
    var top = 0

    struct Section: Sendable, Hashable {
        var topic: String
        var title: String
        var keys: [KeyHint]
    }

    static let sections: [Section] = [
        Section(topic: "everywhere", title: "Everywhere", keys: [
            KeyHint("↑ ↓  j k", "move"),
            KeyHint("PgUp PgDn  g G", "page, top, bottom"),
            KeyHint("Enter  → l", "open, choose, or run"),
            KeyHint("q  Esc  ← h", "back; q on Home quits (asks first while a step runs)"),
            KeyHint("Ctrl-C", "cancel the running step (not the program)"),
            KeyHint("v", "variables of the runbook"),
            KeyHint("?  F1", "this help"),
        ]),
        Section(topic: "home", title: "Home", keys: [
            KeyHint("type", "filter by title or id, and search every entry (start with / for j, k or q)"),
            KeyHint("Enter", "open the runbook or the entry found"),
            KeyHint("Backspace", "delete from the filter"),
            KeyHint("Esc", "clear the filter"),
        ]),
        Section(topic: "runbook", title: "Runbook", keys: [
            KeyHint("t", "triage: walk the decision tree"),
            KeyHint("w", "walkthrough: read it top to bottom"),
        ]),
        Section(topic: "triage", title: "Triage", keys: [
            KeyHint("p", "run the question's probe: it suggests an answer"),
            KeyHint("Enter", "follow the highlighted answer (suggested or not)"),
            KeyHint("← h Backspace", "back up one question"),
            KeyHint("o", "the probe's full output"),
        ]),
        Section(topic: "entry", title: "Entry", keys: [
            KeyHint("Enter", "run a step (a fix asks first) or choose a fix option"),
            KeyHint("w", "read the entry in the walkthrough"),
        ]),
        Section(topic: "step", title: "Step", keys: [
            KeyHint("r", "run it again"),
            KeyHint("y / n", "answer the manual indicator marked ▸"),
            KeyHint("Tab  Shift-Tab", "mark another open manual indicator"),
            KeyHint("/", "search the output; ↓↑ while typing, then n and N; Esc ends it"),
            KeyHint("G  End", "follow new output"),
        ]),
        Section(topic: "checklist", title: "Checklist", keys: [
            KeyHint("a", "run every item that has a command, one after another"),
            KeyHint("space", "tick or untick an item without a command"),
            KeyHint("Enter", "run an item (or show its last run)"),
            KeyHint("r", "run the item again"),
            KeyHint("o", "the item's output"),
            KeyHint("y / n", "answer the item's manual indicator"),
        ]),
        Section(topic: "walkthrough", title: "Walkthrough", keys: [
            KeyHint("Tab  ]", "next block"),
            KeyHint("Shift-Tab  [", "previous block"),
            KeyHint("Enter", "run the selected block"),
            KeyHint("space", "page down"),
            KeyHint("/", "search the text; ↓↑ while typing, Enter ends typing, Esc cancels"),
            KeyHint("n  N", "next and previous match; Esc ends the search"),
        ]),
        Section(topic: "variables", title: "Variables", keys: [
            KeyHint("Enter  e", "edit the value (secrets start empty and show as •)"),
            KeyHint("Enter", "while editing: set it"),
            KeyHint("Esc", "while editing: leave it as it was"),
            KeyHint("Ctrl-U", "while editing: clear"),
        ]),
        Section(topic: "confirm", title: "Confirmations", keys: [
            KeyHint("y", "run the command shown, exactly as shown"),
            KeyHint("n  Esc", "do not run it"),
        ]),
    ]

    /// The sections, the one for `topic` first.
    var ordered: [Section] {
        let mine = Self.sections.filter { $0.topic == topic }
        return mine + Self.sections.filter { $0.topic != topic }
    }
}

extension AppState {
    func helpLines(_ s: HelpScreen, theme: Theme) -> [ListLine<Int>] {
        var lines: [ListLine<Int>] = []
        let keyWidth = 18
        for section in s.ordered {
            lines.append(ListLine(" " + section.title, style: theme.heading))
            for k in section.keys {
                lines.append(ListLine(parts: [.text("   " + k.key, theme.keyName), .column(keyWidth + 3), .text(k.action, theme.plain)]))
            }
            lines.append(ListLine())
        }
        lines.append(ListLine(" Verdicts: ✓ pass  ✗ fail  … pending  ? answer y/n", style: theme.dim))
        lines.append(ListLine(" Output: long lines wrap, each continuation marked ↪; ! marks standard error.", style: theme.dim))
        lines.append(ListLine(" Nothing runs without a keypress; fixes show the exact command and ask first.", style: theme.dim))
        return lines
    }

    mutating func helpKey(_ key: Key, _ s: inout HelpScreen) -> [AppEffect]? {
        let count = helpLines(s, theme: Theme(monochrome: true)).count
        let height = bodyHeight
        switch key {
        case .up, .character("k"): s.top -= 1
        case .down, .character("j"): s.top += 1
        case .pageUp: s.top -= max(1, height - 2)
        case .pageDown, .character(" "): s.top += max(1, height - 2)
        case .home, .character("g"): s.top = 0
        case .end, .character("G"): s.top = count
        case .character("?"):
            stack.removeLast()
            return []
        default: return nil
        }
        s.top = Scroll.clamp(s.top, count: count, height: height)
        return []
    }

    func helpHints(_ s: HelpScreen) -> [KeyHint] {
        [KeyHint("↑↓", "scroll"), KeyHint("q", "close help")]
    }

    func drawHelp(_ s: HelpScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        let lines = helpLines(s, theme: theme)
        let top = Scroll.clamp(s.top, count: lines.count, height: body.height)
        for i in 0..<body.height where top + i < lines.count {
            lines[top + i].draw(into: &grid, body, line: i, selected: false, theme: theme)
        }
        ListNavigation.drawScrollMarks(into: &grid, body, first: top, count: lines.count, theme: theme)
    }
}
