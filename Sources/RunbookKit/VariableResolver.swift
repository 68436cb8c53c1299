/// Where a variable's value came from.
public enum ValueSource: String, Sendable, Hashable, Codable {
    /// `--set NAME=VALUE` on the command line, or typed in the TUI.
    case given
    /// The environment `runbook` was started in.
    case environment
    /// Assigned by an earlier step of the session.
    case step
    /// The front matter's `default`.
    case defaultValue = "default"
}

/// A variable's value for this session.
public struct ResolvedValue: Sendable, Hashable {
    public var value: String
    public var source: ValueSource
    public var isSecret: Bool
}

/// The variables of a session and their values. Values come from, first match wins: values given
/// (`--set`), the environment, earlier steps, front-matter defaults. Values reach commands only
/// through the environment, never through the command text.
public struct VariableResolver: Sendable {
    public var runbook: Runbook
    public private(set) var given: [String: String]
    public private(set) var environment: [String: String]
    public private(set) var fromSteps: [String: String] = [:]

    /// Variables the runbook's commands expand that it neither declares nor asks for with a placeholder,
    /// that the same command does not assign and no shell has (``ShellText/ambient``): asked for like placeholders
    /// when a step needs one without a value, taken from the environment when it has one. In order of
    /// first use.
    public let undeclared: [String]

    public init(runbook: Runbook, given: [String: String], environment: [String: String]) {
        self.runbook = runbook
        self.given = given
        self.environment = environment
        let declared = Set(runbook.variables.map(\.name))
        var names: [String] = []
        for step in runbook.allSteps {
            let text = ShellText(step.command)
            for name in text.needed
            where !declared.contains(name) && !text.assignments.contains(name) && !ShellText.ambient.contains(name)
                && !names.contains(name)
            {
                names.append(name)
            }
        }
        undeclared = names
    }

    /// Whether the runbook declares `name` or asks for it with a placeholder.
    public func isDeclared(_ name: String) -> Bool { runbook.variables.contains { $0.name == name } }

    /// Whether a variable's value must be masked: declared secret, or named like one.
    public func isSecret(_ name: String) -> Bool {
        if let v = runbook.variables.first(where: { $0.name == name }) { return v.isSecret }
        return Variable.nameLooksSecret(name)
    }

    /// The value of `name`, or nil when no source has one.
    public func value(of name: String) -> ResolvedValue? {
        let secret = isSecret(name)
        if let v = given[name] { return ResolvedValue(value: v, source: .given, isSecret: secret) }
        let declared = runbook.variables.first { $0.name == name }
        // Only the runbook's own variables, those steps assign, and those its commands expand without
        // declaring them are taken from the environment.
        if declared != nil || fromSteps[name] != nil || undeclared.contains(name), let v = environment[name] {
            return ResolvedValue(value: v, source: .environment, isSecret: secret)
        }
        if let v = fromSteps[name] { return ResolvedValue(value: v, source: .step, isSecret: secret) }
        if let v = declared?.defaultValue { return ResolvedValue(value: v, source: .defaultValue, isSecret: secret) }
        return nil
    }

    /// Sets a value as given by the user (`--set`, or edited in the TUI).
    public mutating func give(_ name: String, _ value: String) { given[name] = value }

    /// Records what a step assigned, for the steps after it. The step's value is newer than one given
    /// before it ran (typed for a placeholder, `--set`): as in a shell, the last assignment wins.
    public mutating func record(assignedByStep values: [String: String]) {
        for (k, v) in values {
            fromSteps[k] = v
            given[k] = nil
        }
    }

    /// The variables `steps` need that have no value yet, in order of first use, with the step that
    /// first needs each: declared ones, placeholders, and undeclared `$NAME`s (``undeclared``). Not
    /// needed: variables every shell has, special parameters (`$1`, `$?`), expansions with a value of
    /// their own (`${NAME:-x}`), text in single quotes, and variables the step itself assigns
    /// (`NS=x; … $NS`, `for x in`, `read x`) or an earlier step of `steps` assigns (or one in
    /// `assignedEarlier`).
    public func missing(for steps: [Step], assignedEarlier: Set<String> = []) -> [(name: String, step: Step)] {
        var out: [(String, Step)] = []
        var assignedEarlier = assignedEarlier
        var seen = Set<String>()
        for step in steps {
            let shell = ShellText(step.command)
            for name in shell.needed + step.placeholders
            where !seen.contains(name) && !assignedEarlier.contains(name) && !shell.assignments.contains(name)
                && !ShellText.ambient.contains(name)
            {
                guard isDeclared(name) || step.placeholders.contains(name) || Variable.isValidName(name) else { continue }
                if value(of: name) == nil {
                    seen.insert(name)
                    out.append((name, step))
                }
            }
            assignedEarlier.formUnion(shell.assignments)
        }
        return out
    }

    /// The environment a step's command runs with: the process environment plus every variable
    /// of the runbook that has a value.
    public func environment(for step: Step) -> [String: String] {
        var env = environment
        var names = Set(runbook.variables.map(\.name))
        names.formUnion(fromSteps.keys)
        names.formUnion(given.keys)
        for name in names {
            if let v = value(of: name) { env[name] = v.value }
        }
        return env
    }

    /// Every value that must never be shown or written: secrets with a value.
    public var secretValues: [String] {
        var names = Set(runbook.variables.filter(\.isSecret).map(\.name))
        for name in Array(given.keys) + Array(fromSteps.keys) where isSecret(name) { names.insert(name) }
        return names.compactMap { value(of: $0)?.value }.filter { !$0.isEmpty }
    }
}
