import RunbookKit

/// Home: the runbooks with title, version, last update and an overdue-review flag; typing filters
/// them and searches every entry (``SearchIndex``): the entries found are listed under the runbooks,
/// each with the line that matched, and Enter opens one.
struct HomeScreen: Sendable, Hashable {
    /// Index into the rows (the runbooks that match, then the entries found).
    var selection = 0
    var top = 0
    /// The filter and search: the same ``SearchField`` as the step screen's and the walkthrough's.
    var field = SearchField()
    var filter: String {
        get { field.text }
        set { field.text = newValue }
    }
    /// Whether typed characters go to the filter (after `/`, or after a letter that is not a key).
    var isFiltering: Bool {
        get { field.isOpen }
        set { field.isOpen = newValue }
    }
    /// The entries the filter finds, best first.
    var hits: [SearchHit] = []

    /// A row of Home's list.
    enum Row: Sendable, Hashable {
        case runbook(Int)
        /// An entry found, by index into ``hits``.
        case entry(Int)
    }

    /// Queries shorter than this list no entries (one letter would match most of them).
    static let minimumSearch = 2
    /// Entries listed at most.
    static let hitLimit = 30

    func rows(_ library: RunbookLibrary) -> [Row] {
        matches(library).map(Row.runbook) + hits.indices.map(Row.entry)
    }

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
        let before = s.filter
        defer { if s.filter != before { searchEntries(&s) } }
        let list = s.rows(library)
        func clampSelection() { s.selection = max(0, min(s.selection, list.count - 1)) }
        if s.isFiltering || key == .character("/") {
            let action = s.field.handle(key)
            switch action {
            case .opened?, .edited?, .cancelled?, .cleared?:
                s.selection = 0
                return []
            case .next?:
                s.selection = min(max(0, list.count - 1), s.selection + 1)
                return []
            case .previous?:
                s.selection = max(0, s.selection - 1)
                return []
            case .done?:
                guard list.indices.contains(s.selection) else { return [] }
                return openRow(list[s.selection], s)
            case .ignored?, nil:
                // Paging moves through the results while typing; other keys do nothing.
                guard key == .pageUp || key == .pageDown else { return [] }
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
            return openRow(list[s.selection], s)
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

    /// Finds the entries the filter names (from two characters on; its last word may be unfinished).
    func searchEntries(_ s: inout HomeScreen) {
        s.hits = s.filter.filter({ $0 != " " }).count < HomeScreen.minimumSearch ? [] : searchIndex.search(s.filter, limit: HomeScreen.hitLimit, prefix: true)
    }

    mutating func openRow(_ row: HomeScreen.Row, _ s: HomeScreen) -> [AppEffect] {
        switch row {
        case .runbook(let index):
            return openRunbook(index)
        case .entry(let k):
            guard s.hits.indices.contains(k) else { return [] }
            return openHit(s.hits[k])
        }
    }

    /// Opens a search result: its runbook, then its entry, where `w` reads from the line that matched.
    mutating func openHit(_ hit: SearchHit) -> [AppEffect] {
        guard let index = library.runbooks.firstIndex(where: { $0.path == hit.file }) else { return [] }
        var effects = openRunbook(index)
        guard let id = hit.entry else { return effects }
        effects += open(.entry(id), in: index)
        if case .entry(var e) = top {
            e.readFrom = hit.line
            stack[stack.count - 1].screen = .entry(e)
            status = .info("matched line \(hit.line): w reads the entry from there")
        }
        return effects
    }

    func homeHints(_ s: HomeScreen) -> [KeyHint] {
        if s.isFiltering {
            return [KeyHint("⏎", "open"), KeyHint("↑↓", "move"), KeyHint("Esc", "clear filter"), KeyHint("⌫", "delete")]
        }
        return [KeyHint("↑↓/jk", "move"), KeyHint("⏎", "open"), KeyHint("type", "search"), KeyHint("?", "help"),
                KeyHint("q", "quit")]
    }

    func drawHome(_ s: HomeScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        let list = s.matches(library)
        let rows = s.rows(library)
        // The filter line.
        if s.isFiltering || !s.filter.isEmpty {
            var col = grid.put(" Filter: ", in: body, line: 0, style: theme.bold)
            col += grid.put(s.filter.safeLine, in: body, line: 0, indent: col)
            if s.isFiltering { grid.put("▏", in: body, line: 0, indent: col) }
            var count = "\(list.count) of \(library.runbooks.count)"
            if !s.hits.isEmpty { count += " · \(s.hits.count) entr\(s.hits.count == 1 ? "y" : "ies")" }
            grid.put(count, in: body, line: 0, indent: max(col + 2, body.width - DisplayWidth.of(count) - 1), style: theme.dim)
        } else {
            let n = library.runbooks.count
            let count = " \(n) runbook\(n == 1 ? "" : "s") · "
            let long = count + "type to filter, or paste an error to find its entry"
            let line = DisplayWidth.of(long) < body.width ? long : count + "type to search"
            grid.put(line, in: body, line: 0, style: theme.dim)
        }

        // Details of the selected runbook and the files that failed to load, at the bottom.
        var footer: [ListLine<Int>] = []
        var sel: Int?
        if rows.indices.contains(s.selection) {
            switch rows[s.selection] {
            case .runbook(let i): sel = i
            case .entry(let k): sel = library.runbooks.firstIndex { $0.path == s.hits[k].file }
            }
        }
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
        if list.isEmpty, s.hits.isEmpty {
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
        lines += entryLines(s, first: list.count, width: listArea.width, theme: theme)
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, listArea, theme: theme)
    }

    /// The entries found: each title with its runbook, and under it the line that matched (secrets
    /// masked), by its line number.
    func entryLines(_ s: HomeScreen, first: Int, width: Int, theme: Theme) -> [ListLine<Int>] {
        guard !s.hits.isEmpty else { return [] }
        var lines = [ListLine<Int>(""), ListLine(" Entries found", style: theme.dim)]
        for (k, hit) in s.hits.enumerated() {
            let index = library.runbooks.firstIndex { $0.path == hit.file }
            let title = DisplayWidth.clip(hit.title.safeLine, to: max(10, width * 3 / 5))
            lines.append(ListLine(parts: [
                .column(2), .text(title, theme.bold), .text("  " + hit.runbook.safeLine, theme.dim),
            ], target: first + k))
            let masked = index.map { masker(for: $0).mask(hit.match) } ?? hit.match
            let match = "\(hit.line): " + masked.safeLine
            lines.append(ListLine(DisplayWidth.clip("    " + match, to: max(0, width - 2)), style: theme.dim))
        }
        return lines
    }
}
