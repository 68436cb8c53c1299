import RunbookKit

/// A question drawn over the screen that takes every key until it is answered.
enum Dialog: Sendable {
    /// Run this step? It shows the exact command, variables resolved, secrets masked.
    case confirm(ConfirmRun)
    /// Quit while a step runs?
    case quit
}

/// A step that asks before it runs (fixes, walkthrough steps, `confirm=true`).
struct ConfirmRun: Sendable {
    var request: RunRequest
    /// The command as it will run, secrets masked.
    var preview: String
    /// Set when the context is wrong or unknown: the step runs only once its value (or name) is typed.
    var context: ContextGate? = nil
}

extension AppState {
    mutating func dialogKey(_ key: Key, _ dialog: Dialog) -> [AppEffect] {
        // Keys that came with the one that opened the question are not answers.
        if typedAhead(key) { return [] }
        switch dialog {
        case .confirm(let c):
            if let gate = c.context, let effects = contextGateKey(key, c, gate) { return effects }
            let m = masker(for: c.request.runbook)
            let what = m.mask("\(c.request.step.title.isEmpty ? c.request.step.id : c.request.step.title): \(c.preview)")
            switch key {
            case .character("y"), .character("Y"):
                self.dialog = nil
                var effects: [AppEffect] = [
                    .journal(.decision(.init(kind: "fix_confirmed", step: c.request.step.id, detail: what)), sync: false)
                ]
                effects += start(c.request, dryRun: false)
                return effects
            case .character("n"), .character("N"), .escape, .character("q"), .control("c"):
                self.dialog = nil
                status = .info("not run: \(c.request.step.id.safeLine) was declined")
                var effects: [AppEffect] = [
                    .journal(.decision(.init(kind: "fix_declined", step: c.request.step.id, detail: what)), sync: false)
                ]
                if c.request.queued { effects += advanceRunAll() }
                return effects
            default:
                status = .info("answer y to run it, n not to")
                return []
            }
        case .quit:
            switch key {
            case .character("y"), .character("Y"):
                self.dialog = nil
                return quit()
            case .character("n"), .character("N"), .escape, .character("q"):
                self.dialog = nil
                return []
            default:
                return []
            }
        }
    }

    func dialogHints(_ dialog: Dialog) -> [KeyHint] {
        switch dialog {
        case .confirm(let c) where c.context != nil: [KeyHint("⏎", "run it, once typed"), KeyHint("Esc", "don't run")]
        case .confirm: [KeyHint("y", "run it"), KeyHint("n", "don't run"), KeyHint("Esc", "don't run")]
        case .quit: [KeyHint("y", "cancel the run and quit"), KeyHint("n", "stay")]
        }
    }

    func drawDialog(_ dialog: Dialog, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        var lines: [ListLine<Int>] = []
        let width = min(body.width - 2, 96)
        let inner = width - 4
        let title: String
        // On a short terminal the question keeps its command and its answer keys: blank lines, the
        // step's ids and a second title line give way.
        let compact = body.height < StepLayout.compactBelow
        switch dialog {
        case .confirm(let c):
            let step = c.request.step
            title = c.context != nil ? "Wrong context: run this \(step.role == .fix ? "fix" : "step")?"
                : step.role == .fix ? "Run this fix?" : "Run this step?"
            if let gate = c.context { lines += contextLines(gate, width: inner, theme: theme) }
            for l in TextWrap.lines(step.title.isEmpty ? step.id.safeLine : step.title.safeLine, width: inner).prefix(compact ? 1 : 2) {
                lines.append(ListLine(l, style: theme.bold))
            }
            var about = "step \(step.id.safeLine) · \(step.role.rawValue)"
            if let scope = c.request.scope { about += " · \(scope.safeLine)" }
            if !compact { lines.append(ListLine(about, style: theme.dim)) }
            if let option = step.option, option != step.title { lines.append(ListLine(option.safeLine, style: theme.warning)) }
            if step.safety.safety == .changes {
                for l in TextWrap.lines("it changes something: \(step.safety.reason.safeLine)", width: inner).prefix(2) {
                    lines.append(ListLine(l, style: theme.warning))
                }
            }
            if step.handsOverTerminal {
                lines.append(ListLine("interactive: it takes over the terminal until it ends", style: theme.warning))
            }
            if !compact { lines.append(ListLine()) }
            let commandLines = c.preview.safeText.split(separator: "\n", omittingEmptySubsequences: false)
            let room = compact ? max(1, body.height - 2 - lines.count - 1) : max(3, body.height - 2 - lines.count - 5)
            var shown: [String] = []
            for (i, l) in commandLines.enumerated() {
                let wrapped = TextWrap.lines(String(l), width: inner - 4)
                shown += wrapped.enumerated().map { j, w in (j > 0 ? "    " : i == 0 ? "$ " : "  ") + w }
            }
            if shown.count > room {
                let cut = shown.count - (room - 1)
                shown = Array(shown.prefix(room - 1)) + ["  … \(cut) more lines"]
            }
            lines += shown.map { ListLine($0, style: theme.code) }
            if !compact { lines.append(ListLine()) }
            if let gate = c.context {
                lines.append(ListLine("To run it on this context anyway, type (or paste) then Enter:", style: theme.plain))
                for l in TextWrap.lines(gate.required.safeLine, width: inner).prefix(2) { lines.append(ListLine(l, style: theme.keyName)) }
                lines.append(ListLine("> " + gate.typed.safeLine + "▏", style: gate.isSatisfied ? theme.pass : theme.code))
            } else {
                lines.append(ListLine(parts: [
                    .text("y", theme.keyName), .text(" runs exactly this   ", theme.plain),
                    .text("n", theme.keyName), .text(" does not run it", theme.plain),
                ]))
            }
        case .quit:
            title = "Quit?"
            let names = runningRuns.compactMap { runs[$0]?.step.id.safeLine }.joined(separator: ", ")
            lines.append(ListLine("A step is still running: \(names)", style: theme.warning))
            lines.append(ListLine("Quitting cancels it (its whole process group).", style: theme.plain))
            if !compact { lines.append(ListLine()) }
            lines.append(ListLine(parts: [
                .text("y", theme.keyName), .text(" cancel and quit   ", theme.plain),
                .text("n", theme.keyName), .text(" stay", theme.plain),
            ]))
        }
        let rect = body.centered(width: width, height: lines.count + 2)
        grid.clear(Rect(row: rect.row, column: max(body.column, rect.column - 1), width: rect.width + 2, height: rect.height))
        grid.box(rect, title: title, style: theme.bold)
        let content = Rect(row: rect.row + 1, column: rect.column + 2, width: rect.width - 4, height: rect.height - 2)
        for (i, l) in lines.enumerated() { l.draw(into: &grid, content, line: i, selected: false, theme: theme) }
    }
}
