import RunbookKit

/// A step and its latest run: live output (scrollable, searchable) beside the success indicators,
/// each turning pass / fail as output arrives; exit code and elapsed time. Side by side from 100
/// columns, stacked (output above, indicators below) on narrower terminals.
struct StepScreen: Sendable, Hashable {
    var key: StepKey
    /// The first output line shown; nil follows the newest output.
    var top: Int?
    /// `/`: the text searched for in the output (ignoring case), while typing and after.
    var field = SearchField()
    var search: String {
        get { field.text }
        set { field.text = newValue }
    }
    var isSearching: Bool { field.isOpen }
    /// The output line of the current search match.
    var match: Int?
    /// The manual indicator `y`/`n` answer (index into the step's indicators), chosen with Tab;
    /// nil, or one already answered, means the first still open.
    var manual: Int?

    static let sideBySideColumns = 100
}

/// Where the parts of the step screen go. On a short terminal (``compact``) the header is the
/// command and the status only (the title is in the breadcrumb), and the panes are a rule with their
/// title over their rows instead of a box, so that the output and the indicator `y`/`n` answers keep
/// rows down to the minimum size.
struct StepLayout: Sendable, Hashable {
    var header: Rect
    var output: Rect
    var indicators: Rect
    var compact = false

    /// Bodies lower than this get the compact layout.
    static let compactBelow = 12

    /// Where the output lines go.
    var outputText: Rect { compact ? output.splitTop(1).rest : output.inner }
    /// Where the indicators go.
    var indicatorText: Rect { compact ? indicators.splitTop(1).rest : indicators.inner }
}

extension AppState {
    func stepOf(_ key: StepKey) -> Step? {
        runbook(key.runbook)?.allSteps.first { $0.id == key.step }
    }

    /// Command lines shown above the panes: one on a small terminal, up to five on a tall one.
    func commandRows(_ body: Rect, step: Step?) -> Int {
        if body.height < StepLayout.compactBelow { return 1 }
        let lines = step.map { $0.command.split(separator: "\n", omittingEmptySubsequences: false).count } ?? 1
        return max(1, min(lines, (body.height - 16) / 3))
    }

    func stepLayout(_ body: Rect, step: Step?) -> StepLayout {
        if body.height < StepLayout.compactBelow {
            let (header, panes) = body.splitTop(2)
            let wanted = max(1, step?.indicators.count ?? 1)
            let (top, bottom) = panes.splitBottom(1 + min(wanted, max(1, (panes.height - 1) / 3)))
            return StepLayout(header: header, output: top, indicators: bottom, compact: true)
        }
        let (header, panes) = body.splitTop(3 + commandRows(body, step: step))
        if body.width >= StepScreen.sideBySideColumns {
            let right = min(56, max(36, body.width * 3 / 8))
            let (left, rest) = panes.splitLeft(body.width - right)
            return StepLayout(header: header, output: left, indicators: rest)
        }
        // The written indicators and the implied `exit 0`, when there is one.
        let judged = step.map { $0.indicators.count + (IndicatorEvaluator.impliedExit(for: $0.indicators) == nil ? 0 : 1) }
        let wanted = max(1, judged ?? 1) * 2 + 3
        let h = min(wanted, max(4, panes.height / 2))
        let (top, bottom) = panes.splitBottom(h)
        return StepLayout(header: header, output: top, indicators: bottom)
    }

    /// The rows of output a pane of `height` shows.
    func outputLineCount(_ run: StepRun?) -> Int {
        guard let run else { return 0 }
        return run.output.count + (run.partial == nil ? 0 : 1)
    }

    mutating func stepKey(_ key: Key, _ s: inout StepScreen) -> [AppEffect]? {
        let run = lastRun(s.key)
        let step = stepOf(s.key) ?? run?.step
        let layout = stepLayout(Rect(row: 1, column: 0, width: size.columns, height: bodyHeight), step: step)
        let page = max(1, layout.outputText.height)
        let count = outputLineCount(run)
        let width = Self.textWidth(layout.outputText)
        // Where following the newest output starts (long lines wrap, so fewer lines fit than rows).
        let maxTop = run.map { followTop($0, width: width, height: page) } ?? 0
        func land(_ m: Int) -> Int? { run.map { outputTop(showing: m, $0, width: width, height: page) } }
        if let action = s.field.handle(key) {
            switch action {
            case .opened, .cancelled, .cleared:
                s.match = nil
            case .edited:
                s.match = s.search.isEmpty ? nil : lastMatch(run, s.search, before: count)
                if let m = s.match { s.top = land(m) }
            case .done:
                if s.match == nil, !s.search.isEmpty { status = .info("no line contains “\(s.search.safeLine)”") }
            case .next, .previous:
                guard !s.search.isEmpty else { return [] }
                let forward = action == .next
                let from = s.match ?? (forward ? -1 : count)
                if let next = forward ? firstMatch(run, s.search, after: from) : lastMatch(run, s.search, before: from) {
                    s.match = next
                    s.top = land(next)
                } else {
                    status = .info(forward ? "no more matches below" : "no more matches above")
                }
            case .ignored:
                break
            }
            return []
        }
        switch key {
        case .up, .character("k"):
            s.top = max(0, (s.top ?? maxTop) - 1)
        case .down, .character("j"):
            let t = (s.top ?? maxTop) + 1
            s.top = t >= maxTop ? nil : t
        case .pageUp:
            s.top = max(0, (s.top ?? maxTop) - page)
        case .pageDown:
            let t = (s.top ?? maxTop) + page
            s.top = t >= maxTop ? nil : t
        case .home, .character("g"):
            s.top = 0
        case .end, .character("G"):
            s.top = nil
        case .character("r"):
            guard let step else { return [] }
            s.top = nil
            s.match = nil
            return request(RunRequest(runbook: s.key.runbook, step: step, scope: run?.scope ?? scope(of: step, in: s.key.runbook), show: true))
        case .enter:
            guard let step else { return [] }
            if run == nil {
                return request(RunRequest(runbook: s.key.runbook, step: step, scope: scope(of: step, in: s.key.runbook), show: true))
            }
            status = .info(run?.isRunning == true ? "running: Ctrl-C cancels it" : "r runs it again")
        case .tab, .backTab:
            let open = openManual(run)
            guard !open.isEmpty else {
                status = .info("Tab picks a manual indicator to answer: this step has none open")
                return []
            }
            let current = answering(s, run).flatMap { open.firstIndex(of: $0) } ?? 0
            let step = key == .tab ? 1 : open.count - 1
            s.manual = open[(current + step) % open.count]
        case .character("y"), .character("n"):
            guard let run, let index = answering(s, run) else { return nil }
            if typedAhead(key) { return [] }
            let effects = answerManual(run.id, index: index, yes: key == .character("y"))
            // The next open one after it, in order, wrapping around.
            let open = openManual(runs[run.id])
            s.manual = open.first { $0 > index } ?? open.first
            return effects
        default:
            return nil
        }
        return []
    }

    /// The manual indicators of a run still waiting for an answer, by index: none once a check of the
    /// run failed (its command's exit, or a checkable indicator), since no answer could make it pass.
    func openManual(_ run: StepRun?) -> [Int] {
        guard let run, !run.checksFailed else { return [] }
        return run.verdicts.indices.filter { run.verdicts[$0].state == .needsAnswer }
    }

    /// The manual indicator `y`/`n` answers now: the one chosen with Tab while it is open, else the
    /// first open one.
    func answering(_ s: StepScreen, _ run: StepRun?) -> Int? {
        let open = openManual(run)
        if let m = s.manual, open.contains(m) { return m }
        return open.first
    }

    /// Where a step stands in its runbook, for the journal: its entry, its checklist, or the tree.
    func scope(of step: Step, in runbook: Int) -> String? {
        guard let rb = self.runbook(runbook) else { return nil }
        if let e = rb.entries.first(where: { $0.steps.contains { $0.id == step.id } }) { return e.id }
        if let c = rb.checklists.first(where: { $0.items.contains { $0.step?.id == step.id } }) { return c.id }
        if step.role == .probe { return "tree" }
        return nil
    }

    func outputText(_ run: StepRun, _ i: Int) -> String? {
        if i < run.output.count { return run.output[i].text }
        if i == run.output.count { return run.partial?.text }
        return nil
    }

    func lastMatch(_ run: StepRun?, _ query: String, before: Int) -> Int? {
        guard let run, !query.isEmpty else { return nil }
        let q = query.lowercased()
        var i = min(before, outputLineCount(run)) - 1
        while i >= 0 {
            if outputText(run, i)?.lowercased().contains(q) == true { return i }
            i -= 1
        }
        return nil
    }

    func firstMatch(_ run: StepRun?, _ query: String, after: Int) -> Int? {
        guard let run, !query.isEmpty else { return nil }
        let q = query.lowercased()
        var i = max(-1, after) + 1
        let n = outputLineCount(run)
        while i < n {
            if outputText(run, i)?.lowercased().contains(q) == true { return i }
            i += 1
        }
        return nil
    }

    func stepHints(_ s: StepScreen) -> [KeyHint] {
        if let typing = s.field.typingHints { return typing }
        let run = lastRun(s.key)
        var hints: [KeyHint] = []
        let open = openManual(run)
        if !open.isEmpty {
            // While a search is set, n moves to the next match: Esc ends the search, then n answers no.
            hints += s.field.isActive ? [KeyHint("y", "yes")] : [KeyHint("y", "yes"), KeyHint("n", "no")]
            if open.count > 1 { hints.append(KeyHint("Tab", "mark another")) }
        }
        if run?.isRunning == true {
            hints.append(KeyHint("^C", "cancel"))
        } else {
            hints.append(KeyHint(run == nil ? "⏎" : "r", run == nil ? "run" : "re-run"))
        }
        hints += [KeyHint("↑↓", "scroll"), KeyHint("/", "search")] + s.field.activeHints
        hints += [KeyHint("v", "variables"), KeyHint("?", "help"), KeyHint("q", "back")]
        return hints
    }

    func drawStep(_ s: StepScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        let run = lastRun(s.key)
        guard let step = stepOf(s.key) ?? run?.step else {
            grid.put(" no step `\(s.key.step.safeLine)`", in: body, line: 0, style: theme.fail)
            return
        }
        let layout = stepLayout(body, step: step)
        let h = layout.header
        // The command's first row: under the title and what the step is, or first when compact.
        let commandLine = layout.compact ? 0 : 2
        if !layout.compact {
            var about = " step \(step.id.safeLine) · \(step.role.rawValue)"
            if let scope = run?.scope ?? scope(of: step, in: s.key.runbook) { about += " · \(scope.safeLine)" }
            if step.handsOverTerminal { about += " · interactive" }
            let title = (step.title.isEmpty ? step.id : step.title).safeLine
            if DisplayWidth.of(title) <= h.width - 2 {
                grid.put(" " + title, in: h, line: 0, style: theme.bold)
                grid.put(about, in: h, line: 1, style: theme.dim)
            } else {
                // A long title takes the second line too; what the step is follows it there if it fits.
                let wrapped = TextWrap.lines(title, width: h.width - 2)
                grid.put(" " + wrapped[0], in: h, line: 0, style: theme.bold)
                var second = wrapped.dropFirst().joined(separator: " ")
                second = DisplayWidth.clip(second, to: h.width - 2)
                let col = grid.put(" " + second, in: h, line: 1, style: theme.bold)
                if col + DisplayWidth.of(about) + 1 < h.width { grid.put(" ·" + about, in: h, line: 1, indent: col, style: theme.dim) }
            }
        }
        let preview = run?.preview ?? self.preview(step, runbook: s.key.runbook)
        let commandLines = preview.safeText.split(separator: "\n", omittingEmptySubsequences: false)
        let rows = commandRows(body, step: step)
        for i in 0..<rows where i < commandLines.count {
            var cmd = (i == 0 ? " $ " : "   ") + commandLines[i]
            if i == rows - 1, commandLines.count > rows { cmd += "  (+\(commandLines.count - rows) lines)" }
            grid.put(DisplayWidth.clip(cmd, to: h.width), in: h, line: commandLine + i, style: theme.code)
        }

        // The status: running, or how it ended.
        var parts: [ListLine<Int>.Part] = [.text(" ", theme.plain)]
        if let run {
            if run.isRunning {
                parts.append(.text(run.cancelRequested ? "● cancelling" : "● running", theme.pending))
                if let ms = run.elapsedMs(now: nowMs) { parts.append(.text(" " + Label.duration(ms), theme.plain)) }
                if !run.cancelRequested { parts.append(.text(" · Ctrl-C cancels", theme.dim)) }
                if run.isInteractive { parts.append(.text(" · in the terminal", theme.dim)) }
            } else if run.isDryRun {
                parts.append(.text("- dry run: shown, not run", theme.dim))
            } else {
                parts.append(.text(Label.outcome(run.outcome), theme.style(run.outcome)))
                parts.append(.text("  " + (run.end?.description.safeLine ?? ""), theme.plain))
                if let ms = run.durationMs { parts.append(.text(" · " + Label.duration(ms), theme.plain)) }
                if let hint = Label.endHint(run.end) {
                    parts.append(.text(" · " + hint, theme.warning))
                } else if run.outcome == .failed, run.verdicts.contains(where: { $0.implied && $0.state == .failed }) {
                    // The implied exit 0 failed it: whatever else it shows, the command did not succeed.
                    parts.append(.text(" · the command failed: check its output first", theme.warning))
                }
            }
        } else if let why = step.shownOnlyReason {
            parts.append(.text("shown only: " + why.safeLine, theme.dim))
        } else {
            parts.append(.text("not run yet: ⏎ runs it", theme.dim))
        }
        ListLine<Int>(parts: parts).draw(into: &grid, h, line: commandLine + rows, selected: false, theme: theme)

        // Output pane.
        let count = outputLineCount(run)
        var title = "Output"
        if let run { title += " (\(run.output.totalLineCount) line\(run.output.totalLineCount == 1 ? "" : "s"))" }
        if s.isSearching || !s.search.isEmpty {
            title += " · " + s.field.label(matched: s.isSearching || s.match != nil)
        } else if s.top != nil {
            title += " · G follows"
        }
        drawPane(layout.output, title: title, compact: layout.compact, into: &grid, theme: theme)
        let inner = layout.outputText
        if let run {
            // Never past the point where the pane would show empty rows below the last line.
            let top = s.top.map { min(max(0, $0), followTop(run, width: Self.textWidth(inner), height: inner.height)) }
            drawOutput(run, into: &grid, inner, top: top, search: s.search, match: s.match, theme: theme)
            // ▲ / ▼ at the right edge when rows are above or below the pane.
            let rows = shownRows(run, top: top, width: Self.textWidth(inner), height: inner.height)
            if let firstRow = rows.first, let lastRow = rows.last, inner.width > 2, inner.height > 1 {
                if firstRow.line > 0 || firstRow.isContinuation {
                    grid.put("▲", row: inner.row, column: inner.right - 1, width: 1, style: theme.dim)
                }
                let lastLength = Self.shownText(outputLine(run, lastRow.line)).utf8.count
                if lastRow.line < count - 1 || lastRow.piece.upperBound < lastLength {
                    grid.put("▼", row: inner.bottom - 1, column: inner.right - 1, width: 1, style: theme.dim)
                }
            }
        } else {
            // Before it runs: the whole command (the header has room for a line or a few), then the
            // expected output, if the runbook shows one.
            var shown: [(String, CellStyle)] = []
            if commandLines.count > rows || commandLines.contains(where: { DisplayWidth.of(String($0)) + 3 > h.width }) {
                shown.append((" The command in full:", theme.dim))
                for l in commandLines {
                    for (k, piece) in TextWrap.pieces(String(l), width: max(1, inner.width - 4)).enumerated() {
                        shown.append(((k == 0 ? " $ " : "  ↪") + piece, theme.code))
                    }
                }
                shown.append(("", theme.plain))
            }
            if let example = step.exampleOutput {
                shown.append((" Expected output:", theme.dim))
                for l in example.safeText.split(separator: "\n", omittingEmptySubsequences: false) { shown.append((" " + l, theme.dim)) }
            }
            for (i, r) in shown.prefix(inner.height).enumerated() { grid.put(r.0, in: inner, line: i, style: r.1) }
        }

        // Indicators pane.
        drawPane(layout.indicators, title: "Success indicators", compact: layout.compact, into: &grid, theme: theme)
        drawIndicators(
            step: step, run: run, asking: answering(s, run), searchIsSet: s.field.isActive, into: &grid, layout.indicatorText,
            theme: theme)
    }

    /// A pane's frame: a box with the title in its top edge, or when compact a rule with the title.
    func drawPane(_ rect: Rect, title: String, compact: Bool, into grid: inout CellGrid, theme: Theme) {
        guard compact else {
            grid.box(rect, title: title, style: theme.dim)
            return
        }
        guard rect.height > 0, rect.width > 0 else { return }
        let label = "── " + DisplayWidth.clip(title, to: max(0, rect.width - 5)) + " "
        let fill = String(repeating: "─", count: max(0, rect.width - DisplayWidth.of(label)))
        grid.put(label + fill, row: rect.row, column: rect.column, width: rect.width, style: theme.dim)
    }

    /// The indicators and their verdicts; `asking` is the manual indicator `y`/`n` answers, marked
    /// `▸` (the answer line under them carries the same mark).
    func drawIndicators(
        step: Step, run: StepRun?, asking: Int?, searchIsSet: Bool = false, into grid: inout CellGrid, _ rect: Rect, theme: Theme
    ) {
        var lines: [ListLine<Int>] = []
        let verdicts = run?.verdicts ?? IndicatorEvaluator(indicators: step.indicators).verdicts
        let asking = run == nil ? nil : asking
        let openCount = openManual(run).count
        let labelWidth = 14
        var askedLine: Int?
        for (i, v) in verdicts.enumerated() {
            if asking == i { askedLine = lines.count }
            let label: String
            var style = theme.style(v.state)
            if let run {
                // A manual question of a failed run is not asked: no answer could make it pass.
                if v.state == .needsAnswer && run.checksFailed { (label, style) = ("- not asked", theme.dim) } else { label = Label.verdict(v.state) }
            } else {
                (label, style) = (v.indicator.isManual ? "? ask y/n" : "○ not run", theme.dim)
            }
            let text = TextWrap.lines(v.indicator.text.safeLine, width: max(4, rect.width - labelWidth - 1))
            var askStyle = theme.ask
            askStyle.reverse = true
            lines.append(ListLine(parts: [
                asking == i ? .text("▸", askStyle) : .text(" ", theme.plain), .text(label, style), .column(labelWidth),
                .text(text.first ?? "", asking == i ? theme.bold : theme.plain),
            ]))
            for more in text.dropFirst().prefix(3) {
                lines.append(ListLine(parts: [.column(labelWidth), .text(more, theme.plain)]))
            }
            if let line = v.decidingLine {
                lines.append(ListLine(parts: [.column(3), .text("↳ " + line.safeLine, theme.dim)]))
            } else if v.state == .failed, let reason = v.reason {
                lines.append(ListLine(parts: [.column(3), .text("↳ " + reason.safeLine, theme.dim)]))
            }
        }
        if asking != nil, run != nil {
            var parts: [ListLine<Int>.Part] = [
                .text(" ▸ answer: ", theme.ask), .text("y", theme.keyName),
                .text(" yes  ", theme.plain), .text("n", theme.keyName), .text(" no", theme.plain),
            ]
            if searchIsSet { parts += [.text("  (", theme.plain), .text("Esc", theme.keyName), .text(" ends the search first)", theme.plain)] }
            if openCount > 1 {
                parts += [.text("  ", theme.plain), .text("Tab", theme.keyName), .text(" marks another", theme.plain)]
            }
            lines.append(ListLine(parts: parts))
        }
        if let end = run?.end {
            var code = " exit: \(end.description.safeLine)"
            if let ms = run?.durationMs { code += " · " + Label.duration(ms) }
            lines.append(ListLine(code, style: theme.plain))
        }
        if let example = step.exampleOutput, lines.count + 3 <= rect.height, run != nil {
            lines.append(ListLine())
            lines.append(ListLine(" Expected output:", style: theme.dim))
            for l in example.safeText.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(ListLine(" " + l, style: theme.dim))
            }
        }
        // The indicator y/n answers stays in view, however many come before it.
        let first = askedLine.map { $0 < rect.height ? 0 : min($0, max(0, lines.count - rect.height)) } ?? 0
        for (i, l) in lines.dropFirst(first).prefix(rect.height).enumerated() {
            l.draw(into: &grid, rect, line: i, selected: false, theme: theme)
        }
        if first > 0, rect.width > 2 {
            grid.put("▲", row: rect.row, column: rect.right - 1, width: 1, style: theme.dim)
        }
        if lines.count > first + rect.height {
            grid.put("▼", row: rect.bottom - 1, column: rect.right - 1, width: 1, style: theme.dim)
        }
    }

    /// One row of the output pane: a piece of an output line (UTF-8 offsets into its shown text).
    struct OutputRow: Sendable, Hashable {
        var line: Int
        var piece: Range<Int>
        /// Not the line's first row: a wrapped continuation, marked `↪` in the margin.
        var isContinuation: Bool
    }

    /// The cells of an output pane's row that hold text: the first column is the margin (`!`, `↪`,
    /// `▶`), the last is kept for the scroll marks.
    static func textWidth(_ inner: Rect) -> Int { max(1, inner.width - 2) }

    /// A line as the pane shows it: safe, tabs expanded, and a line the sanitizer cut ends with a mark
    /// saying how much was cut.
    static func shownText(_ line: OutputLine) -> String {
        let text = TerminalSafeText.make(line.text).replacingTabs()
        return text + OutputLine.cutMark(droppedBytes: line.droppedBytes)
    }

    /// Where a line breaks when wrapped at `width` cells: the UTF-8 ranges of its rows (at least one).
    /// Lines break at any character, not at words: log lines keep every character in place.
    static func wrap(_ text: String, width: Int) -> [Range<Int>] {
        let width = max(1, width)
        var rows: [Range<Int>] = []
        var start = 0
        var offset = 0
        var col = 0
        for c in text {
            let w = DisplayWidth.of(c)
            if col + w > width, col > 0 {
                rows.append(start..<offset)
                start = offset
                col = 0
            }
            col += w
            offset += c.utf8.count
        }
        rows.append(start..<offset)
        return rows
    }

    func outputLine(_ run: StepRun, _ i: Int) -> OutputLine {
        i < run.output.count ? run.output[i] : (run.partial ?? OutputLine(channel: .stdout, text: ""))
    }

    /// The rows of line `i` wrapped at `width`.
    func outputRows(_ run: StepRun, _ i: Int, width: Int) -> [OutputRow] {
        let pieces = Self.wrap(Self.shownText(outputLine(run, i)), width: width)
        return pieces.enumerated().map { OutputRow(line: i, piece: $1, isContinuation: $0 > 0) }
    }

    /// The line the pane starts at when it follows the newest output: the bottom row shows the end of
    /// the last line, and this line may show only its last rows.
    func followTop(_ run: StepRun, width: Int, height: Int) -> Int {
        var rows = 0
        var i = outputLineCount(run)
        while i > 0, rows < height {
            i -= 1
            rows += Self.wrap(Self.shownText(outputLine(run, i)), width: width).count
        }
        return i
    }

    /// The rows shown in a pane of `height` rows: from line `top`, or the newest when nil.
    func shownRows(_ run: StepRun, top: Int?, width: Int, height: Int) -> [OutputRow] {
        let count = outputLineCount(run)
        guard height > 0, count > 0 else { return [] }
        var rows: [OutputRow] = []
        if let top {
            var i = max(0, min(top, count - 1))
            while i < count, rows.count < height {
                rows += outputRows(run, i, width: width)
                i += 1
            }
            return Array(rows.prefix(height))
        }
        return followRows(run, width: width, height: height).rows
    }

    /// The rows shown while following the newest output, and how many rows above them stay blank: the
    /// pane starts at the start of a line, never at the tail of a wrapped one (unless one line fills it).
    func followRows(_ run: StepRun, width: Int, height: Int) -> (rows: [OutputRow], blank: Int) {
        var rows: [OutputRow] = []
        for i in followTop(run, width: width, height: height)..<outputLineCount(run) { rows += outputRows(run, i, width: width) }
        var shown = Array(rows.suffix(height))
        guard let start = shown.firstIndex(where: { !$0.isContinuation }), start > 0 else { return (shown, 0) }
        shown.removeFirst(start)
        return (shown, start)
    }

    /// The first line to show so that line `m` (a search match) is in view, about a third of the way
    /// down, counting the rows wrapped lines take.
    func outputTop(showing m: Int, _ run: StepRun, width: Int, height: Int) -> Int {
        var top = m
        var rows = Self.wrap(Self.shownText(outputLine(run, m)), width: width).count
        while top > 0 {
            let above = Self.wrap(Self.shownText(outputLine(run, top - 1)), width: width).count
            if rows + above > height / 3 { break }
            rows += above
            top -= 1
        }
        // Not past the place where the pane would show empty rows at the bottom.
        return max(0, min(top, followTop(run, width: width, height: height)))
    }

    /// Draws output in `rect`: from line `top`, or the newest when nil. Long lines wrap, each
    /// continuation marked `↪` in the margin; standard error is marked `!` there; SGR styles are kept
    /// (colours dropped when monochrome); search hits are underlined, the current match marked `▶`.
    func drawOutput(_ run: StepRun, into grid: inout CellGrid, _ rect: Rect, top: Int?, search: String, match: Int? = nil,
                    theme: Theme) {
        guard rect.height > 0, rect.width > 2 else { return }
        let count = outputLineCount(run)
        if count == 0 {
            let note = run.isDryRun ? " dry run: nothing ran"
                : run.isInteractive ? (run.isRunning ? " running in the terminal…" : " it ran in the terminal: its output is not kept here")
                : (run.isRunning ? " waiting for output…" : " no output")
            grid.put(note, in: rect, line: 0, style: theme.dim)
            return
        }
        let rows = shownRows(run, top: top, width: Self.textWidth(rect), height: rect.height)
        // Following: the rows a partly shown line would take above the newest stay blank.
        let blank = top == nil ? followRows(run, width: Self.textWidth(rect), height: rect.height).blank : 0
        for (k, row) in rows.enumerated() {
            let r = k + blank
            let line = outputLine(run, row.line)
            let isStderr = line.channel == .stderr
            let base = isStderr ? theme.stderr : theme.plain
            if row.isContinuation {
                grid.put("↪", in: rect, line: r, style: isStderr ? theme.stderr : theme.dim)
            } else {
                grid.put(isStderr ? "!" : " ", in: rect, line: r, style: base)
                if match == row.line { grid.put("▶", in: rect, line: r, style: theme.match) }
            }
            let textRect = Rect(row: rect.row + r, column: rect.column + 1, width: rect.width - 1, height: 1)
            drawStyled(line, piece: row.piece, into: &grid, textRect, base: base, theme: theme)
            if !search.isEmpty {
                let text = Self.shownText(line)
                underline(search, in: Self.slice(text, row.piece), into: &grid, textRect, theme: theme)
            }
        }
        if run.output.droppedLineCount > 0, rows.first?.line == 0, rows.first?.isContinuation == false {
            grid.put(" … \(run.output.droppedLineCount) earlier lines not kept", in: rect, line: 0, style: theme.dim)
        }
    }

    /// The part of `text` between two UTF-8 offsets.
    static func slice(_ text: String, _ range: Range<Int>) -> String {
        let utf8 = text.utf8
        let a = utf8.index(utf8.startIndex, offsetBy: range.lowerBound, limitedBy: utf8.endIndex) ?? utf8.endIndex
        let b = utf8.index(utf8.startIndex, offsetBy: range.upperBound, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return String(text[a..<b])
    }

    /// One row of an output line (`piece`, UTF-8 offsets into its shown text) with its SGR styles.
    func drawStyled(_ line: OutputLine, piece: Range<Int>, into grid: inout CellGrid, _ rect: Rect, base: CellStyle,
                    theme: Theme) {
        let text = Self.shownText(line)
        // The styles count bytes of the line's text: kept when the shown text is that text (and a cut
        // line's mark after it, drawn in the base style).
        if line.styles.isEmpty || !text.utf8.starts(with: line.text.utf8) {
            grid.put(Self.slice(text, piece).safeLine, in: rect, line: 0, style: base)
            return
        }
        var col = 0
        var offset = piece.lowerBound
        // A run that starts or ends inside a grapheme cluster (`e`, then `ESC[31m` and a combining
        // accent) is moved to the cluster's end: a cluster is drawn whole, in the style of its start.
        let starts = Self.clusterStarts(text, piece)
        func snap(_ o: Int) -> Int { starts.first { $0 >= o } ?? piece.upperBound }
        for run in line.styles where run.range.upperBound > piece.lowerBound && run.range.lowerBound < piece.upperBound {
            let from = max(snap(max(run.range.lowerBound, piece.lowerBound)), offset)
            let to = snap(min(run.range.upperBound, piece.upperBound))
            guard to > from else { continue }
            if from > offset { col += grid.put(Self.slice(text, offset..<from), in: rect, line: 0, indent: col, style: base) }
            col += grid.put(Self.slice(text, from..<to), in: rect, line: 0, indent: col, style: theme.style(run.style, base: base))
            offset = to
            if col >= rect.width { return }
        }
        if offset < piece.upperBound {
            grid.put(Self.slice(text, offset..<piece.upperBound), in: rect, line: 0, indent: col, style: base)
        }
    }

    /// The UTF-8 offsets (into `text`) where the grapheme clusters of `piece` start, and its end.
    static func clusterStarts(_ text: String, _ piece: Range<Int>) -> [Int] {
        var starts: [Int] = []
        var offset = piece.lowerBound
        for character in slice(text, piece) {
            starts.append(offset)
            offset += character.utf8.count
        }
        starts.append(piece.upperBound)
        return starts
    }

    /// Underlines every occurrence of `query` (ignoring case) in a drawn line.
    func underline(_ query: String, in text: String, into grid: inout CellGrid, _ rect: Rect, theme: Theme) {
        let lower = text.lowercased()
        let q = query.lowercased()
        guard lower.count == text.count, lower.contains(q) else { return }
        let chars = Array(text)
        let lowerChars = Array(lower)
        let qChars = Array(q)
        var i = 0
        var col = 0
        while i < chars.count, col < rect.width {
            if i + qChars.count <= lowerChars.count, Array(lowerChars[i..<(i + qChars.count)]) == qChars {
                let s = String(chars[i..<(i + qChars.count)])
                grid.put(s.safeLine, in: rect, line: 0, indent: col, style: theme.match)
                col += DisplayWidth.of(s)
                i += qChars.count
            } else {
                col += DisplayWidth.of(chars[i])
                i += 1
            }
        }
    }
}
