import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The terminal is given back exactly as it was, whatever ends the TUI: `q`, a signal, a crash.
/// Each test runs the real binary in a private tmux server and compares `stty -g` before and after,
/// and tmux's own view of the pane: alternate screen off, cursor visible, no mouse reporting, cursor
/// keys back in normal mode.
@Suite("end to end: the terminal is restored", .serialized)
struct TerminalRestoreTests {
    static let runtimeFixture = "Tests/Fixtures/tui/runtime"

    /// What tmux says about the pane's modes, as `name=value` words.
    static func paneModes(_ session: TmuxSession) throws -> String {
        try session.display(
            "alternate=#{alternate_on} cursor=#{cursor_flag} mouse=#{mouse_any_flag} keypad=#{keypad_cursor_flag}")
    }

    static let restoredModes = "alternate=0 cursor=1 mouse=0 keypad=0"

    static func expectRestored(_ session: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let modes = session.terminalModes()
        #expect(modes.before == modes.after, "stty -g changed", sourceLocation: sourceLocation)
        #expect(!modes.before.hasPrefix("<missing"), sourceLocation: sourceLocation)
        #expect(try paneModes(session) == restoredModes, sourceLocation: sourceLocation)
    }

    @Test("q on Home quits with status 0 and restores the terminal")
    func quitWithQ() throws {
        let session = try TmuxSession(["runbooks"])
        try session.waitFor("type to filter")
        // While the TUI runs, the terminal is in its modes.
        #expect(try session.display("#{alternate_on}") == "1")
        try session.press("q")
        #expect(try session.waitForExit() == 0)
        try Self.expectRestored(session)
    }

    @Test(
        "a signal quits through the quit path and restores the terminal",
        arguments: [SIGTERM, SIGHUP, SIGINT, SIGQUIT])
    func signal(_ signal: Int32) throws {
        let session = try TmuxSession(["runbooks"])
        try session.waitFor("type to filter")
        let pid = try session.runbookPID()
        #expect(kill(pid, signal) == 0)
        #expect(try session.waitForExit() == 128 + signal)
        try Self.expectRestored(session)
    }

    @Test("SIGTERM while a step runs: the step's whole group is stopped before runbook exits")
    func signalWhileRunning() throws {
        let session = try TmuxSession([Self.runtimeFixture])
        try RuntimeTests.runStep(.forever, in: session)
        try session.waitFor("forever-started")
        let pid = try session.runbookPID()
        let group = try #require(ProcessTable.snapshot().stepChildren(of: pid).first?.group)
        #expect(kill(pid, SIGTERM) == 0)
        #expect(try session.waitForExit() == 128 + SIGTERM)
        #expect(ProcessTable.snapshot().living(inGroup: group).isEmpty)
        try Self.expectRestored(session)
        // The journal: the step's end, cancelled, then the session's end, last.
        let records = try JourneyTests.journal(session)
        let finish = records.last { $0["type"] as? String == "step_finished" }?["finish"] as? [String: Any]
        #expect(finish?["step"] as? String == "forever")
        #expect(finish?["result"] as? String == "cancelled")
        #expect(records.last?["type"] as? String == "session_ended")
        #expect(records.last?["result"] as? String == "interrupted by signal \(SIGTERM) (a step was cancelled by leaving)")
    }

    @Test("SIGTERM while an interactive step has the terminal: the step ends, the terminal comes back")
    func signalDuringInteractiveStep() throws {
        let session = try TmuxSession([Self.runtimeFixture])
        try RuntimeTests.runStep(.interactive, in: session)
        try session.waitFor("type a word:")
        let pid = try session.runbookPID()
        let group = try #require(ProcessTable.snapshot().stepChildren(of: pid).first?.group)
        #expect(group != getpgid(pid), "the step runs in a process group of its own")
        #expect(kill(pid, SIGTERM) == 0)
        #expect(try session.waitForExit() == 128 + SIGTERM)
        #expect(ProcessTable.snapshot().living(inGroup: group).isEmpty)
        try Self.expectRestored(session)
        // The pane's shell has the terminal again: it runs the rest of the script in the foreground.
        #expect(try session.screen().contains("[runbook exited]"))
    }

    @Test("a crash restores the terminal before Swift's backtracer reports, without waiting for a key")
    func crash() throws {
        let session = try TmuxSession(["runbooks"], environment: ["RUNBOOK_TEST_CRASH": "1"])
        let status = try session.waitForExit()
        // SIGILL (x86-64) or SIGTRAP (arm64): a Swift runtime trap.
        #expect(status == 128 + SIGILL || status == 128 + SIGTRAP, "status \(status)")
        try Self.expectRestored(session)
        let screen = try session.screen()
        #expect(screen.contains("[runbook exited]"))
        #expect(!screen.contains("Press space to interact"))
    }

    @Test("a crash while a step runs kills the step's whole group")
    func crashKillsSteps() throws {
        let session = try TmuxSession([Self.runtimeFixture], environment: ["RUNBOOK_TEST_CRASH": "running"])
        try session.waitFor("type to filter")
        let pid = try session.runbookPID()
        try session.press("Enter")
        try session.waitFor("Entries (6)")
        try session.press("Down", "Down", "Down", "Down", "Enter")
        try session.waitFor("Never ends")
        // Enter runs the step; the crash comes once it has run for a second.
        try session.press("Enter")
        try session.waitFor("forever-started")
        let groups = Set(ProcessTable.snapshot().stepChildren(of: pid).map(\.group))
        try #require(!groups.isEmpty, "the step's shell is a child of runbook")
        #expect(groups.allSatisfy { ProcessTable.snapshot().living(inGroup: $0).count >= 2 })
        let status = try session.waitForExit()
        #expect(status > 128)
        try Self.expectRestored(session)
        try session.waitUntil("the step's group to be gone", timeout: .seconds(5)) {
            groups.allSatisfy { ProcessTable.snapshot().living(inGroup: $0).isEmpty }
        }
    }
}
