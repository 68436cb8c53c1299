import RunbookKit
import Testing

@testable import RunbookTUI

/// The screens, as states built from the real runbooks and small fixtures, driven by keys and events
/// the way a user gets there.
enum Screens {
    static let small = ScreenSize(columns: 80, rows: 24)
    static let large = ScreenSize(columns: 120, rows: 40)

    static func home() -> AppState { Fixture.state([Fixture.troubleshooting, Fixture.onboarding, Fixture.preDeploy]) }

    static func homeFiltered() -> AppState {
        var s = home()
        s.type("trouble")
        return s
    }

    static func homeDrill() -> AppState {
        let failure = Diagnostic(file: "runbooks/broken.md", location: RunbookKit.SourceLocation(line: 3, column: 1),
                                 severity: .error, message: "invalid YAML in front matter: mapping values are not allowed here")
        var s = Fixture.state([Fixture.troubleshooting, Fixture.smallRunbook], failures: [failure]) {
            $0.drill = true
            $0.dryRun = true
        }
        s.press(.down)
        return s
    }

    static func runbook() -> AppState {
        var s = home()
        s.press(.enter)
        return s
    }

    static func triage() -> AppState {
        var s = runbook()
        s.press(.enter)
        return s
    }

    static func triageSuggested() -> AppState {
        var s = triage()
        s.press(.character("p"))
        s.update(.tick(nowMs: 1000))
        s.output(RunID(1), "coditect-backend-6d8f9c7b5d-4kx2p waiting=CrashLoopBackOff ready=false",
                 "coditect-backend-6d8f9c7b5d-9wq7m waiting=CrashLoopBackOff ready=false")
        s.exit(RunID(1), 0, ms: 840)
        return s
    }

    static func entry() -> AppState {
        var s = triageSuggested()
        s.press(.enter, .character("p"))
        s.output(RunID(2), "psycopg2.OperationalError: FATAL: connection requires a valid client certificate")
        s.exit(RunID(2), 0, ms: 1300)
        s.press(.enter)
        return s
    }

    static func smallEntry() -> AppState {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter, .down, .down, .down, .enter)
        return s
    }

    static func entryOptions() -> AppState {
        var s = smallEntry()
        s.press(.down, .enter)
        return s
    }

    static func confirmFix() -> AppState {
        var s = entryOptions()
        s.press(.enter)
        s.type("s3cr3t-pw")
        s.press(.enter)
        return s
    }

    static func variablesAsk() -> AppState {
        var s = entryOptions()
        s.press(.enter)
        s.type("s3cr")
        return s
    }

    static func stepRunning() -> AppState {
        var s = smallEntry()
        s.press(.end, .enter)
        s.update(.tick(nowMs: 10_000))
        s.update(s.outputEvent(RunID(1), lines: [
            OutputLine(channel: .stdout, text: "Performing system checks..."),
            OutputLine(channel: .stdout, text: "System check identified no issues (0 silenced)."),
        ], partial: OutputLine(channel: .stdout, text: "Waiting for the datab")))
        s.update(.tick(nowMs: 13_250))
        return s
    }

    static func stepFinished() -> AppState {
        var s = stepRunning()
        s.output(RunID(1), "django.db.utils.OperationalError: could not connect to server", channel: .stderr)
        for i in 1...30 { s.output(RunID(1), "request \(i): GET /api/v1/health/ready 200") }
        s.exit(RunID(1), 0, ms: 4210)
        return s
    }

    /// A run whose checks passed: its manual indicator waits for y/n.
    static func stepAwaitingAnswer() -> AppState {
        var s = stepRunning()
        for i in 1...30 { s.output(RunID(1), "request \(i): GET /api/v1/health/ready 200") }
        s.exit(RunID(1), 0, ms: 4210)
        return s
    }

    static func stepSearch() -> AppState {
        var s = stepFinished()
        s.press(.character("/"))
        s.type("health/ready 200")
        s.press(.enter, .character("N"), .character("N"))
        return s
    }

    static func checklist() -> AppState {
        var s = Fixture.state([Fixture.preDeploy])
        s.press(.enter, .end, .up, .enter)
        return s
    }

    static func checklistRun() -> AppState {
        var s = Fixture.state([Fixture.smallRunbook])
        s.press(.enter, .end, .enter, .character("a"))
        s.output(RunID(1), "Kubernetes control plane is running at https://10.0.0.1")
        s.exit(RunID(1))
        s.output(RunID(2), "Error from server (NotFound): namespaces \"staging\" not found", channel: .stderr)
        s.exit(RunID(2), 1)
        s.press(.down, .down, .character(" "))
        return s
    }

    static func walkthrough() -> AppState {
        var s = Fixture.state([Fixture.onboarding])
        s.press(.enter, .character("w"), .pageDown, .tab)
        return s
    }

    static func variables() -> AppState {
        var s = runbook()
        s.press(.character("v"), .down, .down, .down)
        return s
    }

    static func help() -> AppState {
        var s = triage()
        s.press(.character("?"))
        return s
    }

    static func quitDialog() -> AppState {
        var s = stepRunning()
        s.press(.character("q"), .character("q"), .character("q"), .character("q"))
        return s
    }

    /// Every screen, by snapshot name.
    static let all: [(String, @Sendable () -> AppState)] = [
        ("home", home), ("home-filtered", homeFiltered), ("home-drill-dry-run", homeDrill),
        ("runbook", runbook), ("triage", triage), ("triage-suggested", triageSuggested),
        ("entry", entry), ("entry-options", entryOptions), ("confirm-fix", confirmFix),
        ("variables-ask", variablesAsk), ("step-running", stepRunning), ("step-finished", stepFinished),
        ("step-search", stepSearch), ("checklist", checklist), ("checklist-run", checklistRun),
        ("walkthrough", walkthrough), ("variables", variables), ("help", help), ("quit-dialog", quitDialog),
    ]
}

@Suite("screen snapshots at 80x24 and 120x40")
struct ScreenSnapshotTests {
    @Test("every screen matches its snapshot", arguments: Screens.all.map(\.0))
    func snapshot(_ name: String) throws {
        let build = try #require(Screens.all.first { $0.0 == name }?.1)
        for size in [Screens.small, Screens.large] {
            var state = build()
            state.update(.resize(size))
            Snapshot.check(state.view(size).text, named: "\(name)-\(size.columns)x\(size.rows)")
        }
    }
}

@Suite("screen snapshots at the minimum size")
struct MinimumSizeSnapshotTests {
    @Test("every screen at 40x10 shows what its keys act on", arguments: Screens.all.map(\.0))
    func snapshot(_ name: String) throws {
        let build = try #require(Screens.all.first { $0.0 == name }?.1)
        var state = build()
        let size = AppState.minimumSize
        state.update(.resize(size))
        Snapshot.check(state.view(size).text, named: "\(name)-\(size.columns)x\(size.rows)")
    }
}
