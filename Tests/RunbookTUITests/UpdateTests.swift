import Foundation
import RunbookKit
import Testing

@testable import RunbookTUI

/// `update`: events in, effects out, state as the screens show it.
@Suite("update: navigation, triage, steps, checklists, variables")
struct UpdateTests {
    // MARK: - Drills

    @Test("a drill opens on its runbook above Home at start, with DRILL and the scenario's title in the banner")
    func drillStart() {
        var s = Fixture.state([Fixture.troubleshooting, Fixture.onboarding]) {
            $0.drill = true
            $0.drillId = "ssl-required"
            $0.drillTitle = "Cloud SQL requires SSL"
            $0.initialRunbookPath = "runbooks/gke-staging-onboarding.md"
        }
        #expect(s.screenName == "home")
        let effects = s.update(.started)
        #expect(effects == [.openSession(runbookPath: "runbooks/gke-staging-onboarding.md")])
        #expect(s.screenNames == ["home", "runbook"])
        let header = s.screen.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix(" DRILL: Cloud SQL requires SSL "), "\(header)")
        // Once started, `.started` again changes nothing; q goes back to Home, which stays below.
        #expect(s.update(.started).isEmpty)
        s.press(.character("q"))
        #expect(s.screenName == "home")
    }

    @Test("without an initial runbook, or with one not in the library, the TUI starts on Home; a long title is clipped")
    func drillStartFallbacks() {
        var plain = Fixture.state([Fixture.troubleshooting])
        #expect(plain.update(.started).isEmpty)
        #expect(plain.screenName == "home")
        var missing = Fixture.state([Fixture.troubleshooting]) { $0.initialRunbookPath = "runbooks/none.md" }
        #expect(missing.update(.started).isEmpty)
        #expect(missing.screenName == "home")
        var long = Fixture.state([Fixture.troubleshooting], size: ScreenSize(columns: 40, rows: 12)) {
            $0.drill = true
            $0.drillTitle = String(repeating: "very long title ", count: 10) + "\u{1B}[31m"
        }
        let header = long.screen.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix(" DRILL: very long"))
        #expect(!header.contains("\u{1B}"))
        #expect(header.contains("runbook"), "the title leaves room for the crumbs: \(header)")
    }

    // MARK: - Home and navigation

    @Test("arrows and j/k move on Home, Enter opens a runbook and starts its session, q goes back")
    func navigation() {
        var s = Fixture.state([Fixture.troubleshooting, Fixture.onboarding, Fixture.preDeploy])
        #expect(s.screenName == "home")
        s.press(.down, .character("j"))
        #expect(s.screen.contains("› Backend staging on GKE: pre-deploy"))
        s.press(.up, .character("k"), .up)
        #expect(s.screen.contains("› Backend staging on GKE: troubleshooting"))
        let effects = s.press(.enter)
        #expect(effects == [.openSession(runbookPath: "runbooks/gke-staging-troubleshooting.md")])
        #expect(s.screenName == "runbook")
        #expect(s.screen.contains("Issue 4: Cloud SQL requires SSL"))
        // Opening it again does not start a second session.
        s.press(.character("q"))
        #expect(s.screenName == "home")
        #expect(s.press(.enter).isEmpty)
        s.press(.escape)
        #expect(s.screenName == "home")
    }

    @Test("typing on Home filters by title or id; Backspace deletes; Esc clears; Enter opens the match")
    func filter() {
        var s = Fixture.state([Fixture.troubleshooting, Fixture.onboarding, Fixture.preDeploy])
        s.type("pre")
        #expect(s.screen.contains("Filter: pre"))
        #expect(s.screen.contains("› Backend staging on GKE: pre-deploy chec"))
        // One runbook in the table (the entries found are listed under it).
        #expect(s.screen.split(separator: "\n").filter { $0.range(of: #" v[0-9]+\."#, options: .regularExpression) != nil }.count == 1)
        #expect(s.screen.contains("1 of 3"))
        s.press(.backspace, .backspace, .backspace)
        #expect(s.screen.contains("3 of 3"))
        s.type("onboard")
        let effects = s.press(.enter)
        #expect(effects == [.openSession(runbookPath: "runbooks/gke-staging-onboarding.md")])
        #expect(s.screen.contains("Walkthrough"))
        s.press(.character("q"))
        s.press(.escape)
        #expect(!s.screen.contains("Filter:"))
        // `/` starts a filter even with a letter that is a key.
        s.press(.character("/"))
        s.type("q")
        #expect(s.screen.contains("Filter: q"))
        #expect(!s.isFinished)
        #expect(s.screen.contains("no runbook matches the filter"))
    }

    // MARK: - Triage

    /// Opens the troubleshooting runbook's triage.
    func troubleshootingTriage() -> AppState {
        var s = Fixture.state([Fixture.troubleshooting, Fixture.onboarding, Fixture.preDeploy])
        s.press(.enter)
        let effects = s.press(.enter)
        #expect(s.screenName == "triage")
        #expect(effects.decisions.map(\.detail) == ["What state is the backend pod in?"])
        return s
    }

    @Test("p runs the probe; a matching output line highlights the branch it suggests, with that line")
    func probeSuggests() throws {
        var s = troubleshootingTriage()
        let effects = s.press(.character("p"))
        let (id, launch) = try #require(effects.runs.first)
        #expect(launch.step.id == "pod-state")
        #expect(launch.scope == "tree")
        #expect(launch.environment["NAMESPACE"] == "coditect-staging")
        #expect(launch.environment["APP_LABEL"] == "coditect-backend")
        #expect(launch.shell == "bash")
        #expect(launch.timeLimitMs == 60_000)
        #expect(s.wantsTicks)
        #expect(!s.screen.contains("◆ suggested"))

        s.output(id, "coditect-backend-6d8f9c7b5d-4kx2p waiting=CrashLoopBackOff ready=false")
        let screen = s.screen
        #expect(screen.contains("› CrashLoopBackOff: the container starts and dies again"))
        #expect(screen.contains("◆ suggested"))
        #expect(screen.contains("matched: coditect-backend-6d8f9c7b5d-4kx2p waiting=CrashLoopBackOff"))

        let end = s.exit(id)
        #expect(end.decisions.map(\.kind) == ["probe_suggested"])
        #expect(end.decisions.first?.detail.contains("CrashLoopBackOff") == true)
        #expect(!s.wantsTicks)

        // Enter follows the suggestion and passes through the question with one answer.
        let follow = s.press(.enter)
        #expect(follow.decisionKinds == ["branch_chosen", "branch_chosen"])
        #expect(follow.decisions.last?.detail == "What did the crashed container write before it died?")
        #expect(s.screen.contains("What did the crashed container write before it died?"))
        #expect(s.screen.contains("probe crash-logs"))
    }

    @Test("any branch can be chosen by hand, without running the probe; ← goes back up")
    func chooseByHand() {
        var s = troubleshootingTriage()
        let effects = s.press(.enter)
        #expect(effects.runs.isEmpty)
        #expect(effects.decisions.map(\.detail) == [
            "ImagePullBackOff or ErrImagePull: the node cannot pull the image",
            "Which image does the pod ask for, and why does the pull fail?",
        ])
        #expect(s.screen.contains("Which image does the pod ask for, and why does the pull fail?"))
        #expect(s.screen.contains("Path: … › What state is the backend pod in? › ImagePullBackOff or ErrImagePull"))
        s.press(.left)
        #expect(s.screen.contains("\n What state is the backend pod in?"))
        s.press(.left)
        #expect(s.screen.contains("Where do you start?"))
        #expect(s.screen.contains("I only need a command: Quick reference"))
    }

    @Test("a leaf reached by the probe's suggestion opens its entry, and the journal says so")
    func reachEntry() throws {
        var s = troubleshootingTriage()
        s.press(.down, .enter)  // CrashLoopBackOff, by hand
        let effects = s.press(.character("p"))
        let (id, launch) = try #require(effects.runs.first)
        #expect(launch.step.id == "crash-logs")
        s.output(id, "Starting gunicorn", "psycopg2.OperationalError: FATAL: connection requires a valid client certificate")
        s.exit(id, 0)
        #expect(s.screen.contains("› valid client certificate or pg_hba.conf rejects: Issue 4"))
        let reach = s.press(.enter)
        #expect(reach.decisionKinds == ["branch_chosen", "entry_reached"])
        #expect(reach.decisions.last?.detail == "issue-4-cloud-sql-requires-ssl")
        #expect(s.screenName == "entry")
        #expect(s.screen.contains("Issue 4: Cloud SQL requires SSL"))
        #expect(s.screen.contains("Symptoms"))
        #expect(s.screen.contains("Fix: choose one option"))
        // Back in triage, the leaf offers its entry again.
        s.press(.character("q"))
        #expect(s.screenName == "triage")
        #expect(s.screen.contains("leads to #issue-4-cloud-sql-requires-ssl"))
    }

    @Test("a leaf that points into another runbook opens it there, with its own session")
    func reachOtherRunbook() {
        var s = troubleshootingTriage()
        s.press(.left)  // to the first level
        s.press(.down, .down, .down, .down)  // I am about to deploy: Pre-deploy checklist
        let effects = s.press(.enter)
        #expect(effects.decisionKinds == ["branch_chosen", "entry_reached"])
        #expect(effects.contains(.openSession(runbookPath: "runbooks/gke-staging-pre-deploy.md")))
        #expect(s.screenName == "checklist")
        #expect(s.screen.contains("Pre-deploy checklist"))
    }

    // MARK: - Fixes

    /// The small runbook's `Database login` entry.
    func smallEntry(configure: (inout AppOptions) -> Void = { _ in }) -> AppState {
        var s = Fixture.state([Fixture.smallRunbook], configure: configure)
        s.press(.enter)
        // Start: triage, walkthrough, variables; then the entries.
        s.press(.down, .down, .down, .enter)
        #expect(s.screenName == "entry")
        return s
    }

    @Test("fix options are a choice; the chosen option's fix asks for the missing secret, then shows the exact command masked; y runs it")
    func fixConfirmed() throws {
        var s = smallEntry()
        #expect(s.screen.contains("○ Option A: Reset the password (staging only)"))
        #expect(!s.screen.contains("fix       Option A"))
        let chosen = s.press(.down, .enter)
        #expect(chosen.decisions.map(\.kind) == ["option_chosen"])
        #expect(chosen.decisions.first?.detail == "database-login: Option A: Reset the password (staging only)")
        #expect(s.screen.contains("● Option A"))

        // The step needs DB_PASSWORD, which has no value: asked for before anything runs.
        let asked = s.press(.enter)
        #expect(asked.runs.isEmpty)
        #expect(s.screenName == "variables")
        #expect(s.screen.contains("Step reset-password needs a value before it runs: DB_PASSWORD"))
        s.type("s3cr3t-pw")
        #expect(s.screen.contains("•••••••••▏"))
        #expect(!s.screen.contains("s3cr3t"))
        let given = s.press(.enter)
        #expect(given.decisions.map(\.detail) == ["DB_PASSWORD=••••••"])
        #expect(given.runs.isEmpty, "a fix asks first")

        // The confirmation: the exact command, variables resolved, the secret masked.
        #expect(s.isAsking)
        let screen = s.screen
        #expect(screen.contains("Run this fix?"))
        #expect(screen.contains("$ gcloud sql users set-password app --password=\"••••••\""))
        #expect(!screen.contains("s3cr3t-pw"))

        let run = s.press(.character("y"))
        #expect(run.decisionKinds == ["fix_confirmed"])
        let (_, launch) = try #require(run.runs.first)
        #expect(launch.step.id == "reset-password")
        #expect(launch.environment["DB_PASSWORD"] == "s3cr3t-pw")
        #expect(launch.secrets == ["s3cr3t-pw"])
        #expect(launch.scope == "database-login")
        #expect(!"\(run.journal)".contains("s3cr3t-pw"), "nothing journaled shows the secret")
        #expect(s.screenName == "step")
    }

    @Test("n declines a fix: nothing runs and the journal records fix_declined")
    func fixDeclined() {
        var s = smallEntry { $0.given = ["DB_PASSWORD": "pw"] }
        s.press(.down, .down, .enter)  // Option B
        #expect(s.screen.contains("● Option B"))
        s.press(.enter)  // its fix step
        #expect(s.isAsking)
        #expect(s.screen.contains("$ kubectl create secret generic db -n \"staging\""))
        #expect(s.screen.contains("    --from-literal=password=\"••••••\""))
        let effects = s.press(.character("n"))
        #expect(effects.runs.isEmpty)
        #expect(effects.decisionKinds == ["fix_declined"])
        #expect(!s.isAsking)
        #expect(s.screenName == "entry")
        #expect(s.screen.contains("not run"))
    }

    @Test("an interactive fix hands the terminal over with .runInteractive")
    func interactive() throws {
        let rb = Fixture.inline("""
            ---
            title: Edit the manifest
            ---
            # Edit the manifest

            ## Change the manifest

            ### Fix

            ```sh {name=edit-manifest interactive}
            vim manifest.yaml
            ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .down, .down, .enter)
        #expect(s.screen.contains("Change the manifest"))
        #expect(s.screen.contains("interactive"))
        s.press(.enter)
        #expect(s.isAsking)
        #expect(s.screen.contains("interactive: it takes over the terminal"))
        let effects = s.press(.character("y"))
        let (id, launch) = try #require(effects.interactiveRuns.first)
        #expect(launch.step.id == "edit-manifest")
        #expect(effects.runs.isEmpty)
        let end = s.update(.interactiveFinished(id, s.ending(id, end: .exited(0), ms: 5000, assigned: [:])))
        #expect(s.screen.contains("✓ passed"))
        #expect(s.screen.contains("it ran in the terminal: its output is not kept here"), "not “no output”")
    }

    // MARK: - Steps

    @Test("a verify step's indicators turn pass and fail as lines arrive; exit decides the rest; a failed check asks nothing")
    func indicatorsStream() throws {
        var s = smallEntry()
        // The verify step is the last item.
        s.press(.end)
        let effects = s.press(.enter)
        let (id, launch) = try #require(effects.runs.first)
        #expect(launch.step.id == "db-connects")
        #expect(s.screenName == "step")
        var screen = s.screen
        #expect(screen.contains("… pending    contains System check identified no issues"))
        #expect(screen.contains("? answer y/n"))
        #expect(screen.contains("● running"))

        var out = s.output(id, "System check identified no issues (0 silenced).")
        screen = s.screen
        #expect(screen.contains("✓ pass       contains System check identified no issues"))
        #expect(screen.contains("… pending    no OperationalError"))
        #expect(out.journal.isEmpty, "the runtime's StepExecution journals output and verdicts, not update")

        out = s.output(id, "django.db.utils.OperationalError: boom", channel: .stderr)
        screen = s.screen
        #expect(screen.contains("✗ fail       no OperationalError"))
        #expect(screen.contains("↳ django.db.utils.OperationalError: boom"))
        #expect(screen.contains("!django.db.utils.OperationalError: boom"), "standard error is marked")

        s.exit(id, 0, ms: 3400)
        screen = s.screen
        #expect(screen.contains("✓ pass       exit 0"))
        #expect(screen.contains("✗ failed  exit 0 · 3.4s"))

        // A check failed: no answer could make the step pass, so the manual one is not asked.
        #expect(screen.contains("- not asked  The application's log shows requests being served"))
        #expect(s.press(.character("y")).decisionKinds == [])
    }

    @Test("Ctrl-C cancels the running step: .cancel, then its end shows as cancelled")
    func cancel() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        let effects = s.press(.control("c"))
        #expect(effects.cancels == [id])
        #expect(effects.decisionKinds == ["step_cancelled"])
        #expect(s.screen.contains("● cancelling"))
        #expect(s.press(.control("c")).cancels.isEmpty, "a second Ctrl-C does not cancel twice")
        s.end(id, .cancelled, ms: 2100, assigned: [:])
        #expect(s.screen.contains("✗ cancelled"))
        #expect(s.screen.contains("✗ fail       contains System check identified no issues"))
        #expect(s.press(.control("c")).isEmpty)
        #expect(s.screen.contains("nothing is running"))
    }

    @Test("q on Home asks first while a step runs; n stays, y quits: the step's end, cancelled, comes before session_ended")
    func quitWhileRunning() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        s.press(.character("q"), .character("q"), .character("q"))
        #expect(s.screenName == "home")
        #expect(s.press(.character("q")).isEmpty)
        #expect(s.isAsking)
        #expect(s.screen.contains("A step is still running: db-connects"))
        s.press(.character("n"))
        #expect(!s.isAsking)
        #expect(!s.isFinished)
        s.press(.character("q"))
        let effects = s.press(.character("y"))
        #expect(s.isFinished)
        #expect(effects.decisions == [.init(kind: "quit", step: "db-connects", detail: "the engineer quit while db-connects ran: cancelled")])
        #expect(!effects.journal.contains { if case .sessionEnded = $0 { return true } else { return false } },
                "the session ends after the step does")
        // The runtime prints the session hint itself, once: the state has no message of its own.
        #expect(effects.last == .quit(message: nil))
        // Keys do nothing any more; the step's last output and its end (journaled by its execution)
        // still come, then the session's end.
        #expect(s.press(.character("r"), .enter).isEmpty)
        #expect(s.output(id, "still talking").isEmpty)
        let end = s.end(id, .cancelled, ms: 2100, assigned: [:])
        #expect(end.journal == [.sessionEnded(result: "ended (a step was cancelled by leaving)")])
        #expect(s.update(.stopped).isEmpty, "the session ends once")
    }

    @Test("when the runtime leaves on its own, the running step ends as cancelled, then the session")
    func stoppedUnasked() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        let effects = s.update(.stopped)
        #expect(s.isFinished)
        #expect(effects.decisions.map(\.detail) == ["runbook stopped while db-connects ran: cancelled"])
        #expect(effects.journal.map(\.typeName).suffix(1) == ["session_ended"])
        #expect(effects.journal.last == .sessionEnded(result: "ended: runbook stopped (a step was cancelled by leaving)"))
        #expect(s.end(id, .cancelled, ms: 10, assigned: [:]).isEmpty)
        #expect(TerminalApp.sessionHint([]) == "")
        #expect(TerminalApp.sessionHint(["a"]) == "session a recorded\nits report: runbook report a\n")
        #expect(TerminalApp.sessionHint(["a", "b"]) == "sessions recorded: a, b\na report: runbook report <session>\n")
    }

    @Test("when the runtime stops waiting, the steps still running end as cancelled, then the session")
    func stoppedWhileRunning() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        let effects = s.update(.terminate(signal: 1))
        #expect(effects.decisions.map(\.detail) == ["signal 1 ended runbook while db-connects ran: cancelled"])
        #expect(effects.last == .quit(message: nil))
        let end = s.update(.stopped)
        let kinds = end.journal.map(\.typeName)
        #expect(kinds.suffix(1) == ["session_ended"])
        #expect(end.journal.last == .sessionEnded(result: "interrupted by signal 1 (a step was cancelled by leaving)"))
        #expect(s.end(id, .cancelled, ms: 10, assigned: [:]).isEmpty, "the run had ended")
    }

    @Test("q on Home quits at once when nothing runs; without a session there is no hint")
    func quitIdle() {
        var s = Fixture.state([Fixture.smallRunbook])
        #expect(s.press(.character("q")) == [.quit(message: nil)])
        #expect(s.isFinished)
    }

    @Test("a terminating signal ends the session and quits")
    func terminate() {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter)
        let effects = s.update(.terminate(signal: 15))
        #expect(effects.journal == [.sessionEnded(result: "interrupted by signal 15")])
        #expect(s.isFinished)
    }

    @Test("the step screen searches its output; n and N move between matches; r runs it again")
    func searchAndRerun() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        for i in 1...60 { s.output(id, i % 20 == 0 ? "match number \(i)" : "line \(i)") }
        s.exit(id, 1)
        s.press(.character("/"))
        s.type("match")
        s.press(.enter)
        #expect(s.screen.contains("▶match number 60"))
        s.press(.character("N"))
        #expect(s.screen.contains("▶match number 40"))
        s.press(.character("N"))
        #expect(s.screen.contains("▶match number 20"))
        s.press(.character("N"))
        #expect(s.screen.contains("no more matches above"))
        s.press(.character("n"))
        #expect(s.screen.contains("▶match number 40"))
        // Esc ends the search (the screen stays); the next Esc goes back.
        s.press(.escape)
        #expect(s.screenName == "step")
        #expect(!s.screen.contains("/match"))
        let again = s.press(.character("r"))
        let (id2, _) = try #require(again.runs.first)
        #expect(id2 > id)
        #expect(s.screen.contains("● running"))
        #expect(s.screen.contains("Output (0 lines)"))
    }

    @Test("values a step assigns are kept for the steps after it")
    func assignedValues() throws {
        var s = Fixture.state([Fixture.preDeploy])
        s.press(.enter)
        s.press(.end, .enter)  // the last checklist
        s.press(.character("q"))
        s.press(.up, .enter)  // Pre-deploy checklist
        #expect(s.screenName == "checklist")
        s.press(.down, .enter)  // node-account-can-pull assigns GKE_SA
        let (id, launch) = try #require(s.runningRuns.first.map { ($0, s.runs[$0]!.step) })
        #expect(launch.id == "node-account-can-pull")
        s.exit(id, 0, assigned: ["GKE_SA": "node-sa@example.iam.gserviceaccount.com"])
        #expect(s.resolvers[0]?.value(of: "GKE_SA")?.source == .step)
    }

    @Test("values an interactive step assigns are handed on to the steps after it, as a background step's are")
    func interactiveAssigns() throws {
        let rb = Fixture.inline("""
            ---
            title: Pick a pod
            ---
            # Pick a pod

            ## Pick and look

            ### Diagnosis

            ```sh {name=pick interactive confirm=false}
            printf 'pod? '; read -r POD
            ```

            ```sh {name=describe}
            kubectl describe pod "$POD"
            ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .down, .down, .enter)
        #expect(s.screenName == "entry")
        let (id, launch) = try #require(s.press(.enter).interactiveRuns.first)
        #expect(launch.step.id == "pick")
        s.update(.interactiveFinished(id, s.ending(id, end: .exited(0), ms: 4000, assigned: ["POD": "backend-7d9f"])))
        #expect(s.resolvers[0]?.value(of: "POD")?.source == .step)
        s.press(.character("q"), .down)
        let (_, next) = try #require(s.press(.enter).runs.first)
        #expect(next.step.id == "describe")
        #expect(next.environment["POD"] == "backend-7d9f")
    }

    @Test("with several manual indicators open, Tab picks the one y/n answers, marked ▸; the mark moves on to the next open one")
    func chooseManualIndicator() throws {
        let rb = Fixture.inline("""
            ---
            title: Look by eye
            ---
            # Look by eye

            ## Dashboards

            ### Verify

            ```sh {name=look}
            echo ok
            ```

            Success indicators:

            - exit 0
            - The error rate graph is flat
            - The latency graph is under 200 ms
            - Nobody in the channel reports errors
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .down, .down, .enter)
        let (id, _) = try #require(s.press(.enter).runs.first)
        s.exit(id, 0)
        var screen = s.screen
        #expect(screen.contains("▸? answer y/n The error rate graph is flat"))
        #expect(screen.contains(" ? answer y/n The latency graph is under 200 ms"))
        #expect(screen.contains("▸ answer: y yes  n no  Tab marks another"))
        // Tab moves the mark to the second open one; y answers that one, not the first.
        s.press(.tab)
        screen = s.screen
        #expect(screen.contains("▸? answer y/n The latency graph is under 200 ms"))
        let yes = s.press(.character("y"))
        #expect(yes.decisions.map(\.detail) == ["The latency graph is under 200 ms: yes"])
        screen = s.screen
        #expect(screen.contains(" ✓ pass       The latency graph is under 200 ms"))
        #expect(screen.contains(" ? answer y/n The error rate graph is flat"))
        // The mark moved on to the next open one after it.
        #expect(screen.contains("▸? answer y/n Nobody in the channel reports errors"))
        // Shift-Tab goes back, wrapping; n answers it.
        s.press(.backTab)
        #expect(s.screen.contains("▸? answer y/n The error rate graph is flat"))
        #expect(s.press(.character("n")).decisions.map(\.detail) == ["The error rate graph is flat: no"])
        screen = s.screen
        #expect(screen.contains(" ✗ fail       The error rate graph is flat"))
        #expect(screen.contains("▸? answer y/n Nobody in the channel reports errors"))
        #expect(screen.contains("▸ answer: y yes  n no"))
        #expect(!screen.contains("Tab marks another"), "one left: nothing else to mark")
        s.press(.character("y"))
        #expect(!s.screen.contains("▸"))
        #expect(s.press(.tab).isEmpty)
        #expect(s.screen.contains("this step has none open"))
    }

    // MARK: - Checklists

    @Test("a runs every checkable item in turn, each exit starting the next; space ticks a manual item; the summary counts")
    func checklistRunAll() throws {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter, .end, .enter)
        #expect(s.screenName == "checklist")
        #expect(s.screen.contains("0 passed, 0 failed, 1 to tick, 1 ticked, 2 not run"))

        let first = s.press(.character("a"))
        #expect(first.runs.count == 1, "one at a time")
        let (id1, l1) = try #require(first.runs.first)
        #expect(l1.step.id == "cluster-answers")
        #expect(l1.scope == "before-a-deploy")
        #expect(s.screen.contains("… running     The cluster answers"))
        #expect(s.screen.contains("⋯ queued      The namespace exists"))
        s.output(id1, "Kubernetes control plane is running at https://10.0.0.1")

        let second = s.exit(id1)
        let (id2, l2) = try #require(second.runs.first)
        #expect(l2.step.id == "namespace-exists")
        #expect(s.screen.contains("✓ passed      The cluster answers"))
        let done = s.exit(id2, 1)
        #expect(done.runs.isEmpty, "nothing left to run")
        #expect(s.screen.contains("✗ failed      The namespace exists"))
        #expect(s.screen.contains("1 passed, 1 failed, 1 to tick, 1 ticked"))
        #expect(s.screen.contains("✗ not ready: 1 failed"))

        s.press(.down, .down)
        let tick = s.press(.character(" "))
        #expect(tick.decisions.map(\.detail) == ["Someone from the team knows about the deploy: ticked"])
        #expect(s.screen.contains("☑ ticked      Someone from the team knows about the deploy"))
        #expect(s.screen.contains("1 passed, 1 failed, 0 to tick, 2 ticked"))
        s.press(.character(" "))
        #expect(s.screen.contains("☐ to tick     Someone from the team knows about the deploy"))
        // Space on an item with a command does not tick it.
        s.press(.home, .character(" "))
        #expect(s.screen.contains("checked by its command"))
    }

    @Test("run-all stops to ask for a missing value, then goes on with the same item and the rest")
    func runAllAsks() throws {
        let rb = Fixture.inline("""
            ---
            title: Gate
            variables:
              TOKEN_FILE:
                description: Where the token is
            ---
            # Gate

            ## Gate checks

            - [ ] First

              ```sh {name=first}
              true
              ```

            - [ ] Second

              ```sh {name=second}
              test -s "$TOKEN_FILE"
              ```

            - [ ] Third

              ```sh {name=third}
              true
              ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .end, .enter)
        #expect(s.screenName == "checklist")
        let (id1, _) = try #require(s.press(.character("a")).runs.first)
        let afterFirst = s.exit(id1)
        #expect(afterFirst.runs.isEmpty, "the second needs a value first")
        #expect(s.screenName == "variables")
        s.type("/run/token")
        let given = s.press(.enter)
        let (id2, l2) = try #require(given.runs.first)
        #expect(l2.step.id == "second")
        #expect(l2.environment["TOKEN_FILE"] == "/run/token")
        #expect(s.screenName == "checklist")
        let (_, l3) = try #require(s.exit(id2).runs.first)
        #expect(l3.step.id == "third")
    }

    @Test("Ctrl-C during run-all cancels the item and stops the rest")
    func runAllCancel() throws {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter, .end, .enter)
        let (id1, _) = try #require(s.press(.character("a")).runs.first)
        #expect(s.press(.control("c")).cancels == [id1])
        let after = s.end(id1, .cancelled, ms: 10, assigned: [:])
        #expect(after.runs.isEmpty)
        #expect(s.screen.contains("○ not run     The namespace exists"))
    }

    // MARK: - Variables

    @Test("the variables screen edits a value in place and masks secrets")
    func variablesEdit() {
        var s = Fixture.state([Fixture.smallRunbook], environment: ["PATH": "/bin", "DB_PASSWORD": "from-env-secret"])
        s.press(.enter, .character("v"))
        #expect(s.screenName == "variables")
        var screen = s.screen
        #expect(screen.contains("NAMESPACE    staging"))
        #expect(screen.contains("DB_PASSWORD  ••••••"))
        #expect(screen.contains("environment · secret"))
        #expect(!screen.contains("from-env-secret"))
        #expect(screen.contains("REGION       — no value"))

        s.press(.enter, .control("u"))
        s.type("production")
        #expect(s.screen.contains("NAMESPACE    production▏"))
        let set = s.press(.enter)
        #expect(set.decisions.map(\.detail) == ["NAMESPACE=production"])
        screen = s.screen
        #expect(screen.contains("NAMESPACE    production"))
        #expect(screen.contains("given"))
        #expect(s.resolvers[0]?.value(of: "NAMESPACE")?.value == "production")

        // A secret starts empty when edited and is never shown.
        s.press(.down, .enter)
        s.type("new-secret")
        #expect(s.screen.contains("••••••••••▏"))
        let secret = s.press(.enter)
        #expect(secret.decisions.map(\.detail) == ["DB_PASSWORD=••••••"])
        #expect(!s.screen.contains("new-secret"))
        // Esc leaves a value as it was.
        s.press(.down, .enter)
        s.type("eu-west1")
        s.press(.escape)
        #expect(s.screen.contains("REGION       — no value"))
    }

    @Test("a step whose variable has no value asks for it before running; Esc runs nothing")
    func missingVariable() {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter)
        s.press(.down, .down, .down, .down, .enter)  // Image pull
        #expect(s.screen.contains("Image pull"))
        let effects = s.press(.enter)  // image-region needs REGION
        #expect(effects.runs.isEmpty)
        #expect(s.screenName == "variables")
        #expect(s.screen.contains("needs a value before it runs"))
        #expect(s.screen.contains("REGION"))
        s.press(.enter)
        #expect(s.screen.contains("REGION needs a value"), "an empty value is not taken")
        let cancelled = s.press(.escape)
        #expect(cancelled.runs.isEmpty)
        #expect(s.screenName == "entry")
        #expect(s.screen.contains("not run: image-region needs REGION"))

        // Given a value, it runs (a diagnose step does not ask first).
        s.press(.enter)
        s.type("europe-west1")
        let run = s.press(.enter)
        #expect(run.runs.first?.1.environment["REGION"] == "europe-west1")
        #expect(s.screenName == "step")
    }

    // MARK: - Dry run

    @Test("in a dry run every command is shown and none runs")
    func dryRun() {
        var s = smallEntry { $0.dryRun = true; $0.given = ["DB_PASSWORD": "pw"] }
        #expect(s.screen.contains("DRY RUN"))
        s.press(.end)
        let effects = s.press(.enter)
        #expect(effects.runs.isEmpty)
        #expect(effects.interactiveRuns.isEmpty)
        #expect(effects.journal.contains(.stepSkipped(step: "db-connects", reason: "dry run: shown, not run")))
        #expect(s.screen.contains("- dry run: shown, not run"))
        #expect(s.screen.contains("$ kubectl exec -n \"staging\" deploy/app"))
        #expect(!s.wantsTicks)

        // A fix shows its command too, and runs nothing.
        s.press(.character("q"))
        s.press(.home, .down, .enter, .enter)
        #expect(!s.isAsking)
        #expect(s.screen.contains("--password=\"••••••\""))

        // Run-all of a checklist runs nothing either.
        var c = Fixture.state([Fixture.smallRunbook]) { $0.dryRun = true }
        c.press(.enter, .end, .enter)
        let all = c.press(.character("a"))
        #expect(all.runs.isEmpty)
        #expect(c.screen.contains("- dry run     The cluster answers"))
        #expect(c.screen.contains("- dry run     The namespace exists"))
    }

    // MARK: - Resize

    @Test("resizing keeps every screen's state; from 100 columns the step panes sit side by side")
    func resize() throws {
        var s = smallEntry()
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        s.output(id, "System check identified no issues (0 silenced).")
        let before = s.screen
        let names = s.screenNames
        s.update(.resize(ScreenSize(columns: 120, rows: 40)))
        let wide = s.screen
        #expect(s.screenNames == names)
        #expect(wide.contains("┐┌─ Success indicators"), "side by side")
        #expect(wide.contains("✓ pass       contains System check"))
        s.update(.resize(ScreenSize(columns: 99, rows: 30)))
        #expect(!s.screen.contains("┐┌"), "stacked below 100 columns")
        s.update(.resize(ScreenSize(columns: 80, rows: 24)))
        #expect(s.screen == before)
        #expect(s.runningRuns == [id])
    }

    // MARK: - Walkthrough

    @Test("the walkthrough reads top to bottom; Tab selects the next block; Enter runs it, asking first where the step says so")
    func walkthrough() throws {
        var s = Fixture.state([Fixture.onboarding])
        s.press(.enter, .character("w"))
        #expect(s.screenName == "walkthrough")
        #expect(s.screen.contains("Backend staging on GKE: onboarding walkthrough"))
        s.press(.tab)
        #expect(s.screen.contains("› ▶ get-cluster-credentials · walkthrough · asks first") || s.screen.contains("▶ get-cluster-credentials"))
        let first = s.press(.enter)
        #expect(first.runs.isEmpty)
        #expect(s.isAsking, "confirm=true asks first")
        #expect(s.screen.contains("gcloud container clusters get-credentials \"coditect-staging-cluster\""))
        #expect(s.press(.character("n")).decisionKinds == ["fix_declined"])
        s.press(.tab)
        let second = s.press(.enter)
        #expect(second.runs.first?.1.step.id == "show-deployment", "confirm=false runs at once")
        #expect(s.screenName == "step")
    }

    @Test("/ in the walkthrough searches the text: the match is marked » and scrolled into view; n and N move; Esc cancels")
    func walkthroughSearch() throws {
        let paragraphs = (1...60).map { i in
            i == 20 ? "Paragraph 20 mentions the needle for the first time." :
            i == 45 ? "Paragraph 45 has the Needle again." : "Paragraph \(i) says nothing of note."
        }
        let rb = Fixture.inline("---\ntitle: Long read\n---\n# Long read\n\n" + paragraphs.joined(separator: "\n\n") + "\n")
        var s = Fixture.state([rb])
        s.press(.enter, .character("w"))
        #expect(s.screenName == "walkthrough")
        #expect(s.screen.contains("Paragraph 1 says nothing"))
        #expect(!s.screen.contains("needle"))
        s.press(.character("/"))
        #expect(s.walkthroughHintText.contains("Esc cancel"))
        s.type("NEEDLE")
        var screen = s.screen
        #expect(screen.contains("/NEEDLE▏"))
        let row = try #require(screen.split(separator: "\n").first { $0.contains("Paragraph 20 mentions the needle") })
        #expect(row.hasPrefix("»"), "the match is marked")
        #expect(!screen.contains("Paragraph 1 says"), "scrolled to the match")
        s.press(.enter)
        #expect(s.walkthroughHintText.contains("n/N next/prev"))
        // n: the next match, case ignored; then nothing more below.
        s.press(.character("n"))
        screen = s.screen
        #expect(screen.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("Paragraph 45 has the Needle") })
        #expect(!screen.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("Paragraph 20") })
        s.press(.character("n"))
        #expect(s.screen.contains("no more matches below"))
        s.press(.character("N"))
        #expect(s.screen.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("Paragraph 20 mentions") })
        // A resize lays the text out anew: the match stays on the same words, in view.
        s.update(.resize(ScreenSize(columns: 40, rows: 16)))
        #expect(s.screen.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("Paragraph 20") })
        s.update(.resize(ScreenSize(columns: 80, rows: 24)))
        #expect(s.screen.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("Paragraph 20 mentions") })
        // Esc while typing cancels: the search is gone and the screen is back where it was.
        s.press(.home)
        s.press(.character("/"))
        s.type("needle")
        #expect(!s.screen.contains("Paragraph 1 says"))
        s.press(.escape)
        screen = s.screen
        #expect(s.screenName == "walkthrough")
        #expect(screen.contains("Paragraph 1 says nothing"))
        #expect(!screen.contains("/needle"))
        #expect(!screen.contains("»"))
        // A search with no hit says so.
        s.press(.character("/"))
        s.type("haystack")
        #expect(s.screen.contains("/haystack▏ (no match)"))
        s.press(.enter)
        #expect(s.screen.contains("no line contains “haystack”"))
    }

    @Test("long output lines wrap, continuations marked ↪; search and scrolling land on the right line counting wrapped rows")
    func longLinesWrap() throws {
        let rb = Fixture.inline("""
            ---
            title: Logs
            ---
            # Logs

            ## Read the logs

            ### Diagnosis

            ```sh {name=logs}
            kubectl logs deploy/app
            ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .down, .down, .enter)
        let (id, _) = try #require(s.press(.enter).runs.first)
        let long = (1...20).map { "field\($0)=value\($0)" }.joined(separator: " ")
        s.output(id, "first line", long, "tail line")
        // The output pane's rows: margin character and text, between the box's sides.
        func paneRows(_ screen: String) -> [(margin: Character, text: String)] {
            let rows = screen.split(separator: "\n").map(String.init)
            guard let start = rows.firstIndex(where: { $0.hasPrefix("┌─ Output") }) else { return [] }
            return rows[(start + 1)...].prefix { $0.hasPrefix("│") }.map { row in
                let inner = Array(row.dropFirst().dropLast())
                return (inner.first ?? " ", String(inner.dropFirst()).trimmingCharacters(in: CharacterSet(charactersIn: " ▲▼")))
            }
        }
        var rows = paneRows(s.screen)
        let start = try #require(rows.firstIndex { $0.text.hasPrefix("field1=value1 ") })
        #expect(rows[start].margin == " ")
        let continued = rows[(start + 1)...].prefix { $0.margin == "↪" }
        #expect(continued.count >= 3, "a 270-character line takes four rows at 80 columns")
        #expect(([rows[start].text] + continued.map(\.text)).joined().replacingOccurrences(of: " ", with: "")
                    == long.replacingOccurrences(of: " ", with: ""),
                "every character is on screen, in order")
        #expect(rows[start + continued.count + 1].text == "tail line")

        // Twenty long lines after one that matters: the match lands in view though each line takes rows.
        let noise = (1...20).map { i in "noise \(i) " + String(repeating: "x", count: 180) }
        s.update(s.outputEvent(id, lines: [OutputLine(channel: .stderr, text: "ERROR the needle line")] +
                         noise.map { OutputLine(channel: .stdout, text: $0) }, partial: nil))
        s.exit(id, 1)
        #expect(!s.screen.contains("ERROR the needle line"))
        s.press(.character("/"))
        s.type("needle")
        s.press(.enter)
        rows = paneRows(s.screen)
        #expect(rows.contains { $0.margin == "▶" && $0.text.hasPrefix("ERROR the needle line") }, "the match is on screen")
        // g goes to the top, j moves one line down (all of its rows), G follows the end again.
        s.press(.character("g"))
        #expect(paneRows(s.screen).first?.text == "first line")
        s.press(.character("j"))
        #expect(paneRows(s.screen).first?.text.hasPrefix("field1=value1") == true)
        s.press(.character("j"))
        #expect(paneRows(s.screen).first?.text.hasPrefix("field") == false, "past all four rows of the long line")
        s.press(.character("G"))
        rows = paneRows(s.screen)
        #expect(rows.last?.margin == "↪")
        #expect(rows.last?.text.hasSuffix("xxx") == true)
        #expect(rows.contains { $0.text.hasPrefix("noise 20 ") })
    }

    @Test("what a newcomer meets: a missing command is named, the verdict beside a long title stays visible, no t without a tree")
    func newcomerFixes() throws {
        let rb = Fixture.inline("""
            ---
            title: Newcomer
            ---
            # Newcomer

            ## Pod

            ### Diagnosis

            List every pod that is not running, in all namespaces, the oldest first, to see what is stuck:

            ```sh {name=pods}
            kubectl get pods --all-namespaces --field-selector=status.phase!=Running --sort-by=.metadata.creationTimestamp
            ```

            ```sh {name=dashboards}
            kubectl get pods
            ```
            Expected:
            - The dashboard graphs look normal
            """)
        var s = Fixture.state([rb])
        #expect(!s.press(.enter).isEmpty)
        #expect(!s.screen.split(separator: "\n").last!.contains("t triage"), "no tree: no t on the key line")
        s.press(.down, .down, .enter)
        #expect(s.screenName == "entry")
        let (id, _) = try #require(s.press(.enter).runs.first)
        s.output(id, "bash: line 1: kubectl: command not found", channel: .stderr)
        s.exit(id, 127)
        #expect(s.screen.contains("✗ failed  exit 127 · 1.2s · command not found: is it installed and in PATH?"))
        #expect(s.screen.contains("pods exit 127: ✗ failed · command not found"), "the status line says it too")
        s.press(.character("q"))
        let row = try #require(s.screen.split(separator: "\n").first { $0.contains("List every pod") })
        #expect(row.contains("…") && row.contains("✗ failed"), "the title is cut, not the verdict: \(row)")
        // A command that failed with only a manual indicator to judge fails: the implied exit 0 says
        // why, and the question is not asked, since no answer could make it pass.
        s.press(.down)
        let (id2, _) = try #require(s.press(.enter).runs.first)
        s.exit(id2, 1)
        #expect(s.screen.contains("✗ failed  exit 1 · 1.2s · the command failed: check its output first"))
        #expect(s.screen.contains("- not asked  The dashboard graphs look normal"))
        #expect(s.screen.contains("✗ fail       exit 0 (implied: the step fails when its command fails)"))
        #expect(s.screen.contains("↳ exit 1, expected exit 0"))
        #expect(!s.screen.contains("answer: y yes"))
        #expect(s.press(.character("y")).isEmpty, "y answers nothing on a failed run")
        #expect(s.screen.contains("- not asked"))
    }

    @Test("asking for a value before a step with a long id: the question wraps onto a second line, nothing cut")
    func askWraps() throws {
        let rb = Fixture.inline("""
            ---
            title: Ask
            variables:
              LOAD_BALANCER_IP:
                description: External IP address of the load balancer
            ---
            # Ask

            ## Health

            ### Verify

            ```sh {name=health-through-the-external-load-balancer}
            curl -fsS "http://$LOAD_BALANCER_IP/api/v1/health/ready"
            ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .down, .down, .enter)
        #expect(s.press(.enter).runs.isEmpty)
        #expect(s.screenName == "variables")
        let rows = s.screen.split(separator: "\n").map(String.init)
        try #require(rows.count > 4)
        #expect(rows[1] == " Step health-through-the-external-load-balancer needs a value before it runs:")
        #expect(rows[2] == " LOAD_BALANCER_IP")
        #expect(rows[3].hasPrefix(" Type it in the marked row, then Enter"))
        #expect(rows[4].hasPrefix("  Name "))
    }

    @Test("a step not run yet shows its whole command when the header cannot, wrapped, before the expected output")
    func fullCommandBeforeRun() throws {
        let command = "gcloud artifacts repositories describe \"$REPOSITORY\" --location=\"$REGION\" --project=\"$PROJECT\" --format=\"value(format)\""
        let rb = Fixture.inline("""
            ---
            title: Before
            variables:
              REPOSITORY: {default: coditect-backend}
              REGION: {default: us-central1}
              PROJECT: {default: coditect-cloud-infra}
            ---
            # Before

            ## Checks

            - [ ] The repository exists

              ```sh {name=repo-exists}
              \(command)
              ```

              Expected output:

              ```text
              DOCKER
              ```
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .end, .enter)
        #expect(s.screenName == "checklist")
        s.press(.character("o"))
        #expect(s.screenName == "step")
        let screen = s.screen
        #expect(screen.contains("not run yet: ⏎ runs it"))
        #expect(screen.contains("The command in full:"))
        let rows = screen.split(separator: "\n").map(String.init)
        let first = try #require(rows.firstIndex { $0.contains("│ $ gcloud artifacts") })
        let pieces = [String(rows[first].dropFirst(4))] + rows[(first + 1)...].prefix { $0.hasPrefix("│  ↪") }.map { String($0.dropFirst(4)) }
        // Each row holds 74 characters of it at 80 columns (the pane's inside less the margin and `$ `).
        let joined = pieces.map { String($0.prefix(74)) }.joined().replacingOccurrences(of: "│", with: "")
            .trimmingCharacters(in: .whitespaces)
        #expect(joined.hasPrefix("gcloud artifacts repositories describe \"coditect-backend\" --location=\"us-central1\""))
        #expect(joined.contains("--format=\"value(format)\""), "nothing of it is cut: \(pieces)")
        #expect(screen.contains("Expected output:"))
        #expect(screen.contains(" DOCKER"))
    }

    @Test("the matched probe line keeps the words that matched in view when the line is long")
    func matchedExcerpt() {
        let line = "django.db.utils.OperationalError: connection to server at \"10.41.64.3\", port 5432 failed: FATAL: connection requires a valid client certificate"
        let shown = AppState.excerpt(line, around: ["valid client certificate", "pg_hba.conf rejects"], width: 60)
        #expect(shown.hasPrefix("…"))
        #expect(shown.contains("valid client certificate"))
        #expect(DisplayWidth.of(shown) <= 60)
        #expect(AppState.excerpt("short line with Running", around: ["Running"], width: 60) == "short line with Running")
        let early = AppState.excerpt("CrashLoopBackOff " + String(repeating: "x", count: 100), around: ["CrashLoopBackOff"], width: 40)
        #expect(early.hasPrefix("CrashLoopBackOff") && early.hasSuffix("…"))
    }

    @Test("a checklist item waiting for an answer shows the question y/n answers")
    func checklistQuestion() throws {
        let rb = Fixture.inline("""
            ---
            title: Release
            ---
            # Release

            ## Before the release

            - [ ] The config is right

              ```sh {name=show-config}
              cat config.yaml
              ```

              Success indicators:

              - exit 0
              - The values match the release notes
            """)
        var s = Fixture.state([rb])
        s.press(.enter, .end, .enter)
        #expect(s.screenName == "checklist")
        let (id, _) = try #require(s.press(.character("r")).runs.first)
        s.exit(id, 0)
        #expect(s.screenName == "checklist")
        #expect(s.screen.contains("? The values match the release notes  y yes  n no"))
        #expect(s.press(.character("y")).decisions.map(\.detail) == ["The values match the release notes: yes"])
        #expect(!s.screen.contains("? The values match the release notes"))
    }

    // MARK: - Help

    @Test("? shows the keys of the screen first; q closes it")
    func help() {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter, .enter)
        s.press(.character("?"))
        #expect(s.screenName == "help")
        let screen = s.screen
        #expect(screen.contains(" Triage"))
        #expect(screen.contains("run the question's probe"))
        s.press(.character("q"))
        #expect(s.screenName == "triage")
    }
}

/// What `update` writes to the journal about a run (the run's own records are its execution's:
/// see `StepCoreTests`).
@Suite("update: the journal of a run")
struct RunJournalTests {
    @Test("ticks give the running step its elapsed time; wantsTicks only while something runs")
    func elapsed() throws {
        var s = Screens.smallEntry()
        #expect(!s.wantsTicks)
        s.press(.end)
        let (id, _) = try #require(s.press(.enter).runs.first)
        #expect(s.wantsTicks)
        s.update(.tick(nowMs: 5_000))
        s.update(.tick(nowMs: 7_500))
        #expect(s.screen.contains("● running 2.5s"))
        s.exit(id, 0, ms: 2_600)
        #expect(!s.wantsTicks)
        #expect(s.screen.contains("exit 0 · 2.6s"))
    }

    @Test("opening another runbook ends the current session and starts its own")
    func sessionSwitch() {
        var s = Fixture.state([Fixture.smallRunbook, Fixture.preDeploy])
        #expect(s.press(.enter) == [.openSession(runbookPath: "runbooks/small.md")])
        s.press(.character("q"), .down)
        let effects = s.press(.enter)
        #expect(effects == [
            .journal(.sessionEnded(result: "ended: small left for gke-staging-pre-deploy"), sync: true),
            .openSession(runbookPath: "runbooks/gke-staging-pre-deploy.md"),
        ])
    }
}
