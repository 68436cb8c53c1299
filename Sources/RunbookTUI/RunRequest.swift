import RunbookKit
import RunbookRunner

/// A step the engineer asked to run, on its way through the checks before it may: variables
/// (asked for when missing), confirmation (fixes and walkthrough steps), dry run.
struct RunRequest: Sendable {
    var runbook: Int
    var step: Step
    /// Entry id, checklist id or `tree`.
    var scope: String?
    /// Show the step screen once it starts (not for checklist items run by `a`, nor probes).
    var show: Bool
    /// The checklist item it checks, when run by `a`.
    var queued: Bool = false
}

/// `a` on a checklist: every checkable item in turn, each `.exited` starting the next.
struct RunAllQueue: Sendable, Hashable {
    var checklist: ChecklistKey
    var remaining: [Int]
    var current: RunID?
}

extension AppState {
    /// Asks to run a step: every check happens here, and nothing runs without the keypress that led
    /// here (and `y` for a step that asks first).
    mutating func request(_ r: RunRequest) -> [AppEffect] {
        guard let rb = runbook(r.runbook) else { return [] }
        let key = StepKey(runbook: r.runbook, step: r.step.id)
        if let last = lastRun(key), last.isRunning {
            status = .warning("\(r.step.id.safeLine) is still running: Ctrl-C cancels it")
            if r.show { showStep(key) }
            return []
        }
        if let why = r.step.shownOnlyReason {
            status = .info("\(r.step.id.safeLine) is shown only: \(why.safeLine)")
            return [.journal(.stepSkipped(step: r.step.id, reason: why), sync: false)]
        }
        var effects = startSession(r.runbook, rb)
        guard let resolver = resolver(for: r.runbook) else { return effects }
        let missing = resolver.missing(for: [r.step])
        if !missing.isEmpty {
            var screen = VariablesScreen(runbook: r.runbook)
            screen.ask(missing, for: r, resolver: resolver)
            push(.variables(screen))
            return effects
        }
        if options.dryRun {
            effects += start(r, dryRun: true)
            return effects
        }
        if let gate = contextGate(for: r.step, runbook: r.runbook) {
            // The context is wrong or unknown: the step runs only once the engineer types it.
            dialog = .confirm(ConfirmRun(request: r, preview: preview(r.step, runbook: r.runbook), context: gate))
            return effects
        }
        if r.step.asksFirst {
            dialog = .confirm(ConfirmRun(request: r, preview: preview(r.step, runbook: r.runbook)))
            return effects
        }
        effects += start(r, dryRun: false)
        return effects
    }

    /// The command as it will run, every variable with a value shown as that value, secrets masked.
    func preview(_ step: Step, runbook: Int) -> String {
        guard let resolver = resolver(for: runbook) else { return step.command }
        let shown = CommandPreview.render(step.command) { resolver.value(of: $0) }
        return SecretMasker(secrets: resolver.secretValues).mask(shown)
    }

    /// Starts a run: the journal's step_started, then `.run` (or `.runInteractive`); in a dry run only
    /// the record of what would have run.
    mutating func start(_ r: RunRequest, dryRun: Bool) -> [AppEffect] {
        guard let rb = runbook(r.runbook), let resolver = resolver(for: r.runbook) else { return [] }
        let id = RunID(nextRunID)
        nextRunID += 1
        let key = StepKey(runbook: r.runbook, step: r.step.id)
        var run = StepRun(
            id: id, step: r.step, scope: r.scope, runbook: r.runbook, preview: preview(r.step, runbook: r.runbook),
            isDryRun: dryRun, isInteractive: r.step.handsOverTerminal)
        if r.queued, !dryRun, runAll != nil, runAll?.current == nil { runAll?.current = id }
        var branches: [TreeNode] = []
        if r.step.role == .probe, let tree = rb.decisionTree,
            let node = tree.allNodes.first(where: { $0.probe?.id == r.step.id })
        {
            branches = node.children
        }
        run.branches = branches
        runs[id] = run
        lastRuns[key] = id
        if r.show { showStep(key) }

        if dryRun {
            status = .info("dry run: \(r.step.id.safeLine) is shown, not run")
            return [.journal(.stepSkipped(step: r.step.id, reason: "dry run: shown, not run"), sync: false)]
        }
        let environment = resolver.environment(for: r.step)
        let limit = r.step.attributes.timeout ?? rb.timeout
        let folder = RunbookLinter.folder(of: rb.path)
        let cwd = r.step.attributes.cwd.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 } ?? folder
        let launch = StepLaunch(
            step: r.step, scope: r.scope, shell: rb.shell, environment: environment, workingDirectory: cwd,
            timeLimitMs: limit?.milliseconds, secrets: resolver.secretValues)
        // The runtime's `StepExecution` journals the start, the output, the verdicts and the end.
        if r.step.safety.runsUntilInterrupted, !r.step.handsOverTerminal {
            status = .info("\(r.step.id.safeLine) runs until you stop it: Ctrl-C (\(r.step.safety.reason.safeLine))")
        }
        return [r.step.handsOverTerminal ? .runInteractive(id, launch) : .run(id, launch)]
    }

    /// Shows the step screen of `key`, unless it is already on top.
    mutating func showStep(_ key: StepKey) {
        if case .step(let s) = top, s.key == key { return }
        push(.step(StepScreen(key: key)))
    }

    // MARK: - Output and exit

    mutating func receiveOutput(_ id: RunID, lines: OutputLineBatch, partial: OutputLine?, verdicts: [Verdict]) -> [AppEffect] {
        guard runs[id]?.end == nil else { return [] }
        let hadSuggestion = runs[id]?.suggestion?.branch
        // In place: a copy of the run taken out and written back would copy its whole output buffer
        // (megabytes) on every batch, the buffer's storage being shared while both exist.
        runs[id]?.take(lines, partial: partial, verdicts: verdicts)
        if let run = runs[id], let s = run.suggestion, s.branch != hadSuggestion { followSuggestion(of: run) }
        return []
    }

    mutating func finishRun(_ id: RunID, _ ending: RunEnding) -> [AppEffect] {
        guard var run = runs[id], run.end == nil else { return [] }
        let end = ending.end
        if !ending.assigned.isEmpty { resolvers[run.runbook]?.record(assignedByStep: ending.assigned) }
        run.finish(ending)
        runs[id] = run
        if let answered = contextAnswered(run) { return answered }
        var effects: [AppEffect] = []
        if let s = run.suggestion, let rb = runbook(run.runbook), let tree = rb.decisionTree,
            let node = tree.allNodes.first(where: { $0.probe?.id == run.step.id }), node.children.indices.contains(s.branch)
        {
            let m = masker(for: run.runbook)
            effects.append(
                .journal(
                    .decision(.init(kind: "probe_suggested", step: run.step.id,
                                    detail: m.mask("\(node.children[s.branch].label) (output: \(s.line))"))),
                    sync: false))
        }
        let outcome = run.outcome
        let said = "\(run.step.id.safeLine) \(end.description): \(Label.outcome(outcome))"
            + (Label.endHint(end, short: true).map { " · " + $0 } ?? "")
        status = outcome == .failed || outcome == .cancelled ? .warning(said) : .info(said)
        if var queue = runAll, queue.current == id {
            queue.current = nil
            runAll = queue
            if end == .cancelled {
                runAll = nil
            } else {
                effects += advanceRunAll()
            }
        }
        return effects
    }

    /// Moves the triage screens that ran this probe to the branch it suggests.
    mutating func followSuggestion(of run: StepRun) {
        guard let s = run.suggestion else { return }
        for i in stack.indices {
            guard case .triage(var t) = stack[i].screen, t.runbook == run.runbook,
                let node = t.node(in: runbook(t.runbook)), node.probe?.id == run.step.id
            else { continue }
            t.selection = s.branch
            stack[i].screen = .triage(t)
        }
    }

    // MARK: - Run all

    /// Starts the next item of the checklist being run, skipping those that cannot run unattended.
    mutating func advanceRunAll() -> [AppEffect] {
        var effects: [AppEffect] = []
        while var queue = runAll, queue.current == nil {
            guard let item = queue.remaining.first else {
                runAll = nil
                if let rb = runbook(queue.checklist.runbook), rb.checklists.indices.contains(queue.checklist.checklist) {
                    let summary = checklistSummary(queue.checklist)
                    status = .info("checklist done: \(summary.text)")
                }
                break
            }
            queue.remaining.removeFirst()
            runAll = queue
            guard let rb = runbook(queue.checklist.runbook), rb.checklists.indices.contains(queue.checklist.checklist),
                rb.checklists[queue.checklist.checklist].items.indices.contains(item),
                let step = rb.checklists[queue.checklist.checklist].items[item].step
            else { continue }
            if step.handsOverTerminal || !step.isRunnable {
                let why = step.shownOnlyReason ?? "interactive: it needs the terminal; run it with Enter"
                effects.append(.journal(.stepSkipped(step: step.id, reason: why), sync: false))
                continue
            }
            effects += request(
                RunRequest(runbook: queue.checklist.runbook, step: step, scope: rb.checklists[queue.checklist.checklist].id,
                           show: false, queued: true))
            // A request that did not start a run (it asks for variables, waits for a confirmation,
            // or was a dry run) leaves `current` empty: a dry run goes on at once; the others go on
            // once answered.
            if runAll?.current == nil, dialog != nil || top.kind == "variables" { break }
        }
        return effects
    }

    // MARK: - Cancel

    /// Ctrl-C: cancels the run the screen is about, or else the latest running one.
    mutating func cancelFocusedRun() -> [AppEffect] {
        var target: RunID?
        switch top {
        case .step(let s): target = lastRuns[s.key]
        case .triage(let t):
            if let probe = t.node(in: runbook(t.runbook))?.probe { target = lastRuns[StepKey(runbook: t.runbook, step: probe.id)] }
        case .checklist: target = runAll?.current
        default: break
        }
        if let t = target, runs[t]?.isRunning != true { target = nil }
        if target == nil { target = runningRuns.last }
        guard let id = target, let run = runs[id] else {
            status = .info("nothing is running")
            return []
        }
        if run.cancelRequested {
            status = .info("\(run.step.id.safeLine) is being cancelled…")
            return []
        }
        runs[id]?.cancelRequested = true
        if runAll?.current == id { runAll?.remaining = [] }
        status = .info("cancelling \(run.step.id.safeLine)…")
        return [
            .journal(.decision(.init(kind: "step_cancelled", step: run.step.id, detail: "cancelled with Ctrl-C")), sync: false),
            .cancel(id),
        ]
    }

    // MARK: - Manual indicators

    /// Answers manual indicator `index` of a run (by default the first still waiting for one); a run
    /// whose checks failed takes no answers.
    mutating func answerManual(_ id: RunID, index: Int? = nil, yes: Bool) -> [AppEffect] {
        // A run whose checks failed stays failed whatever the answers: nothing is asked.
        guard var run = runs[id], !run.checksFailed,
            let index = index ?? run.verdicts.firstIndex(where: { $0.state == .needsAnswer }),
            run.verdicts.indices.contains(index), run.verdicts[index].state == .needsAnswer
        else {
            return []
        }
        guard let v = run.answer(index, yes: yes) else { return [] }
        let m = masker(for: run.runbook)
        var effects: [AppEffect] = [
            .journal(
                .decision(.init(kind: "manual_answered", step: run.step.id, detail: m.mask("\(v.indicator.text): \(yes ? "yes" : "no")"))),
                sync: false),
            .journal(.verdict(JournalEvent.VerdictRecord(step: run.step.id, index: index, verdict: v, masker: m)), sync: false),
        ]
        if let end = run.end, !run.verdicts.contains(where: { $0.state == .needsAnswer }) {
            effects.append(
                .journal(
                    StepExecution.finishedRecord(
                        step: run.step, end: end, durationMs: run.durationMs ?? 0,
                        outcome: StepOutcome.judge(end: end, verdicts: run.verdicts), masker: m),
                    sync: true))
        }
        runs[id] = run
        return effects
    }
}

extension StepRun {
    /// Whether a check of the run failed: its command's exit (the implied `exit 0` included) or a
    /// checkable indicator. The run has then failed whatever a person answers, so its manual indicators
    /// are not asked.
    var checksFailed: Bool { verdicts.contains { !$0.indicator.isManual && $0.state == .failed } }
}
