import RunbookKit

/// Home: the runbooks with title, version, last update and an overdue-review flag; typing filters.
struct HomeScreen: Sendable, Hashable {
    /// Index into the filtered list.
    var selection = 0
    var top = 0
    var filter = ""
    /// Whether typed characters go to the filter (after `/`, or after a letter that is not a key).
    var isFiltering = false

    /// The runbooks that match the filter (title or id contains it, ignoring case), by library index.
    func matches(_ library: RunbookLibrary) -> [Int] {
        let f = filter.lowercased()
        return library.runbooks.indices.filter {
            f.isEmpty || library.runbooks[$0].title.lowercased().contains(f) || library.runbooks[$0].id.lowercased().contains(f)
        }
    }

    /// Keys that act on Home rather than start a filter.
    static let commandKeys: Set<Character> = ["j", "k", "q", "?", "/", " "]
}

extension AppState {
    mutating func homeKey(_ key: Key, _ s: inout HomeScreen) -> [AppEffect]? {
        let list = s.matches(library)
        func clampSelection() { s.selection = max(0, min(s.selection, list.count - 1)) }
        if s.isFiltering {
            switch key {
            case .character(let c) where !c.isNewline:
                s.filter.append(c)
                s.selection = 0
                return []
            case .backspace, .delete:
                if s.filter.isEmpty { s.isFiltering = false } else { s.filter.removeLast() }
                s.selection = 0
                return []
            case .escape:
                s.filter = ""
                s.isFiltering = false
                s.selection = 0
                return []
            case .enter:
                s.isFiltering = false
                guard list.indices.contains(s.selection) else { return [] }
                return openRunbook(list[s.selection])
            case .up, .down, .pageUp, .pageDown:
                break
            default:
                return []
            }
        }
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, list.count - 1), s.selection + 1)
        case .pageUp:
            s.selection = max(0, s.selection - max(1, bodyHeight - 6))
        case .pageDown:
            s.selection = min(max(0, list.count - 1), s.selection + max(1, bodyHeight - 6))
        case .home:
            s.selection = 0
        case .end:
            s.selection = max(0, list.count - 1)
        case .enter, .right:
            clampSelection()
            guard list.indices.contains(s.selection) else { return [] }
            return openRunbook(list[s.selection])
        case .character("/"):
            s.isFiltering = true
        case .escape:
            s.filter = ""
            s.selection = 0
        case .backspace where !s.filter.isEmpty:
            s.filter.removeLast()
            s.selection = 0
        case .character(let c) where !HomeScreen.commandKeys.contains(c) && (c.isLetter || c.isNumber || c == "-"):
            s.isFiltering = true
            s.filter.append(c)
            s.selection = 0
        default:
            return nil
        }
        return []
    }

    func homeHints(_ s: HomeScreen) -> [KeyHint] {
        if s.isFiltering {
            return [KeyHint("⏎", "open"), KeyHint("↑↓", "move"), KeyHint("Esc", "clear filter"), KeyHint("⌫", "delete")]
        }
        return [KeyHint("↑↓/jk", "move"), KeyHint("⏎", "open"), KeyHint("type", "filter"), KeyHint("?", "help"),
                KeyHint("q", "quit")]
    }

    func drawHome(_ s: HomeScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        let list = s.matches(library)
        // The filter line.
        if s.isFiltering || !s.filter.isEmpty {
            var col = grid.put(" Filter: ", in: body, line: 0, style: theme.bold)
            col += grid.put(s.filter.safeLine, in: body, line: 0, indent: col)
            if s.isFiltering { grid.put("▏", in: body, line: 0, indent: col) }
            let count = "\(list.count) of \(library.runbooks.count)"
            grid.put(count, in: body, line: 0, indent: max(col + 2, body.width - DisplayWidth.of(count) - 1), style: theme.dim)
        } else {
            let n = library.runbooks.count
            grid.put(" \(n) runbook\(n == 1 ? "" : "s") · type to filter", in: body, line: 0, style: theme.dim)
        }

        // Details of the selected runbook and the files that failed to load, at the bottom.
        var footer: [ListLine<Int>] = []
        let sel = list.indices.contains(s.selection) ? list[s.selection] : nil
        if let sel, let rb = runbook(sel) {
            if let d = rb.description {
                footer += TextWrap.lines(d.safeLine, width: body.width - 2).prefix(2).map { ListLine(" " + $0) }
            }
            var facts: [String] = [rb.path.safeLine]
            if let o = rb.owner { facts.append("owner \(o.safeLine)") }
            if let r = rb.reviewBy { facts.append("review by \(r)") }
            // Wrapped at the separators, so that no fact is cut at the edge.
            var line = ""
            for fact in facts {
                let next = line.isEmpty ? fact : line + " · " + fact
                if !line.isEmpty, DisplayWidth.of(next) > body.width - 2 {
                    footer.append(ListLine(" " + line, style: theme.dim))
                    line = fact
                } else {
                    line = next
                }
            }
            if !line.isEmpty { footer.append(ListLine(" " + DisplayWidth.clip(line, to: body.width - 2), style: theme.dim)) }
        }
        if !library.failures.isEmpty {
            let room = max(1, min(library.failures.count, body.height / 4))
            for f in library.failures.prefix(room) {
                footer.append(ListLine(" ✗ could not load: \(f.description.safeLine)", style: theme.fail))
            }
            if library.failures.count > room {
                footer.append(ListLine(" ✗ \(library.failures.count - room) more files could not load", style: theme.fail))
            }
        }
        let (listArea, footerArea) = body.splitTop(1).rest.splitBottom(min(footer.count + 1, max(0, body.height - 4)))
        for (i, l) in footer.enumerated() { l.draw(into: &grid, footerArea, line: i + 1, selected: false, theme: theme) }

        // The table.
        let versionW = 9, updatedW = 11, reviewW = 17
        let titleW = max(10, listArea.width - 3 - versionW - updatedW - reviewW)
        let c1 = 2, c2 = c1 + titleW + 1, c3 = c2 + versionW, c4 = c3 + updatedW
        var lines: [ListLine<Int>] = [
            ListLine(parts: [
                .column(c1), .text("Runbook", theme.dim), .column(c2), .text("Version", theme.dim), .column(c3),
                .text("Updated", theme.dim), .column(c4), .text("Review", theme.dim),
            ])
        ]
        if list.isEmpty {
            lines.append(ListLine(library.runbooks.isEmpty ? "  no runbooks found" : "  no runbook matches the filter", style: theme.dim))
        }
        for (i, index) in list.enumerated() {
            let rb = library.runbooks[index]
            let overdue = rb.isOverdue(today: options.today)
            var parts: [ListLine<Int>.Part] = [
                .column(c1), .text(DisplayWidth.clip(rb.title.safeLine, to: titleW), theme.bold),
                .column(c2), .text(rb.version.map { "v\($0)" } ?? "—", theme.plain),
                .column(c3), .text(rb.updated?.description ?? "—", theme.plain),
            ]
            if overdue { parts += [.column(c4), .text("⚠ review overdue", theme.warning)] }
            lines.append(ListLine(parts: parts, target: i))
        }
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, listArea, theme: theme)
    }
}
