import Foundation
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// `runbook check`: runs a runbook's read-only checks without a terminal UI and reports on them.
///
/// What runs: the verify and diagnose steps of the chosen entries (all entries when none is named),
/// or a checklist's items, or, for triage, the decision tree's probes. Fix and walkthrough steps never
/// run here; interactive and `skip` steps are reported as skipped with the reason. Every run is a
/// session with a journal.
public struct HeadlessCheck {
    public enum Selection: Sendable {
        /// The entries' checks; with `option`, only the checks of that fix option (and those of none).
        case entries([String], option: String? = nil)
        case checklist(String)
        case triage
    }

    public enum Failure: Error, CustomStringConvertible {
        case unknownEntry(String, [String])
        case unknownOption(String, entry: String, [String])
        case optionNeedsOneEntry
        case unknownChecklist(String, [String])
        case noTree
        case missingVariables([(name: String, step: Step)])
        case noShell(String)

        public var description: String {
            switch self {
            case .unknownEntry(let name, let known):
                "no entry `\(name)`: use an entry's id or anchor (\(known.joined(separator: ", ")))"
            case .unknownOption(let name, let entry, let known):
                known.isEmpty ? "no fix option `\(name)`: entry `\(entry)` offers no choice of fix"
                    : "no fix option `\(name)` in entry `\(entry)`: use one of \(known.map { "`\($0)`" }.joined(separator: ", "))"
            case .optionNeedsOneEntry: "--option needs exactly one --entry: the entry whose fix option was applied"
            case .unknownChecklist(let name, let known):
                known.isEmpty ? "no checklist `\(name)`: this runbook has none"
                    : "no checklist `\(name)`: use one of \(known.joined(separator: ", "))"
            case .noTree: "this runbook has no decision tree to triage with"
            case .missingVariables(let missing):
                missing.map { "variable \($0.name) has no value (step `\($0.step.id)` needs it): give it with --set \($0.name)=VALUE or in the environment" }
                    .joined(separator: "\n")
            case .noShell(let shell): "shell `\(shell)` from the front matter is not in PATH"
            }
        }
    }

    public var runbook: Runbook
    public var selection: Selection
    public var resolver: VariableResolver
    public var strict = false
    public var spoolOutput = false
    /// Run the checks even when a context (front matter `context:`) does not match; the report says so.
    public var ignoreContext = false
    /// Where temporary files go (the ``RunGuard``'s run folder); nil: /tmp.
    public var runFolder: String?

    public init(runbook: Runbook, selection: Selection, resolver: VariableResolver) {
        self.runbook = runbook
        self.selection = selection
        self.resolver = resolver
    }

    /// The planned work: suites of steps (nil for an item ticked by hand) with their scope.
    struct Plan {
        struct Item {
            var id: String
            var title: String
            var step: Step?
            var skip: String?
        }
        struct Suite {
            var id: String
            var title: String
            var items: [Item]
        }
        var suites: [Suite]
        var steps: [Step] { suites.flatMap { $0.items.compactMap { $0.skip == nil ? $0.step : nil } } }
    }

    /// Why `step` is not run here (``CheckPolicy``, a block's shell that is not installed, or an
    /// undeclared variable without a value), or nil. `assignedEarlier`: what the steps run before it
    /// in its scope assign.
    func skipReason(_ step: Step, assignedEarlier: Set<String> = []) -> String? {
        if let why = CheckPolicy.skipReason(step, in: runbook) { return why }
        if case .failure(let missing) = StepShell.program(
            for: step, runbookShell: runbook.shell, path: resolver.environment["PATH"]), missing.fromBlock
        {
            return missing.description
        }
        let unset = undeclaredMissing(step, assignedEarlier: assignedEarlier)
        if !unset.isEmpty {
            return "needs " + unset.map { "$" + $0 }.joined(separator: ", ")
                + ": not declared and not set; give it with " + unset.map { "--set \($0)=VALUE" }.joined(separator: " ")
                + " or in the environment"
        }
        return nil
    }

    /// The undeclared variables (`$NAME` that is neither declared nor a placeholder) `step` needs that
    /// have no value: the step would run with them empty, so it does not run.
    func undeclaredMissing(_ step: Step, assignedEarlier: Set<String>) -> [String] {
        resolver.missing(for: [step], assignedEarlier: assignedEarlier).map(\.name).filter { !resolver.isDeclared($0) }
    }

    /// `steps` with each one's skip reason, in order: what a step that runs assigns counts for the
    /// steps after it.
    func skipReasons(_ steps: [Step]) -> [String?] {
        var assigned = Set<String>()
        return steps.map { step in
            let why = skipReason(step, assignedEarlier: assigned)
            if why == nil { assigned.formUnion(ShellText(step.command).assignments) }
            return why
        }
    }

    func plan() throws(Failure) -> Plan {
        switch selection {
        case .triage:
            guard runbook.decisionTree != nil else { throw .noTree }
            return Plan(suites: [])
        case .checklist(let name):
            guard let list = runbook.checklist(named: name) else {
                throw .unknownChecklist(name, runbook.checklists.map(\.id))
            }
            var assigned = Set<String>()
            let items = list.items.enumerated().map { i, item in
                let why = item.step.flatMap { skipReason($0, assignedEarlier: assigned) }
                if let step = item.step, why == nil { assigned.formUnion(ShellText(step.command).assignments) }
                return Plan.Item(
                    id: item.step?.id ?? "\(list.id)-item-\(i + 1)", title: item.text, step: item.step, skip: why)
            }
            return Plan(suites: [.init(id: list.id, title: list.title, items: items)])
        case .entries(let names, let optionName):
            var entries: [Entry] = []
            if names.isEmpty {
                entries = runbook.entries
            } else {
                for name in names {
                    guard let e = runbook.entry(named: name) else {
                        throw .unknownEntry(name, runbook.entries.map(\.id))
                    }
                    entries.append(e)
                }
            }
            var option: String?
            if let optionName {
                guard entries.count == 1, let entry = entries.first else { throw .optionNeedsOneEntry }
                guard let found = entry.fixOption(named: optionName) else {
                    throw .unknownOption(optionName, entry: entry.id, entry.fixOptions)
                }
                option = found
            }
            let suites = entries.map { entry in
                let steps = entry.steps.filter {
                    ($0.role == .verify || $0.role == .diagnose) && (option == nil || $0.option == nil || $0.option == option)
                }
                return Plan.Suite(
                    id: entry.id, title: entry.title,
                    items: zip(steps, skipReasons(steps)).map { Plan.Item(id: $0.id, title: $0.title, step: $0, skip: $1) })
            }.filter { !$0.items.isEmpty }
            return Plan(suites: suites)
        }
    }

    /// The selection as the report names it: entries and checklists by id.
    var scope: CheckReport.Scope {
        switch selection {
        case .triage: .triage
        case .checklist(let name): .checklist(runbook.checklist(named: name)?.id ?? name)
        case .entries(let names, _): .entries(names.map { runbook.entry(named: $0)?.id ?? $0 })
        }
    }

    /// Checks what would run, before anything does: the selection exists, the shell is there,
    /// every variable has a value.
    public func validate() throws(Failure) -> [Step] {
        let plan = try plan()
        var steps = plan.steps
        if case .triage = selection { steps = runbook.decisionTree?.probes.filter { skipReason($0) == nil } ?? [] }
        // Undeclared variables skip their step (``skipReason``); declared ones stop the check.
        let missing = resolver.missing(for: steps).filter { resolver.isDeclared($0.name) || $0.step.placeholders.contains($0.name) }
        if !missing.isEmpty { throw .missingVariables(missing) }
        guard StepInvocation.shellPath(runbook.shell, path: resolver.environment["PATH"]) != nil else {
            throw .noShell(runbook.shell ?? "sh")
        }
        return steps
    }

    /// What `--dry-run` prints: each command with its variables' values shown in place (secrets masked).
    public func dryRun() throws(Failure) -> String {
        let steps = try validate()
        var out: [String] = []
        for step in steps {
            out.append("# \(step.role.rawValue) \(step.id)\(step.title.isEmpty ? "" : ": \(step.title)")")
            let preview = CommandPreview.render(step.command) { resolver.value(of: $0) }
            out.append(preview)
            out.append("")
        }
        if steps.isEmpty { out.append("nothing to run") }
        return out.joined(separator: "\n")
    }

    /// Runs the checks. `cancelFD` becomes readable when the user interrupts: the running step is
    /// cancelled and nothing more runs. `onEvent` sees progress lines for a person.
    public mutating func run(
        store: SessionStore, identity: SessionIdentity, cancelFD: Int32?, onProgress: (String) -> Void = { _ in }
    ) throws(Failure) -> (report: CheckReport, interrupted: Bool) {
        let plan = try plan()
        _ = try validate()
        let startedAt = Date()
        // A session that cannot be recorded does not stop the check: the report says so.
        var session: SessionStore.Begun?
        var sessionProblem: String?
        do {
            session = try store.begin(
                runbook: runbook, path: runbook.path, mode: "check", identity: identity,
                drillScenario: resolver.environment["RUNBOOK_DRILL"])
        } catch {
            sessionProblem = "cannot record the session: \(error)"
        }
        let journal = session?.journal

        var report = CheckReport(
            runbookId: runbook.id, runbookTitle: runbook.title, version: runbook.version?.description,
            sessionId: session?.id, strict: strict)
        report.scope = scope
        report.startedAt = startedAt
        var interrupted = false
        let folder = RunbookLinter.folder(of: runbook.path)

        // Where the commands would land, first: a context that does not match stops the check.
        if !runbook.context.isEmpty {
            let readings = ContextCheck.run(
                runbook, resolver: resolver, journal: journal, runFolder: runFolder, cancelFD: cancelFD)
            report.context = readings
            if readings.contains(where: { !$0.matches }) && !ignoreContext {
                report.contextRefused = true
                report.endedAt = Date()
                journal?.append(.sessionEnded(result: "refused: the context does not match"))
                journal?.close()
                if let problem = sessionProblem ?? journal?.failure {
                    report.journal = JournalStatus(recorded: false, error: problem)
                }
                return (report, false)
            }
        }

        func execute(_ step: Step, scope: String) -> StepRunResult {
            var runner = StepRunner(journal: journal, masker: SecretMasker(secrets: resolver.secretValues))
            runner.runtimeDirectory = runFolder
            if spoolOutput { runner.settings.spoolFolder = session?.folder }
            let cwd = step.attributes.cwd.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 } ?? folder
            let request = StepRunRequest(
                step: step, scope: scope, shell: runbook.shell, environment: resolver.environment(for: step),
                workingDirectory: cwd, timeLimit: step.attributes.timeout ?? runbook.timeout)
            onProgress("▶ \(step.id)")
            let result = runner.run(request, cancelFD: cancelFD)
            resolver.record(assignedByStep: result.assigned)
            if case .cancelled = result.end { interrupted = true }
            return result
        }

        if case .triage = selection, let tree = runbook.decisionTree {
            let walk = TriageWalk.walk(tree, skipReason: { skipReason($0) }) { probe in
                if interrupted { return nil }
                let result = execute(probe, scope: "tree")
                if case .failedToStart = result.end { return nil }
                if interrupted { return nil }
                return result.output.lines(in: 0..<result.output.count).map(\.text)
            }
            for (node, evidence) in zip(walk.path, walk.evidence) {
                if let line = evidence {
                    journal?.append(.decision(.init(kind: "probe_suggested", detail: "\(node.label) (output: \(line))")))
                }
                journal?.append(.decision(.init(kind: "branch_chosen", detail: node.label)))
            }
            var entryId: String?
            if let target = walk.target {
                if target.file == nil, let anchor = target.anchor {
                    entryId = runbook.entry(named: anchor)?.id ?? anchor
                } else {
                    entryId = target.description
                }
                journal?.append(.decision(.init(kind: "entry_reached", detail: entryId ?? "")))
            }
            report.triage = .init(path: walk.path.map(\.label), entry: entryId, reason: interrupted ? "interrupted" : walk.reason)
        }

        for suite in plan.suites {
            var cases: [CheckReport.Case] = []
            for item in suite.items {
                guard let step = item.step else {
                    cases.append(.init(id: item.id, title: item.title, role: "manual", command: nil, outcome: .manual, reason: "no command: tick it by hand"))
                    continue
                }
                let masker = SecretMasker(secrets: resolver.secretValues)
                if let why = item.skip ?? (interrupted ? "not run: interrupted" : nil) {
                    journal?.append(.stepSkipped(step: step.id, reason: why))
                    cases.append(.init(id: step.id, title: item.title, role: step.role.rawValue, command: masker.mask(step.command), outcome: .skipped, reason: why))
                    continue
                }
                let result = execute(step, scope: suite.id)
                let outcome: CheckReport.Case.Outcome
                switch result.outcome {
                case .passed: outcome = .passed
                case .failed, .cancelled: outcome = .failed
                case .needsAnswers:
                    // Manual when a person is all that judges it: nothing written but manual indicators.
                    outcome = result.verdicts.allSatisfy { $0.indicator.isManual || $0.implied } ? .manual : .passed
                }
                let failing = result.verdicts.filter { $0.state == .failed }
                var reason: String? = failing.isEmpty ? nil : failing.map { "\($0.indicator.text): \($0.reason ?? "failed")" }.joined(separator: "; ")
                if outcome == .failed, reason == nil { reason = result.end.description }
                if outcome == .manual { reason = "only a person can judge: answer in the TUI" }
                let tailCount = min(result.output.count, 12)
                let tail = result.output.lines(in: (result.output.count - tailCount)..<result.output.count).map {
                    $0.text + OutputLine.cutMark(droppedBytes: $0.droppedBytes)
                }
                cases.append(
                    .init(
                        id: step.id, title: item.title, role: step.role.rawValue, command: masker.mask(step.command),
                        outcome: outcome, reason: reason.map(masker.mask), end: result.end.description,
                        durationMs: result.durationMs, verdicts: result.verdicts.map { .init($0, masker: masker) },
                        outputTail: tail))
                onProgress("\(outcome == .failed ? "✗" : "✓") \(step.id)")
            }
            report.suites.append(.init(id: suite.id, title: suite.title, cases: cases))
        }

        report.endedAt = Date()
        let resultWord = interrupted ? "interrupted" : (report.exitCode == 0 ? "passed" : "failed")
        journal?.append(.sessionEnded(result: resultWord))
        journal?.close()
        if let problem = sessionProblem ?? journal?.failure {
            report.journal = JournalStatus(recorded: false, error: problem)
        }
        return (report, interrupted)
    }
}

/// The tool's version, as `--version` prints it and journals record it.
public enum RunbookVersion {
    public static let current = "0.2.0"
}
