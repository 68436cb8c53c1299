import RunbookKit

/// An entry: its symptoms and cause, then its steps by role. When the fix offers options, they are
/// a choice: the steps of the chosen option are listed under it.
struct EntryScreen: Sendable, Hashable {
    var runbook: Int
    var entry: Int
    var selection = 0
    var top = 0
    var chosenOption: String?
    /// The file line `w` reads from: the line a search matched, else the entry's heading.
    var readFrom: Int?

    enum Row: Sendable, Hashable {
        case step(String)
        case option(String)
    }
}

extension AppState {
    func entryLines(_ s: EntryScreen, width: Int, height: Int, theme: Theme) -> [ListLine<EntryScreen.Row>] {
        typealias Line = ListLine<EntryScreen.Row>
        guard let rb = runbook(s.runbook), rb.entries.indices.contains(s.entry) else { return [] }
        let entry = rb.entries[s.entry]
        var lines: [Line] = []
        let cap = max(2, (height - 12) / 2)
        func section(_ title: String, _ text: String?) {
            guard let text, !text.isEmpty else { return }
            lines.append(Line(" " + title, style: theme.heading))
            var wrapped: [String] = []
            // The loader repeats the paragraphs of a list (each item's, then the list's); show each once.
            var seen = Set<Substring>()
            for paragraph in text.safeText.split(separator: "\n", omittingEmptySubsequences: true)
            where seen.insert(paragraph).inserted {
                wrapped += TextWrap.lines(String(paragraph), width: width - 3)
            }
            if wrapped.count > cap {
                wrapped = Array(wrapped.prefix(cap - 1)) + ["… (w reads the whole runbook)"]
            }
            lines += wrapped.map { Line("  " + $0) }
        }
        if entry.text(of: .symptoms) == nil { section("Summary", entry.text(of: .summary)) }
        section("Symptoms", entry.text(of: .symptoms))
        section("Cause", entry.text(of: .cause))

        func stepLine(_ step: Step, indent: Int) -> Line {
            let key = StepKey(runbook: s.runbook, step: step.id)
            var parts: [Line.Part] = [
                .text(String(repeating: " ", count: indent) + step.role.rawValue, step.role == .fix ? theme.warning : theme.dim),
                .column(indent + 10), .text((step.title.isEmpty ? step.id : step.title).safeLine, theme.plain),
            ]
            if let run = lastRun(key) {
                parts.append(.right(Label.outcome(run.outcome), theme.style(run.outcome)))
            } else if !step.isRunnable {
                parts.append(.right("shown only", theme.dim))
            } else if step.handsOverTerminal {
                parts.append(.right("interactive", theme.dim))
            }
            return Line(parts: parts, target: .step(step.id))
        }
        func group(_ title: String, _ steps: [Step]) {
            guard !steps.isEmpty else { return }
            lines.append(Line())
            lines.append(Line(" " + title, style: theme.heading))
            lines += steps.map { stepLine($0, indent: 2) }
        }
        group("Diagnosis", entry.steps.filter { $0.role == .diagnose })
        let fixes = entry.steps.filter { $0.role == .fix }
        let options = entry.fixOptions
        if options.isEmpty {
            group("Fix (each step asks before it runs)", fixes)
        } else {
            lines.append(Line())
            lines.append(Line(" Fix: choose one option", style: theme.heading))
            lines += fixes.filter { $0.option == nil }.map { stepLine($0, indent: 2) }
            for option in options {
                let chosen = s.chosenOption == option
                lines.append(Line(parts: [.text(chosen ? "  ● " : "  ○ ", theme.bold), .text(option.safeLine, chosen ? theme.bold : theme.plain)],
                                  target: .option(option)))
                if chosen { lines += fixes.filter { $0.option == option }.map { stepLine($0, indent: 6) } }
            }
        }
        group("Verify", entry.steps.filter { $0.role == .verify })
        group("Other steps", entry.steps.filter { $0.role != .diagnose && $0.role != .fix && $0.role != .verify })
        if entry.steps.isEmpty {
            lines.append(Line())
            lines.append(Line(" This entry has no steps to run.", style: theme.dim))
        }
        return lines
    }

    mutating func entryKey(_ key: Key, _ s: inout EntryScreen) -> [AppEffect]? {
        let theme = Theme(monochrome: options.monochrome)
        let lines = entryLines(s, width: size.columns, height: bodyHeight, theme: theme)
        let items = ListNavigation.items(lines)
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, items.count - 1), s.selection + 1)
        case .pageUp:
            s.top = max(0, s.top - bodyHeight / 2)
            s.selection = max(0, s.selection - 5)
        case .pageDown:
            s.selection = min(max(0, items.count - 1), s.selection + 5)
        case .home, .character("g"):
            s.selection = 0
            s.top = 0
        case .end, .character("G"):
            s.selection = max(0, items.count - 1)
        case .enter, .right, .character("l"), .character("r"):
            guard items.indices.contains(s.selection), let row = lines[items[s.selection]].target,
                let rb = runbook(s.runbook), rb.entries.indices.contains(s.entry)
            else { return [] }
            let entry = rb.entries[s.entry]
            switch row {
            case .option(let option):
                guard key != .character("r") else { return [] }
                s.chosenOption = option
                // Move to the option's first step.
                let after = entryLines(s, width: size.columns, height: bodyHeight, theme: theme)
                let afterItems = ListNavigation.items(after)
                if let i = afterItems.firstIndex(where: { after[$0].target == .option(option) }), i + 1 < afterItems.count,
                    case .step(let id)? = after[afterItems[i + 1]].target, entry.steps.first(where: { $0.id == id })?.option == option
                {
                    s.selection = i + 1
                }
                return [.journal(.decision(.init(kind: "option_chosen", detail: "\(entry.id): \(option)")), sync: false)]
            case .step(let id):
                guard let step = entry.steps.first(where: { $0.id == id }) else { return [] }
                return request(RunRequest(runbook: s.runbook, step: step, scope: entry.id, show: true))
            }
        case .character("w"):
            push(.walkthrough(WalkthroughScreen(runbook: s.runbook, startLine: s.readFrom ?? runbook(s.runbook)?.entries[s.entry].location.line)))
            return []
        default:
            return nil
        }
        if items.indices.contains(s.selection) {
            s.top = Scroll.keepVisible(top: s.top, line: items[s.selection], count: lines.count, height: bodyHeight - 1)
        }
        return []
    }

    func entryHints(_ s: EntryScreen) -> [KeyHint] {
        [KeyHint("↑↓", "move"), KeyHint("⏎", "run / choose"), KeyHint("w", "read in full"), KeyHint("v", "variables"),
         KeyHint("?", "help"), KeyHint("q", "back")]
    }

    func drawEntry(_ s: EntryScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        guard let rb = runbook(s.runbook), rb.entries.indices.contains(s.entry) else { return }
        grid.put(" " + rb.entries[s.entry].title.safeLine, in: body, line: 0, style: theme.bold)
        let area = body.splitTop(1).rest
        let lines = entryLines(s, width: body.width, height: body.height, theme: theme)
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, area, theme: theme)
    }
}
