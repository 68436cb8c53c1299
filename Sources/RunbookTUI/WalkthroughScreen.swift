import RunbookKit

/// Walkthrough: the runbook read top to bottom as it is written, every shell block runnable. Tab
/// moves to the next block, Enter runs the selected one (asking first where the step says so).
struct WalkthroughScreen: Sendable {
    var runbook: Int
    /// The first line shown; nil until placed (at `startLine`, or the top).
    var top: Int?
    /// The selected step, by index into the runbook's steps in document order.
    var selected: Int?
    /// The file line to open at (an entry's heading).
    var startLine: Int?
    /// The runbook laid out for the last width (laying out a long runbook on every frame is slow).
    var layout: (width: Int, lines: [DocLine])?
    /// `/`: the text searched for (ignoring case), while typing and after.
    var field = SearchField()
    var search: String {
        get { field.text }
        set { field.text = newValue }
    }
    var isSearching: Bool { field.isOpen }
    /// The laid-out line of the current match.
    var match: Int?
    /// Where the screen was when `/` was pressed: Esc goes back there.
    var searchOrigin: Int?

    init(runbook: Int, startLine: Int? = nil) {
        self.runbook = runbook
        self.startLine = startLine
    }
}

extension AppState {
    func walkthroughSteps(_ runbook: Int) -> [Step] { self.runbook(runbook)?.allSteps ?? [] }

    func walkthroughLines(_ s: WalkthroughScreen, width: Int) -> [DocLine] {
        if let layout = s.layout, layout.width == width { return layout.lines }
        guard let rb = runbook(s.runbook) else { return [] }
        return MarkdownRenderer(width: width - 2, steps: rb.allSteps).lines(rb.document)
    }

    /// Lays the walkthrough screens out again for the current width. The place read and the search
    /// match stay on the same text: lines are found again by the file line they come from.
    mutating func layOutWalkthroughs() {
        for i in stack.indices {
            guard case .walkthrough(var w) = stack[i].screen, w.layout?.width != size.columns else { continue }
            let old = w.layout?.lines
            let lines = walkthroughLines(w, width: size.columns)
            w.layout = (size.columns, lines)
            if let old {
                func moved(_ index: Int?) -> Int? {
                    guard let index, old.indices.contains(index) else { return index }
                    let source = old[index].source
                    return lines.firstIndex { $0.source >= source }
                }
                w.top = moved(w.top)
                w.searchOrigin = moved(w.searchOrigin)
                if let m = w.match, let from = moved(m) {
                    w.match = Self.firstMatch(lines, w.search, from: from) ?? Self.firstMatch(lines, w.search, from: 0)
                    if let top = w.top, let match = w.match, match < top || match >= top + bodyHeight - 2 {
                        w.top = max(0, match - bodyHeight / 3)
                    }
                }
            }
            stack[i].screen = .walkthrough(w)
        }
    }

    /// Where the screen starts: the stored position, else the start line's block, else the top.
    func walkthroughTop(_ s: WalkthroughScreen, _ lines: [DocLine], height: Int) -> Int {
        if let top = s.top { return Scroll.clamp(top, count: lines.count, height: height) }
        if let start = s.startLine {
            // The line's own block (a code block's or a paragraph's lines all come from its first line).
            let block = lines.contains { $0.source == start } ? start : lines.last { $0.source < start }?.source
            if let i = lines.firstIndex(where: { $0.source == block }) ?? lines.firstIndex(where: { $0.source >= start }) {
                return Scroll.clamp(i, count: lines.count, height: height)
            }
        }
        return 0
    }

    /// The selected step if it is on screen, else the first step on screen.
    func visibleStep(_ s: WalkthroughScreen, _ lines: [DocLine], top: Int, height: Int) -> Int? {
        let shown = lines[min(top, lines.count)..<min(lines.count, top + height)]
        if let sel = s.selected, shown.contains(where: { $0.step == sel }) { return sel }
        return shown.first(where: { $0.kind == .stepHeader })?.step
    }

    mutating func walkthroughKey(_ key: Key, _ s: inout WalkthroughScreen) -> [AppEffect]? {
        let lines = walkthroughLines(s, width: size.columns)
        s.layout = (size.columns, lines)
        let height = max(1, bodyHeight - 1)
        var top = walkthroughTop(s, lines, height: height)
        /// Puts line `m` in view, a third of the way down, unless it is already well inside.
        func show(_ m: Int) {
            if m < top + 1 || m >= top + height - 1 { top = m - height / 3 }
        }
        if let action = s.field.handle(key) {
            let from = s.searchOrigin ?? top
            switch action {
            case .opened:
                s.match = nil
                s.searchOrigin = top
            case .edited:
                s.match = s.search.isEmpty ? nil : Self.firstMatch(lines, s.search, from: from) ?? Self.firstMatch(lines, s.search, from: 0)
                if let m = s.match { show(m) } else if s.search.isEmpty, let o = s.searchOrigin { top = o }
            case .done:
                if s.match == nil, !s.search.isEmpty { status = .info("no line contains “\(s.search.safeLine)”") }
            case .cancelled:
                s.match = nil
                if let o = s.searchOrigin { top = o }
            case .cleared:
                s.match = nil
            case .next, .previous:
                guard !s.search.isEmpty else { return [] }
                let forward = action == .next
                let start = s.match ?? (forward ? top - 1 : top + height)
                let next = forward ? Self.firstMatch(lines, s.search, from: start + 1) : Self.lastMatch(lines, s.search, before: start)
                guard let next else {
                    status = .info(forward ? "no more matches below" : "no more matches above")
                    return []
                }
                s.match = next
                show(next)
            case .ignored:
                return []
            }
            s.top = Scroll.clamp(top, count: lines.count, height: height)
            return []
        }
        switch key {
        case .up, .character("k"): top -= 1
        case .down, .character("j"): top += 1
        case .pageUp: top -= max(1, height - 2)
        case .pageDown, .character(" "): top += max(1, height - 2)
        case .home, .character("g"): top = 0
        case .end, .character("G"): top = lines.count
        case .tab, .character("]"), .backTab, .character("["):
            let forward = key == .tab || key == .character("]")
            let headers = lines.indices.filter { lines[$0].kind == .stepHeader }
            let current = visibleStep(s, lines, top: top, height: height)
            let currentLine = current.flatMap { c in headers.first { lines[$0].step == c } }
            let next: Int?
            if forward {
                next = headers.first { $0 > (currentLine ?? top - 1) }
            } else {
                next = headers.last { $0 < (currentLine ?? top + height) }
            }
            guard let n = next else {
                status = .info(forward ? "no more blocks below" : "no more blocks above")
                return []
            }
            s.selected = lines[n].step
            if n < top + 1 || n >= top + height - 3 { top = n - 2 }
        case .enter, .character("r"):
            let steps = walkthroughSteps(s.runbook)
            guard let i = visibleStep(s, lines, top: top, height: height), steps.indices.contains(i) else {
                status = .info("no block on screen: Tab jumps to the next one")
                return []
            }
            s.selected = i
            s.top = top
            let step = steps[i]
            return request(RunRequest(runbook: s.runbook, step: step, scope: scope(of: step, in: s.runbook), show: true))
        default:
            return nil
        }
        s.top = Scroll.clamp(top, count: lines.count, height: height)
        s.selected = visibleStep(s, lines, top: s.top ?? 0, height: height)
        return []
    }

    /// The first laid-out line at or after `from` that contains `query`, ignoring case.
    static func firstMatch(_ lines: [DocLine], _ query: String, from: Int) -> Int? {
        guard !query.isEmpty else { return nil }
        let q = query.lowercased()
        var i = max(0, from)
        while i < lines.count {
            if lines[i].text.lowercased().contains(q) { return i }
            i += 1
        }
        return nil
    }

    /// The last laid-out line before `before` that contains `query`, ignoring case.
    static func lastMatch(_ lines: [DocLine], _ query: String, before: Int) -> Int? {
        guard !query.isEmpty else { return nil }
        let q = query.lowercased()
        var i = min(before, lines.count) - 1
        while i >= 0 {
            if lines[i].text.lowercased().contains(q) { return i }
            i -= 1
        }
        return nil
    }

    func walkthroughHints(_ s: WalkthroughScreen) -> [KeyHint] {
        if let typing = s.field.typingHints { return typing }
        let hints = [KeyHint("↑↓", "scroll"), KeyHint("Tab", "next block"), KeyHint("⏎", "run block"), KeyHint("/", "search")]
        return hints + s.field.activeHints + [KeyHint("v", "variables"), KeyHint("?", "help"), KeyHint("q", "back")]
    }

    func drawWalkthrough(_ s: WalkthroughScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        guard let rb = runbook(s.runbook) else { return }
        let lines = walkthroughLines(s, width: body.width)
        let area = body.splitTop(1).rest
        let top = walkthroughTop(s, lines, height: area.height)
        let selected = visibleStep(s, lines, top: top, height: area.height)
        let steps = rb.allSteps
        let percent = lines.count <= area.height ? 100 : min(100, (top + area.height) * 100 / max(1, lines.count))
        var where_ = "\(percent)%"
        if s.isSearching || !s.search.isEmpty {
            let found = s.field.label(matched: s.match != nil)
            where_ = DisplayWidth.clip(found, to: max(8, body.width / 2)) + "  " + where_
        }
        let whereWidth = DisplayWidth.of(where_)
        grid.put(DisplayWidth.clip(" " + rb.title.safeLine, to: max(0, body.width - whereWidth - 2)), in: body, line: 0, style: theme.bold)
        grid.put(where_, in: body, line: 0, indent: body.width - whereWidth - 1, style: s.isSearching ? theme.plain : theme.dim)
        for row in 0..<area.height {
            let i = top + row
            guard i < lines.count else { break }
            let l = lines[i]
            let style: CellStyle
            switch l.kind {
            case .heading(let level): style = level <= 2 ? theme.heading : theme.bold
            case .stepHeader: style = theme.bold
            case .code: style = l.step == nil ? theme.dim : theme.code
            case .rule: style = theme.dim
            case .tableHeader: style = theme.bold
            case .text: style = theme.plain
            }
            let isSelected = l.kind == .stepHeader && l.step != nil && l.step == selected
            if isSelected { grid.highlight(area, line: row, style: theme.selected) }
            var lineStyle = style
            if isSelected { lineStyle.reverse = true }
            grid.put(" " + l.text, in: area, line: row, style: lineStyle)
            if !s.search.isEmpty {
                let textRect = Rect(row: area.row + row, column: area.column + 1, width: area.width - 1, height: 1)
                underline(s.search, in: l.text, into: &grid, textRect, theme: theme)
                if s.match == i { grid.put("»", in: area, line: row, style: theme.match) }
            }
            if l.kind == .stepHeader, let si = l.step, steps.indices.contains(si) {
                var note = isSelected ? "⏎ runs it" : ""
                var noteStyle = theme.dim
                if let run = lastRun(StepKey(runbook: s.runbook, step: steps[si].id)) {
                    note = Label.outcome(run.outcome)
                    noteStyle = theme.style(run.outcome)
                }
                if isSelected { noteStyle.reverse = true }
                if !note.isEmpty {
                    grid.put(note, in: area, line: row, indent: max(0, area.width - DisplayWidth.of(note) - 2), style: noteStyle)
                }
            }
        }
        ListNavigation.drawScrollMarks(into: &grid, area, first: top, count: lines.count, theme: theme)
    }
}
