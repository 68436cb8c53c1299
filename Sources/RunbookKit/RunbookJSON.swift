import Foundation

/// The JSON of `runbook show --json`: a stable interface for scripts. Keys are snake_case and are
/// only ever added to, never renamed or removed.
public enum RunbookJSON {
    /// The runbook as pretty-printed JSON with sorted keys.
    public static func encode(_ runbook: Runbook) throws -> String {
        try encode(RunbookView(runbook))
    }

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// `runbook list --json`: one object per runbook.
public struct RunbookSummary: Encodable, Sendable {
    public var id: String
    public var title: String
    public var version: String?
    public var updated: String?
    public var reviewBy: String?
    public var overdue: Bool
    public var path: String

    public init(_ runbook: Runbook, today: CalendarDate) {
        id = runbook.id
        title = runbook.title
        version = runbook.version?.description
        updated = runbook.updated?.description
        reviewBy = runbook.reviewBy?.description
        overdue = runbook.isOverdue(today: today)
        path = runbook.path
    }

    enum CodingKeys: String, CodingKey {
        case id, title, version, updated, overdue, path
        case reviewBy = "review_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(version, forKey: .version)
        try c.encode(updated, forKey: .updated)
        try c.encode(reviewBy, forKey: .reviewBy)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(path, forKey: .path)
    }
}

private struct RunbookView: Encodable {
    let r: Runbook
    init(_ r: Runbook) { self.r = r }

    enum Keys: String, CodingKey {
        case id, title, version, updated, review_by, path, sha256, variables, entries, decision_tree, checklists
        case owner, description, shell, timeout, steps
        case decision_tree_source
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(r.id, forKey: .id)
        try c.encode(r.title, forKey: .title)
        try c.encode(r.version?.description, forKey: .version)
        try c.encode(r.updated?.description, forKey: .updated)
        try c.encode(r.reviewBy?.description, forKey: .review_by)
        try c.encode(r.path, forKey: .path)
        try c.encode(r.sha256, forKey: .sha256)
        try c.encode(r.variables.map(VariableView.init), forKey: .variables)
        try c.encode(r.entries.map(EntryView.init), forKey: .entries)
        try c.encode(r.decisionTree.map { $0.roots.map(NodeView.init) }, forKey: .decision_tree)
        try c.encode(r.decisionTree?.source.rawValue, forKey: .decision_tree_source)
        try c.encode(r.checklists.map(ChecklistView.init), forKey: .checklists)
        try c.encode(r.owner, forKey: .owner)
        try c.encode(r.description, forKey: .description)
        try c.encode(r.shell, forKey: .shell)
        try c.encode(r.timeout?.seconds, forKey: .timeout)
        try c.encode(r.looseSteps.map(StepView.init), forKey: .steps)
    }
}

private struct VariableView: Encodable {
    let v: Variable
    init(_ v: Variable) { self.v = v }
    enum Keys: String, CodingKey { case name, `default`, description, secret, origin, line }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(v.name, forKey: .name)
        try c.encode(v.defaultValue, forKey: .default)
        try c.encode(v.description, forKey: .description)
        try c.encode(v.isSecret, forKey: .secret)
        try c.encode(v.origin.rawValue, forKey: .origin)
        try c.encode(v.location.line, forKey: .line)
    }
}

private struct EntryView: Encodable {
    let e: Entry
    init(_ e: Entry) { self.e = e }
    enum Keys: String, CodingKey { case id, title, anchor, line, column, sections, steps, options }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(e.id, forKey: .id)
        try c.encode(e.title, forKey: .title)
        try c.encode(e.anchor, forKey: .anchor)
        try c.encode(e.location.line, forKey: .line)
        try c.encode(e.location.column, forKey: .column)
        var sections: [String: String] = [:]
        for role in SectionRole.allCases {
            if let t = e.text(of: role) { sections[role.rawValue] = t }
        }
        try c.encode(sections, forKey: .sections)
        try c.encode(e.steps.map(StepView.init), forKey: .steps)
        try c.encode(e.fixOptions, forKey: .options)
    }
}

private struct StepView: Encodable {
    let s: Step
    init(_ s: Step) { self.s = s }
    enum Keys: String, CodingKey {
        case id, role, language, command, line, column, attributes, example_output, indicators, title, option
        case placeholders, confirm
        case safety, safety_reason, needs_terminal, runs_until_interrupted, vouched_over
        case examples
        case typed_into, not_run, remote_of, opens_shell
    }
    enum AttributeKeys: String, CodingKey { case name, timeout, confirm, interactive, pty, cwd, skip, role, readonly }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(s.id, forKey: .id)
        try c.encode(s.role.rawValue, forKey: .role)
        try c.encode(s.language, forKey: .language)
        try c.encode(s.command, forKey: .command)
        try c.encode(s.location.line, forKey: .line)
        try c.encode(s.location.column, forKey: .column)
        var a = c.nestedContainer(keyedBy: AttributeKeys.self, forKey: .attributes)
        try a.encode(s.attributes.name, forKey: .name)
        try a.encode(s.attributes.timeout?.seconds, forKey: .timeout)
        try a.encode(s.attributes.confirm, forKey: .confirm)
        try a.encode(s.attributes.interactive, forKey: .interactive)
        try a.encode(s.attributes.pty, forKey: .pty)
        try a.encode(s.attributes.cwd, forKey: .cwd)
        try a.encode(s.attributes.skip, forKey: .skip)
        try a.encode(s.attributes.role?.rawValue, forKey: .role)
        try a.encode(s.attributes.readonly, forKey: .readonly)
        try c.encode(s.exampleOutput, forKey: .example_output)
        try c.encode(s.indicators.map(IndicatorView.init), forKey: .indicators)
        try c.encode(s.title, forKey: .title)
        try c.encode(s.option, forKey: .option)
        try c.encode(s.placeholders, forKey: .placeholders)
        try c.encode(s.needsConfirmation, forKey: .confirm)
        try c.encode(s.safety.safety.rawValue, forKey: .safety)
        try c.encode(s.safety.reason, forKey: .safety_reason)
        try c.encode(s.safety.needsTerminal, forKey: .needs_terminal)
        try c.encode(s.safety.runsUntilInterrupted, forKey: .runs_until_interrupted)
        try c.encode(s.safety.vouchedOver?.rawValue, forKey: .vouched_over)
        try c.encode(s.typedInto, forKey: .typed_into)
        try c.encode(s.notRun, forKey: .not_run)
        try c.encode(s.remoteOf, forKey: .remote_of)
        try c.encode(s.opensShell, forKey: .opens_shell)
        try c.encode(s.examples.map(ExampleView.init), forKey: .examples)
    }
}

/// A labelled example: `{label, exit, signal, note, output, line}`.
private struct ExampleView: Encodable {
    let e: LabelledExample
    init(_ e: LabelledExample) { self.e = e }
    enum Keys: String, CodingKey { case label, exit, signal, note, output, line }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(e.label.rawValue, forKey: .label)
        if case .exited(let n) = e.end { try c.encode(n, forKey: .exit) } else { try c.encodeNil(forKey: .exit) }
        if case .signaled(let n) = e.end { try c.encode(n, forKey: .signal) } else { try c.encodeNil(forKey: .signal) }
        try c.encode(e.note, forKey: .note)
        try c.encode(e.output, forKey: .output)
        try c.encode(e.location.line, forKey: .line)
    }
}

private struct IndicatorView: Encodable {
    let i: Indicator
    init(_ i: Indicator) { self.i = i }
    enum Keys: String, CodingKey { case kind, value, values, any, note, line }
    /// `exit 2`: `"value": 2`; `exit 0 or 1`: `"value": null, "values": [0, 1]`; `exit any`:
    /// `"value": null, "any": true`.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(i.kind.name, forKey: .kind)
        switch i.kind {
        case .exit(.statuses(let codes)) where codes.count == 1: try c.encode(codes[0], forKey: .value)
        case .exit(.statuses(let codes)):
            try c.encodeNil(forKey: .value)
            try c.encode(codes, forKey: .values)
        case .exit(.any):
            try c.encodeNil(forKey: .value)
            try c.encode(true, forKey: .any)
        case .contains(let s), .notContains(let s), .matches(let s), .equals(let s): try c.encode(s, forKey: .value)
        case .manual: try c.encodeNil(forKey: .value)
        }
        try c.encode(i.note, forKey: .note)
        try c.encode(i.location.line, forKey: .line)
    }
}

private struct NodeView: Encodable {
    let n: TreeNode
    init(_ n: TreeNode) { self.n = n }
    enum Keys: String, CodingKey { case label, line, probe, pattern, target, children }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(n.label, forKey: .label)
        try c.encode(n.location.line, forKey: .line)
        try c.encode(n.probe.map(StepView.init), forKey: .probe)
        try c.encode(n.patterns.isEmpty ? nil : n.patterns, forKey: .pattern)
        try c.encode(n.target?.description, forKey: .target)
        try c.encode(n.children.map(NodeView.init), forKey: .children)
    }
}

private struct ChecklistView: Encodable {
    let l: Checklist
    init(_ l: Checklist) { self.l = l }
    enum Keys: String, CodingKey { case id, title, line, items }
    enum ItemKeys: String, CodingKey { case text, checked, step, line }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(l.id, forKey: .id)
        try c.encode(l.title, forKey: .title)
        try c.encode(l.location.line, forKey: .line)
        var items = c.nestedUnkeyedContainer(forKey: .items)
        for item in l.items {
            var i = items.nestedContainer(keyedBy: ItemKeys.self)
            try i.encode(item.text, forKey: .text)
            try i.encode(item.checked, forKey: .checked)
            try i.encode(item.step.map(StepView.init), forKey: .step)
            try i.encode(item.location.line, forKey: .line)
        }
    }
}
