import RunbookKit

/// The runbook's variables with their values and where each came from; secrets masked; Enter edits
/// a value in place. Also opened by a step that needs values nobody gave yet: it asks for each,
/// then the step goes on (to its confirmation, if it has one).
struct VariablesScreen: Sendable {
    var runbook: Int
    var selection = 0
    var top = 0
    /// The text typed so far while a value is edited.
    var editing: String?
    /// Names still to ask for before `pending` may run.
    var asking: [String] = []
    var pending: RunRequest?
    /// Where each undeclared variable asked for is used: `$NAME` in step X (line N).
    var usedAt: [String: String] = [:]

    init(runbook: Int) { self.runbook = runbook }

    /// Switches to asking for the `missing` variables before `request` runs, editing the first.
    mutating func ask(_ missing: [(name: String, step: Step)], for request: RunRequest, resolver: VariableResolver) {
        asking = missing.map(\.name)
        pending = request
        for m in missing where !resolver.isDeclared(m.name) {
            usedAt[m.name] = "$\(m.name) in step \(m.step.id) (line \(m.step.location.line)) is not declared: type its value; a step never runs with it empty"
        }
        let all = Self.names(resolver, asking: asking)
        selection = asking.first.flatMap { all.firstIndex(of: $0) } ?? 0
        editing = ""
    }

    /// The variables shown: those the runbook declares (placeholders included), the undeclared ones
    /// asked for or found in the environment, then those steps assigned or the user gave.
    static func names(_ resolver: VariableResolver, asking: [String] = []) -> [String] {
        var out = resolver.runbook.variables.map(\.name)
        for n in asking + resolver.undeclared where !out.contains(n) && (asking.contains(n) || resolver.value(of: n) != nil) {
            out.append(n)
        }
        for n in (Array(resolver.fromSteps.keys) + Array(resolver.given.keys)).sorted() where !out.contains(n) {
            out.append(n)
        }
        return out
    }
}

extension AppState {
    mutating func variablesKey(_ key: Key, _ s: inout VariablesScreen) -> [AppEffect]? {
        guard var resolver = resolver(for: s.runbook) else { return nil }
        let names = VariablesScreen.names(resolver, asking: s.asking)
        if var text = s.editing {
            switch key {
            case .character(let c) where !c.isNewline:
                text.append(c)
                s.editing = text
            case .backspace, .delete:
                if !text.isEmpty { text.removeLast() }
                s.editing = text
            case .control("u"):
                s.editing = ""
            case .escape:
                s.editing = nil
                if s.pending != nil { return cancelAsking(&s) }
            case .enter:
                guard names.indices.contains(s.selection) else { return [] }
                let name = names[s.selection]
                if s.pending != nil, text.isEmpty {
                    status = .info("\(name) needs a value: type it, or Esc not to run the step")
                    return []
                }
                resolver.give(name, text)
                resolvers[s.runbook] = resolver
                s.editing = nil
                let shown = resolver.isSecret(name) ? SecretMasker.mask : text
                var effects: [AppEffect] = [
                    .journal(.decision(.init(kind: "variable_set", detail: "\(name)=\(SecretMasker(secrets: resolver.secretValues).mask(shown))")),
                             sync: false)
                ]
                if let pending = s.pending {
                    s.asking.removeAll { $0 == name }
                    if let next = s.asking.first(where: { resolver.value(of: $0) == nil }), let i = names.firstIndex(of: next) {
                        s.selection = i
                        s.editing = ""
                    } else {
                        // Everything it needs has a value: the step goes on.
                        stack.removeLast()
                        effects += request(pending)
                        // A checklist being run goes on when this item did not start (a dry run).
                        if pending.queued, runAll != nil, runAll?.current == nil, dialog == nil {
                            effects += advanceRunAll()
                        }
                    }
                } else {
                    status = .info("\(name) set for this session")
                }
                return effects
            default:
                break
            }
            return []
        }
        switch key {
        case .up, .character("k"):
            s.selection = max(0, s.selection - 1)
        case .down, .character("j"):
            s.selection = min(max(0, names.count - 1), s.selection + 1)
        case .home, .character("g"):
            s.selection = 0
        case .end, .character("G"):
            s.selection = max(0, names.count - 1)
        case .pageUp:
            s.selection = max(0, s.selection - max(1, bodyHeight / 2))
        case .pageDown:
            s.selection = min(max(0, names.count - 1), s.selection + max(1, bodyHeight / 2))
        case .enter, .character("e"):
            guard names.indices.contains(s.selection) else { return [] }
            let name = names[s.selection]
            // A secret starts empty: its value is never shown, not even to edit.
            s.editing = resolver.isSecret(name) ? "" : (resolver.value(of: name)?.value ?? "")
        case .character("q"), .escape, .left, .character("h"), .backspace:
            if s.pending != nil { return cancelAsking(&s) }
            return nil
        default:
            return nil
        }
        s.top = Scroll.keepVisible(top: s.top, line: s.selection, count: names.count, height: variablesListHeight(bodyHeight))
        return []
    }

    /// Leaves without the values: the step does not run.
    mutating func cancelAsking(_ s: inout VariablesScreen) -> [AppEffect] {
        if let p = s.pending {
            status = .warning("not run: \(p.step.id.safeLine) needs \(s.asking.joined(separator: ", "))")
            if p.queued { runAll = nil }
        }
        s.pending = nil
        s.asking = []
        stack.removeLast()
        return []
    }

    /// How the variables screen lays out a body `height` rows high: the lines above the table's
    /// header, and the description's rows under the list. On a short terminal (as the step screen's
    /// compact layout) the subtitle, the blank lines and the description's second row give way to the
    /// list.
    func variablesLayout(_ height: Int) -> (intro: Int, description: Int, gap: Int) {
        height < StepLayout.compactBelow ? (1, 1, 0) : (3, 2, 1)
    }

    /// The rows of the list of variables in a body `height` rows high.
    func variablesListHeight(_ height: Int) -> Int {
        let l = variablesLayout(height)
        return max(1, height - l.intro - 1 - l.description - l.gap)
    }

    func variablesHints(_ s: VariablesScreen) -> [KeyHint] {
        if s.editing != nil {
            return [KeyHint("⏎", s.pending == nil ? "set" : "set and go on"), KeyHint("Esc", s.pending == nil ? "cancel" : "don't run"),
                    KeyHint("⌫", "delete"), KeyHint("^U", "clear")]
        }
        return [KeyHint("↑↓", "move"), KeyHint("⏎", "edit"), KeyHint("?", "help"), KeyHint("q", s.pending == nil ? "back" : "don't run")]
    }

    func drawVariables(_ s: VariablesScreen, into grid: inout CellGrid, _ body: Rect, theme: Theme) {
        guard let rb = runbook(s.runbook), let resolver = resolver(for: s.runbook) else { return }
        let names = VariablesScreen.names(resolver, asking: s.asking)
        let shape = variablesLayout(body.height)
        let compact = shape.intro == 1
        var line = 0
        if let p = s.pending {
            let what = s.asking.count == 1 ? "a value" : "\(s.asking.count) values"
            let said = "Step \(p.step.id.safeLine) needs \(what) before it runs: " + s.asking.joined(separator: ", ").safeLine
            // Two lines when it needs them (long step ids and names); the blank line under it gives way.
            if compact {
                grid.put(DisplayWidth.clip(" " + said, to: body.width), in: body, line: line, style: theme.warning)
            } else {
                let wrapped = TextWrap.lines(said, width: max(8, body.width - 2)).prefix(2)
                for l in wrapped {
                    grid.put(" " + l, in: body, line: line, style: theme.warning)
                    line += 1
                }
                grid.put(" Type it in the marked row, then Enter; Esc leaves the step not run.", in: body, line: line, style: theme.plain)
            }
        } else {
            grid.put(" Variables of " + rb.title.safeLine, in: body, line: line, style: theme.bold)
            line += 1
            if !compact {
                grid.put(" Values reach commands through the environment; secrets are masked.", in: body, line: line, style: theme.dim)
            }
        }
        // The table starts on the fourth line, under a blank one (or under a question on two lines);
        // on the second when compact.
        line = shape.intro
        let nameW = min(26, max(8, names.map { $0.count }.max() ?? 8) + 1)
        let sourceW = 20
        let valueCol = 2 + nameW + 1
        let valueW = max(8, body.width - valueCol - sourceW - 2)
        let headerLine = ListLine<Int>(parts: [.column(2), .text("Name", theme.dim), .column(valueCol), .text("Value", theme.dim),
                                               .column(valueCol + valueW + 1), .text("Source", theme.dim)])
        headerLine.draw(into: &grid, body, line: line, selected: false, theme: theme)
        line += 1
        let descriptionRows = shape.description
        let listArea = Rect(row: body.row + line, column: body.column, width: body.width, height: variablesListHeight(body.height))
        var lines: [ListLine<Int>] = []
        for (i, name) in names.enumerated() {
            let secret = resolver.isSecret(name)
            let value = resolver.value(of: name)
            var valueText: String
            var valueStyle = theme.plain
            if i == s.selection, let editing = s.editing {
                valueText = (secret ? String(repeating: "•", count: editing.count) : editing.safeLine) + "▏"
                valueStyle = theme.bold
                // Keep the end of a long value in sight while typing.
                if DisplayWidth.of(valueText) > valueW {
                    valueText = "…" + String(valueText.suffix(max(1, valueW - 2)))
                }
            } else if let value {
                valueText = secret ? SecretMasker.mask : DisplayWidth.clip(value.value.safeLine, to: valueW)
            } else {
                valueText = "— no value"
                valueStyle = theme.warning
            }
            let source = value.map { $0.source == .defaultValue ? "default" : $0.source.rawValue } ?? "missing"
            let parts: [ListLine<Int>.Part] = [
                .column(2), .text(DisplayWidth.clip(name.safeLine, to: nameW), s.asking.contains(name) ? theme.warning : theme.bold),
                .column(valueCol), .text(valueText, valueStyle), .column(valueCol + valueW + 1), .text(source + (secret ? " · secret" : ""), theme.dim),
            ]
            lines.append(ListLine(parts: parts, target: i))
        }
        if lines.isEmpty { lines.append(ListLine("  This runbook has no variables.", style: theme.dim)) }
        ListNavigation.draw(lines, selection: s.selection, top: s.top, into: &grid, listArea, theme: theme, focused: true)

        // The selected variable's description.
        if names.indices.contains(s.selection), !rb.variables.contains(where: { $0.name == names[s.selection] }) {
            let name = names[s.selection]
            let area = Rect(row: body.bottom - descriptionRows, column: body.column, width: body.width, height: descriptionRows)
            let text = s.usedAt[name] ?? (resolver.value(of: name)?.source == .environment && resolver.undeclared.contains(name)
                ? "from your environment: a command uses $\(name), which the runbook does not declare" : "")
            for (i, l) in TextWrap.lines(text.safeLine, width: body.width - 3).prefix(descriptionRows).enumerated() {
                grid.put("  " + l, in: area, line: i, style: theme.dim)
            }
        } else if names.indices.contains(s.selection), let v = rb.variables.first(where: { $0.name == names[s.selection] }) {
            let area = Rect(row: body.bottom - descriptionRows, column: body.column, width: body.width, height: descriptionRows)
            var text = v.description ?? (v.origin == .placeholder ? "asked for by a <placeholder> in a command" : "")
            if v.isSecret { text += (text.isEmpty ? "" : " · ") + "secret: never shown, never written" }
            for (i, l) in TextWrap.lines(text.safeLine, width: body.width - 3).prefix(descriptionRows).enumerated() {
                grid.put("  " + l, in: area, line: i, style: theme.dim)
            }
        }
    }
}
