import RunbookKit

/// A checklist: each item with its state; `a` runs every checkable item in turn, space ticks an
/// item that has no command, and a summary line counts what passed, failed and is left to tick.
struct ChecklistScreen: Sendable, Hashable {
    var runbook: Int
    var checklist: Int
    var selection = 0
    var top = 0
}

/// Where one checklist item stands.
enum ChecklistItemState: Sendable, Hashable {
    case ticked
    case toTick
    case notRun
    case queued
    case run(RunOutcome)

    var label: String {
        switch self {
        case .ticked: "☑ ticked"
        case .toTick: "☐ to tick"
        case .notRun: "○ not run"
        case .queued: "⋯ queued"
        case .run(let o): Label.outcome(o)
        }
    }

    func style(_ theme: Theme) -> CellStyle {
        switch self {
        case .ticked: theme.pass
        case .toTick: theme.ask
        case .notRun, .queued: theme.dim
        case .run(let o): theme.style(o)
        }
    }
}

/// The counts of a checklist's summary line.
struct ChecklistSummary: Sendable, Hashable {
    var passed = 0
    var failed = 0
    var toTick = 0
    /// Items whose check ran and waits for a manual indicator's y/n.
    var toAnswer = 0
    var ticked = 0
    var notRun = 0
    var running = 0
    var total = 0

    /// `3 passed, 1 failed, 2 to tick` (and what has not run yet).
    var text: String {
        var s = "\(passed) passed, \(failed) failed, \(toTick) to tick"
        if toAnswer > 0 { s += ", \(toAnswer) to answer" }
        if ticked > 0 { s += ", \(ticked) ticked" }
        if running > 0 { s += ", \(running) running" }
        if notRun > 0 { s += ", \(notRun) not run" }
        return s
    }

    /// Whether it is safe to go on: nothing failed and nothing is left.
    var verdict: (text: String, ok: Bool?) {
        if failed > 0 { return ("✗ not ready: \(failed) failed", false) }
        if toTick == 0, toAnswer == 0, notRun == 0, running == 0 { return ("✓ all clear", true) }
        return ("… not complete", nil)
    }

    var short: String { "\(passed + ticked)/\(total) done" + (failed > 0 ? ", \(failed) failed" : "") }
}

extension AppState {
    func itemState(_ key: ChecklistKey, _ index: Int) -> ChecklistItemState {
        guard let rb = runbook(key.runbook), rb.checklists.indices.contains(key.checklist),
            rb.checklists[key.checklist].items.indices.contains(index)
        else { return .notRun }
        let item = rb.checklists[key.checklist].items[index]
        guard let step = item.step else {
            return (ticks[key]?[index] ?? item.checked) ? .ticked : .toTick
        }
        if let run = lastRun(StepKey(runbook: key.runbook, step: step.id)) { return .run(run.outcome) }
        if let queue = runAll, queue.checklist == key, queue.remaining.contains(index) { return .queued }
        return .notRun
    }

    func checklistSummary(_ key: ChecklistKey) -> ChecklistSummary {
        var s = ChecklistSummary()
        guard let rb = runbook(key.runbook), rb.checklists.indices.contains(key.checklist) else { return s }
        for i in rb.checklists[key.checklist].items.indices {
            s.total += 1
            switch itemState(key, i) {
            case .ticked: s.ticked += 1
            case .toTick: s.toTick += 1
            case .notRun, .queued, .run(.dryRun): s.notRun += 1
            case .run(.running): s.running += 1
            case .run(.passed): s.passed += 1
            case .run(.failed), .run(.cancelled): s.failed += 1
            case .run(.needsAnswers): s.toAnswer += 1
            }
        }
        return s
    }

    mutating func checklistKey(_ key: Key, _ s: inout ChecklistScreen) -> [AppEffect]? {
        guard let rb = runbook(s.runbook), rb.checklists.indices.contains(s.checklist) else { return nil }
        let list = rb.checklists[s.checklist]
        let ck = ChecklistKey(runbook: s.runbook, checklist: s.checklist)
        let count = list.items.count
        let selected = list.items.indices.contains(s.selection) ? list.items[s.selection] : nil
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, count - 1), s.selection + 1)
        case .pageUp:
            s.selection = max(0, s.selection - max(1, bodyHeight / 2))
        case .pageDown:
            s.selection = min(max(0, count - 1), s.selection + max(1, bodyHeight / 2))
        case .home, .character("g"):
            s.selection = 0
        case .end, .character("G"):
            s.selection = max(0, count - 1)
        case .character(" "):
            guard let item = selected else { return [] }
            guard item.step == nil else {
                status = .info("this item is checked by its command: ⏎ runs it")
                return []
            }
            return tick(ck, s.selection, item)
        case .enter, .right, .character("l"):
            guard let item = selected else { return [] }
            guard let step = item.step else { return tick(ck, s.selection, item) }
            if lastRun(StepKey(runbook: s.runbook, step: step.id)) != nil {
                showStep(StepKey(runbook: s.runbook, step: step.id))
                return []
            }
            return request(RunRequest(runbook: s.runbook, step: step, scope: list.id, show: true))
        case .character("r"):
            guard let step = selected?.step else { return [] }
            return request(RunRequest(runbook: s.runbook, step: step, scope: list.id, show: false))
        case .character("o"):
            guard let step = selected?.step else { return [] }
            showStep(StepKey(runbook: s.runbook, step: step.id))
        case .character("a"):
            if runAll != nil {
                status = .info("already running the checklist: Ctrl-C stops it")
                return []
            }
            let items = list.items.indices.filter { list.items[$0].step != nil }
            guard !items.isEmpty else {
                status = .info("no item here has a command: tick them with space")
                return []
            }
            runAll = RunAllQueue(checklist: ck, remaining: items, current: nil)
            return advanceRunAll()
        case .character("y"), .character("n"):
            guard let step = selected?.step, let run = lastRun(StepKey(runbook: s.runbook, step: step.id)),
                !run.checksFailed, run.verdicts.contains(where: { $0.state == .needsAnswer })
            else { return nil }
            if typedAhead(key) { return [] }
            return answerManual(run.id, yes: key == .character("y"))
        default:
            return nil
        }
        s.top = Scroll.keepVisible(top: s.top, line: s.selection, count: count, height: max(1, bodyHeight - 6))
        return []
    }

    mutating func tick(_ key: ChecklistKey, _ index: Int, _ item: ChecklistItem) -> [AppEffect] {
        let now = !(ticks[key]?[index] ?? item.checked)
        ticks[key, default: [:]][index] = now
        var effects: [AppEffect] = []
        if let rb = runbook(key.runbook) { effects += startSession(key.runbook, rb) }
        effects.append(
            .journal(.decision(.init(kind: "manual_answered", detail: "\(item.text): \(now ? "ticked" : "unticked")")), sync: false))
        return effects
    }

    func checklistHints(_ s: ChecklistScreen) -> [KeyHint] {
        var hints = [KeyHint("↑↓", "move"), KeyHint("⏎", "run/open"), KeyHint("space", "tick")]
        hints.append(runAll == nil ? KeyHint("a", "run all") : KeyHint("^C", "stop"))
        if let rb = runbook(s.runbook), rb.checklists.indices.contains(s.checklist),
            rb.checklists[s.checklist].items.indices.contains(s.selection),
            case .run(.needsAnswers) = itemState(ChecklistKey(runbook: s.runbook, checklist: s.checklist), s.selection)
        {
            hints.insert(contentsOf: [KeyHint("y", "yes"), KeyHint("n", "no")], at: 0)
        }
        hints += [KeyHint("r", "re-run"), KeyHint("o", "output"), KeyHint("?", "help"), KeyHint("q", "back")]
        return hints
    }

    func drawChecklist(_ s: ChecklistScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        guard let rb = runbook(s.runbook), rb.checklists.indices.contains(s.checklist) else { return }
        let list = rb.checklists[s.checklist]
        let key = ChecklistKey(runbook: s.runbook, checklist: s.checklist)
        grid.put(" " + list.title.safeLine, in: body, line: 0, style: theme.bold)
        let summary = checklistSummary(key)
        let verdict = summary.verdict
        var col = grid.put(" " + summary.text, in: body, line: 1)
        col += 2
        grid.put(verdict.text, in: body, line: 1, indent: col, style: verdict.ok == true ? theme.pass : verdict.ok == false ? theme.fail : theme.dim)

        // Details of the selected item at the bottom.
        var details: [ListLine<Int>] = []
        if list.items.indices.contains(s.selection) {
            let item = list.items[s.selection]
            if let step = item.step {
                let preview = (lastRun(StepKey(runbook: s.runbook, step: step.id))?.preview ?? self.preview(step, runbook: s.runbook))
                let cmd = preview.safeText.split(separator: "\n", omittingEmptySubsequences: false)
                details.append(ListLine(" $ " + (cmd.first.map(String.init) ?? "") + (cmd.count > 1 ? "  (+\(cmd.count - 1) lines)" : ""), style: theme.code))
                if let run = lastRun(StepKey(runbook: s.runbook, step: step.id)) {
                    let failing = run.verdicts.filter { $0.state == .failed }.map { $0.indicator.text.safeLine }
                    if !failing.isEmpty {
                        details.append(ListLine(" ✗ " + failing.joined(separator: "; "), style: theme.fail))
                    } else if let end = run.end {
                        details.append(ListLine(" " + end.description.safeLine + (run.durationMs.map { " · " + Label.duration($0) } ?? ""), style: theme.dim))
                        if let hint = Label.endHint(end) { details.append(ListLine(" " + hint, style: theme.warning)) }
                    }
                    if !run.checksFailed, let open = run.verdicts.first(where: { $0.state == .needsAnswer }) {
                        // The question y/n answers: the first manual indicator still open.
                        details.append(ListLine(parts: [.text(" ? " + open.indicator.text.safeLine, theme.ask),
                                                        .text("  y", theme.keyName), .text(" yes  ", theme.plain),
                                                        .text("n", theme.keyName), .text(" no", theme.plain)]))
                    }
                }
            } else {
                details.append(ListLine(" no command: tick it by hand with space", style: theme.dim))
            }
        }
        let (listArea, detailArea) = body.splitTop(3).rest.splitBottom(details.count + 1)
        for (i, l) in details.enumerated() { l.draw(into: &grid, detailArea, line: i + 1, selected: false, theme: theme) }

        let labelWidth = 15
        var lines: [ListLine<Int>] = []
        for (i, item) in list.items.enumerated() {
            let state = itemState(key, i)
            let text = item.text.safeLine
            lines.append(ListLine(parts: [.text(" " + state.label, state.style(theme)), .column(labelWidth), .text(text, theme.plain)], target: i))
        }
        if lines.isEmpty { lines.append(ListLine(" This checklist has no items.", style: theme.dim)) }
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, listArea, theme: theme)
    }
}
