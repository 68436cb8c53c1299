/// How a folder of foreign runbooks was read (`runbook lint --compat`): what the loader made of each
/// file, counted, and the files that need annotations before a team can trust them, with why. Pure:
/// it counts what the model already holds (roles, safety, `notRun`, `remoteOf`, `typedInto`,
/// decision trees, variables).
public struct CompatibilityReport: Sendable, Hashable {
    /// A file that needs annotations, and why (one line per reason).
    public struct FileNote: Sendable, Hashable {
        public var path: String
        public var reasons: [String]
    }

    /// Why steps are shown and never run, by kind.
    public enum ShownOnly: String, Sendable, Hashable, CaseIterable {
        case notACommand = "not a command"
        case typedIntoProgram = "typed into another program"
        case remote = "typed in a shell opened elsewhere"
        case afterShellOpener = "commands after a shell opener"
        case skip = "marked skip"
        case empty = "empty"
    }

    public var files = 0
    /// Files that did not load, with the loader's reason.
    public var failed: [FileNote] = []
    public var entries = 0
    public var steps = 0
    public var byRole: [StepRole: Int] = [:]
    public var bySafety: [SafetyClass: Int] = [:]
    /// Steps that may run (in the TUI; `check` runs fewer).
    public var runnable = 0
    public var shownOnly: [ShownOnly: Int] = [:]
    /// Steps typed into a shell another step opens (`remoteOf`), and the steps that open one.
    public var remoteSteps = 0
    public var shellOpeners = 0
    /// Programs steps are typed into (`psql`, `a root shell`), by how many steps.
    public var typedInto: [String: Int] = [:]
    /// Prompt lines (`$ `, `# `, `postgres=# `) removed from commands, and in how many steps.
    public var promptLines = 0
    public var stepsWithPrompts = 0
    /// Files with a decision tree, and its probes.
    public var trees = 0
    public var treeProbes = 0
    /// Variables asked for, by how many files ask: placeholders and undeclared `$NAME`s.
    public var variablesAsked: [String: Int] = [:]
    public var placeholders = 0
    public var undeclared = 0
    public var needsAnnotations: [FileNote] = []

    public init() {}

    /// Adds a file that did not load.
    public mutating func add(failed path: String, reason: String) {
        files += 1
        failed.append(FileNote(path: path, reasons: [reason]))
    }

    /// Adds a runbook as the loader read it.
    public mutating func add(_ runbook: Runbook) {
        files += 1
        entries += runbook.entries.count
        let all = runbook.allSteps
        steps += all.count
        var notACommand = 0
        var unknown = 0
        var verifyWithoutIndicators = 0
        var prompted = Set<SourceLocation>()
        for (location, lines) in Self.promptLines(runbook.document) {
            prompted.insert(location)
            promptLines += lines
        }
        for step in all {
            byRole[step.role, default: 0] += 1
            bySafety[step.safety.safety, default: 0] += 1
            if prompted.contains(step.location) { stepsWithPrompts += 1 }
            if step.remoteOf != nil { remoteSteps += 1 }
            if step.opensShell != nil { shellOpeners += 1 }
            if let program = step.typedInto { typedInto[program, default: 0] += 1 }
            if let kind = Self.shownOnly(step) {
                shownOnly[kind, default: 0] += 1
                if kind == .notACommand { notACommand += 1 }
            } else {
                runnable += 1
                if step.safety.safety == .unknown { unknown += 1 }
            }
            if step.role == .verify && step.indicators.isEmpty && step.isRunnable { verifyWithoutIndicators += 1 }
        }
        if let tree = runbook.decisionTree {
            trees += 1
            treeProbes += tree.probes.count
        }
        let resolver = VariableResolver(runbook: runbook, given: [:], environment: [:])
        let asked = runbook.variables.filter { $0.origin == .placeholder }.map(\.name)
        placeholders += asked.count
        undeclared += resolver.undeclared.count
        for name in Set(asked + resolver.undeclared) { variablesAsked[name, default: 0] += 1 }

        var reasons: [String] = []
        func say(_ n: Int, _ one: String, _ many: String) {
            if n > 0 { reasons.append("\(n) \(n == 1 ? one : many)") }
        }
        say(notACommand, "step not run: \"not a command\" (mark a command block `sh`, or data `text`/`yaml`)",
            "steps not run: \"not a command\" (mark a command block `sh`, or data `text`/`yaml`)")
        say(unknown, "runnable command classed unknown (check runs it only with a version; vouch with {readonly=true})",
            "runnable commands classed unknown (check runs them only with a version; vouch with {readonly=true})")
        say(verifyWithoutIndicators, "verify step without indicators (add `exit 0`, `contains ...`)",
            "verify steps without indicators (add `exit 0`, `contains ...`)")
        if !resolver.undeclared.isEmpty {
            reasons.append("asks for undeclared " + resolver.undeclared.map { "$" + $0 }.joined(separator: ", ")
                + " (declare under `variables:` with a description)")
        }
        if !reasons.isEmpty { needsAnnotations.append(FileNote(path: runbook.path, reasons: reasons)) }
    }

    /// Why a step is shown only, by kind; nil when it may run.
    static func shownOnly(_ step: Step) -> ShownOnly? {
        if step.attributes.skip { return .skip }
        guard step.notRun != nil else { return step.command.isEmpty ? .empty : nil }
        if step.remoteOf != nil { return .remote }
        if step.typedInto != nil { return .typedIntoProgram }
        if step.opensShell != nil { return .afterShellOpener }
        return .notACommand
    }

    /// The code blocks of `document` that show prompts, by where they start, with their prompt lines.
    static func promptLines(_ document: MarkdownBlock) -> [(SourceLocation, Int)] {
        var out: [(SourceLocation, Int)] = []
        var stack = [document]
        while let block = stack.popLast() {
            stack += block.children
            guard case .codeBlock(let code) = block.kind else { continue }
            let lines = code.literal.lines().map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            let n = StepBlock.countingPrompts(lines).filter { $0 != nil }.count
            if n > 0 { out.append((block.location, n)) }
        }
        return out
    }
}
