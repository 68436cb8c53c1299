import RunbookKit
import RunbookRunner

/// Where a runbook's commands would land, as far as the TUI knows: its context probes (front matter
/// `context:`) and what each answered. A probe not answered yet is "checking…"; until every probe has
/// answered and matched, the context is not known to be right.
struct RunbookContext: Sendable, Hashable {
    var probes: [ContextProbe]
    var readings: [String: ContextReading] = [:]

    var isChecking: Bool { probes.contains { readings[$0.name] == nil } }

    /// Whether every probe answered and matched.
    var matches: Bool { probes.allSatisfy { readings[$0.name]?.matches == true } }

    /// The probes that did not match, in order; a probe still checking is unknown ("still checking").
    func mismatches(masker: SecretMasker, expect: (ContextProbe) -> String) -> [ContextReading] {
        probes.compactMap { probe in
            if let r = readings[probe.name] { return r.matches ? nil : r }
            return ContextReading(
                name: probe.name, command: masker.mask(probe.command), value: nil, expect: expect(probe),
                matches: false, problem: "still checking")
        }
    }
}

/// A step that would change something while the context is wrong or unknown: it runs only once the
/// engineer has typed `required` (the value found, or the context's name when the value is unknown).
struct ContextGate: Sendable, Hashable {
    var mismatches: [ContextReading]
    var typed = ""

    /// What must be typed: the first mismatch's value, else its name.
    var required: String {
        guard let first = mismatches.first else { return "" }
        return first.value ?? first.name
    }

    var isSatisfied: Bool { !required.isEmpty && typed == required }
}

extension AppState {
    /// When a runbook's session starts: runs its context probes as probe steps (asynchronously, like any
    /// run); the header says "checking…" until they answer. In a dry run nothing runs, and the context
    /// stays unknown.
    mutating func probeContext(_ index: Int, _ rb: Runbook) -> [AppEffect] {
        guard options.probesContext, !rb.context.isEmpty, let resolver = resolver(for: index) else {
            contexts[index] = nil
            return []
        }
        var context = RunbookContext(probes: rb.context)
        var effects: [AppEffect] = []
        let m = SecretMasker(secrets: resolver.secretValues)
        for probe in rb.context {
            let step = probe.step
            var why = CheckPolicy.skipReason(step, in: rb)
            if options.dryRun { why = "dry run: nothing runs" }
            if why == nil, let missing = resolver.missing(for: [step]).first {
                why = "variable \(missing.name) has no value"
            }
            if let why {
                let reading = ContextCheck.reading(probe, end: nil, stdout: [], skipReason: why, resolver: resolver, masker: m)
                context.readings[probe.name] = reading
                effects.append(.journal(.context(reading), sync: false))
                continue
            }
            effects += start(RunRequest(runbook: index, step: step, scope: Self.contextScope, show: false), dryRun: false)
        }
        contexts[index] = context
        return effects
    }

    static let contextScope = "context"

    /// A context probe's run ended: its reading is kept and journaled. Nil when `run` is no context probe.
    mutating func contextAnswered(_ run: StepRun) -> [AppEffect]? {
        guard run.scope == Self.contextScope, let end = run.end, let rb = runbook(run.runbook),
            let probe = rb.context.first(where: { $0.step.id == run.step.id }), let resolver = resolver(for: run.runbook)
        else { return nil }
        let reading = ContextCheck.reading(
            probe, end: end, stdout: ContextCheck.stdout(run.output), skipReason: nil, resolver: resolver,
            masker: masker(for: run.runbook))
        contexts[run.runbook]?.readings[probe.name] = reading
        if !reading.matches {
            status = .warning("context \(reading.summary.safeLine)")
        }
        return [.journal(.context(reading), sync: false)]
    }

    /// The gate a step must pass on a wrong or unknown context: fix steps and steps that change
    /// something, in a runbook that declares its context. Nil when the step may go on.
    func contextGate(for step: Step, runbook index: Int) -> ContextGate? {
        guard step.role == .fix || step.safety.safety == .changes, let context = contexts[index], !context.matches,
            let resolver = resolver(for: index)
        else { return nil }
        let m = masker(for: index)
        let mismatches = context.mismatches(masker: m) { m.mask($0.expectation { resolver.value(of: $0)?.value }) }
        return mismatches.isEmpty ? nil : ContextGate(mismatches: mismatches)
    }

    /// A key in a confirmation gated by the context: text goes into the field; Enter runs the step
    /// only when the field holds exactly what is asked; Esc (or Ctrl-C) does not run it.
    mutating func contextGateKey(_ key: Key, _ c: ConfirmRun, _ gate: ContextGate) -> [AppEffect]? {
        var gate = gate
        switch key {
        case .character(let ch) where !ch.isNewline:
            gate.typed.append(ch)
        case .backspace, .delete:
            if !gate.typed.isEmpty { gate.typed.removeLast() }
        case .enter:
            guard gate.isSatisfied else {
                status = .warning("not run: type the value shown, exactly, or Esc")
                return []
            }
            let m = masker(for: c.request.runbook)
            let detail = m.mask(gate.mismatches.map(\.summary).joined(separator: "; "))
            return [.journal(.decision(.init(kind: "context_overridden", step: c.request.step.id, detail: detail)), sync: false)]
                + dialogKey(.character("y"), .confirm(ConfirmRun(request: c.request, preview: c.preview)))
        case .escape, .control("c"):
            return nil  // declined as any confirmation
        default:
            return []
        }
        var confirm = c
        confirm.context = gate
        dialog = .confirm(confirm)
        return []
    }

    /// A paste into the gate's field: as text, never an answer.
    mutating func pasteIntoContextGate(_ raw: String) -> Bool {
        guard case .confirm(var c)? = dialog, var gate = c.context else { return false }
        gate.typed += PastedText.clean(raw)
        c.context = gate
        dialog = .confirm(c)
        return true
    }

    /// The header's context, the longest form that fits in `room` columns: each value
    /// (`kube: gke_…staging-cluster ✓`, red `kube: prod ✗ expected *staging*`), else each name with its
    /// mark (`kube ✓ project ✗`), else one word (`context ✗`, shown whatever the room; `context ✓` only
    /// when it fits); "checking…" until the probes answer.
    func contextHeaderParts(theme: Theme, room: Int) -> [(String, CellStyle)] {
        guard let index = headerRunbook, let context = contexts[index] else { return [] }
        var full: [(String, CellStyle)] = []
        var short: [(String, CellStyle)] = []
        for probe in context.probes {
            let name = probe.name.safeLine
            guard let r = context.readings[probe.name] else {
                full.append((" \(name): checking… ", theme.header))
                short.append((" \(name) … ", theme.header))
                continue
            }
            let value = Self.shortened(r.value?.safeLine ?? "unknown", to: 28)
            if r.matches {
                full.append((" \(name): \(value) ✓ ", theme.header))
                short.append((" \(name) ✓ ", theme.header))
            } else {
                full.append((" \(name): \(value) ✗ expected \(Self.shortened(r.expect.safeLine, to: 24)) ", theme.contextWrong))
                short.append((" \(name) ✗ ", theme.contextWrong))
            }
        }
        let word: (String, CellStyle) =
            context.isChecking ? (" context: checking… ", theme.header)
            : context.matches ? (" context ✓ ", theme.header) : (" context ✗ ", theme.contextWrong)
        for form in [full, short] where form.reduce(0, { $0 + DisplayWidth.of($1.0) }) <= room {
            return form
        }
        // A wrong or unknown context always shows (the breadcrumb gives way); a right one may not.
        return context.matches || context.isChecking ? [] : [word]
    }

    /// The width of the breadcrumb at its shortest (`… › the screen shown`): the context takes only
    /// what this leaves, so the screen's own name stays readable.
    var shortestCrumbs: Int {
        let crumbs = ["runbook"] + stack.dropFirst().map { title(of: $0.screen) }
        let shortest = crumbs.count > 2 ? ["…", crumbs[crumbs.count - 1]] : crumbs
        return DisplayWidth.of(" " + shortest.joined(separator: " › "))
    }

    /// The runbook the screen shown is about, else the session's.
    var headerRunbook: Int? {
        stack.reversed().lazy.compactMap(\.screen.runbook).first ?? sessionRunbook
    }

    /// `text` at most `width` characters: its start and its end, with `…` between (the end of a
    /// context's name is what tells staging from production).
    static func shortened(_ text: String, to width: Int) -> String {
        guard text.count > width, width > 3 else { return text }
        let tail = (width - 1) * 2 / 3
        return String(text.prefix(width - 1 - tail)) + "…" + String(text.suffix(tail))
    }
}

extension Theme {
    /// A context that does not match, in the header: red where there is colour, reversed and bold always.
    var contextWrong: CellStyle {
        var s = CellStyle(bold: true, reverse: true)
        if !monochrome { s.foreground = .ansi(1) }
        return s
    }
}

extension AppState {
    /// What a gated confirmation says about the context: each mismatch spelled out.
    func contextLines(_ gate: ContextGate, width: Int, theme: Theme) -> [ListLine<Int>] {
        var lines: [ListLine<Int>] = []
        for r in gate.mismatches {
            let said = r.value.map { "\(r.name.safeLine) is \($0.safeLine), expected \(r.expect.safeLine)" }
                ?? "\(r.name.safeLine) is unknown (\((r.problem ?? "no answer").safeLine)), expected \(r.expect.safeLine)"
            for l in TextWrap.lines("✗ " + said, width: width).prefix(3) { lines.append(ListLine(l, style: theme.fail)) }
        }
        return lines
    }
}
