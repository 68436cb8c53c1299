import RunbookKit

/// A question `y` answers: a confirmation (a step that asks first), quitting while a step runs, or a
/// manual indicator of a run on the step screen or the checklist.
enum Question: Sendable, Hashable {
    case confirm(step: String)
    case quit
    case manual(RunID, indicator: Int)
}

/// The question on screen and the burst of input it appeared in (nil: before the runtime counted
/// any). Its answer must come from a later burst.
struct AskedQuestion: Sendable, Hashable {
    var question: Question?
    var burst: Int?
}

/// A text field that takes typed and pasted text.
enum TextField: Sendable, Hashable {
    case homeFilter
    case stepSearch
    case walkthroughSearch
    /// A variable's value being edited; `secret` when it is a secret's (masked on screen and in
    /// the trace).
    case variable(secret: Bool)
}

/// Pasted text made fit for a one-line field: newlines (CR, LF, CRLF, NEL, LS, PS, VT, FF) become
/// one space between words and vanish at either end, tabs become spaces, other control characters
/// (C0, DEL, C1) and bidi controls are dropped.
enum PastedText {
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var brokeLine = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                brokeLine = true
            case 0x09:
                out.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                if brokeLine, !out.isEmpty, out.last != " " { out.append(" ") }
                brokeLine = false
                out.append(scalar)
            }
        }
        return String(out)
    }
}

extension AppState {
    /// The smallest terminal every screen is drawn for. Below it the TUI says so, and only `q` (and
    /// the answer to the quit question it may ask), Ctrl-Z and resizing act.
    public static let minimumSize = ScreenSize(columns: 40, rows: 10)

    /// Whether the terminal is below ``minimumSize``.
    public var isTooSmall: Bool { Self.isTooSmall(size) }

    static func isTooSmall(_ size: ScreenSize) -> Bool {
        size.columns < minimumSize.columns || size.rows < minimumSize.rows
    }

    // MARK: - Questions and typeahead

    /// The question `y` answers on the screen shown, if any.
    var openQuestion: Question? {
        if let dialog {
            switch dialog {
            case .confirm(let c): return isTooSmall ? nil : .confirm(step: c.request.step.id)
            case .quit: return .quit
            }
        }
        guard !isTooSmall else { return nil }
        switch top {
        case .step(let s):
            guard !s.isSearching, let run = lastRun(s.key), let i = answering(s, run) else { return nil }
            return .manual(run.id, indicator: i)
        case .checklist(let s):
            guard let rb = runbook(s.runbook), rb.checklists.indices.contains(s.checklist) else { return nil }
            let items = rb.checklists[s.checklist].items
            guard items.indices.contains(s.selection), let step = items[s.selection].step,
                let run = lastRun(StepKey(runbook: s.runbook, step: step.id)),
                let i = run.verdicts.firstIndex(where: { $0.state == .needsAnswer })
            else { return nil }
            return .manual(run.id, indicator: i)
        default:
            return nil
        }
    }

    /// After every event: a question that just appeared (or changed) records the burst it came in.
    mutating func noteQuestion() {
        let now = openQuestion
        if now != asked.question { asked = AskedQuestion(question: now, burst: inputBurst) }
    }

    /// Whether `key`, about to answer the open question, came in the same burst of input as the
    /// question itself: typed (or pasted) before the question was on screen. It is then ignored, and
    /// the status line says so.
    mutating func typedAhead(_ key: Key) -> Bool {
        guard let burst = inputBurst, asked.question != nil, asked.burst == burst else { return false }
        let name: String
        if case .character(let c) = key { name = String(c) } else { name = "that key" }
        status = .warning("\(name.safeLine) ignored: it came with earlier keys, before the question; press it again")
        return true
    }

    // MARK: - Below the minimum size

    /// A key while the terminal is too small: `q` quits (asking first while a step runs; a pending
    /// confirmation is declined), `y`/`n` answer that question; every other key does nothing.
    mutating func tooSmallKey(_ key: Key) -> [AppEffect] {
        if case .quit? = dialog {
            switch key {
            case .character("y"), .character("Y"):
                if typedAhead(key) { return [] }
                dialog = nil
                return quit()
            case .character("n"), .character("N"), .escape:
                dialog = nil
                return []
            default:
                return []
            }
        }
        guard key == .character("q") else { return [] }
        var effects: [AppEffect] = []
        if let dialog, case .confirm = dialog { effects += dialogKey(.escape, dialog) }
        return effects + requestQuit()
    }

    /// What a terminal below the minimum size shows: that it is, and what `q` does.
    func drawTooSmall(into grid: inout CellGrid, size: ScreenSize) {
        var lines = ["terminal too small", "need \(Self.minimumSize.columns)x\(Self.minimumSize.rows)"]
        if case .quit? = dialog {
            lines += ["quit? a step runs", "y cancels it, quits", "n stays"]
        } else {
            lines.append(runningRuns.isEmpty ? "q quits" : "q quits (asks first)")
        }
        for (row, line) in lines.prefix(size.rows).enumerated() {
            grid.put(DisplayWidth.clip(line, to: size.columns), row: row, column: 0, width: size.columns)
        }
    }

    // MARK: - Text fields and pastes

    /// The text field typed and pasted text goes into on the screen shown, if any (none under a
    /// dialog).
    var focusedTextField: TextField? {
        guard dialog == nil else { return nil }
        switch top {
        case .home: return .homeFilter
        case .step(let s): return s.isSearching ? .stepSearch : nil
        case .walkthrough(let s): return s.isSearching ? .walkthroughSearch : nil
        case .variables(let s):
            guard s.editing != nil, let resolver = resolver(for: s.runbook) else { return nil }
            let names = VariablesScreen.names(resolver, asking: s.asking)
            return .variable(secret: names.indices.contains(s.selection) && resolver.isSecret(names[s.selection]))
        default: return nil
        }
    }

    /// Whether what is typed now goes into a secret's value: the runtime's trace then records keys
    /// and pastes without their text.
    public var isSecretFieldFocused: Bool { focusedTextField == .variable(secret: true) }

    /// A bracketed paste: its text, cleaned to one line, goes into the focused text field as if
    /// typed (a newline in it submits nothing). With no field focused, or a question open, it is
    /// ignored and the status line says so: a paste never answers anything.
    mutating func paste(_ raw: String) -> [AppEffect] {
        guard !isTooSmall else { return [] }
        status = nil
        if pasteIntoContextGate(raw) { return [] }
        guard focusedTextField != nil else {
            status = .info("paste ignored: no text field has focus")
            return []
        }
        let text = PastedText.clean(raw)
        guard let last = text.last else { return [] }
        // All but the last character go straight in; the last is typed, so the field reacts once
        // (filter, search, match) as it does to typing.
        let head = String(text.dropLast())
        let index = stack.count - 1
        switch stack[index].screen {
        case .home(var s):
            s.isFiltering = true
            s.filter += head
            stack[index].screen = .home(s)
        case .step(var s):
            s.search += head
            stack[index].screen = .step(s)
        case .walkthrough(var s):
            s.search += head
            stack[index].screen = .walkthrough(s)
        case .variables(var s):
            s.editing = (s.editing ?? "") + head
            stack[index].screen = .variables(s)
        default:
            return []
        }
        return handleKey(.character(last))
    }
}
