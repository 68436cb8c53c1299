import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `runbook drill SCENARIO` in a real terminal: the TUI opens on the scenario's runbook under the
/// DRILL banner, its steps run the drill's simulators, and the workspace is gone when it ends (by
/// `q` or by a signal), leaving a journal marked as the drill's.
@Suite("end to end: drills", .serialized)
struct DrillTUITests {
    static let runbooks = Paths.repository + "/Tests/Fixtures/drills/runbooks"

    /// A drill in tmux with `tmp` as its TMPDIR, so that its workspace can be watched.
    static func start(tmp: String) throws -> TmuxSession {
        try TmuxSession(
            ["drill", "widget-down"], columns: 100, rows: 30, environment: ["RUNBOOK_PATH": runbooks, "TMPDIR": tmp])
    }

    static func workspaces(_ tmp: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix("runbook-drill-widget-down-") }
    }

    @Test("drill: the DRILL banner on the scenario's runbook, a probe run by the simulator, the workspace gone after q")
    func drillSession() throws {
        let tmp = Paths.temporaryFolder("runbook-drill-tui")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let session = try Self.start(tmp: tmp)
        defer { session.kill() }
        let first = try session.waitFor("Entries (1)")
        let header = first.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix(" DRILL: The widget is down "), "\(first)")
        #expect(header.contains("runbook › Widget service"), "opened on the runbook's screen, above Home")
        #expect(Self.workspaces(tmp).count == 1, "the workspace exists while the drill runs")

        try session.press("t")
        try session.waitFor("What does the widget say?")
        try session.press("p")
        // `widgetctl` exists only as the drill's simulator; it reads the scenario's fact `down`.
        let probed = try session.waitFor("matched: widget: down")
        #expect(probed.contains("✓ passed"))
        #expect(probed.hasPrefix(" DRILL: The widget is down "))

        // Back to Home (the runbook screen is above it), then quit.
        try session.press("q")
        try session.waitFor("Entries (1)")
        try session.press("q")
        try session.waitFor("type to filter")
        try session.press("q")
        #expect(try session.waitForExit() == 0)
        #expect(Self.workspaces(tmp).isEmpty, "the workspace is removed after q")

        let root = session.folder + "/state/runbook/sessions"
        let ids = try FileManager.default.contentsOfDirectory(atPath: root)
        try #require(ids.count == 1, "\(ids)")
        let lines = try String(contentsOfFile: root + "/" + ids[0] + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let start = try #require(records.first?["session"] as? [String: Any])
        #expect(start["drill"] as? Bool == true)
        #expect(start["drill_scenario"] as? String == "widget-down")
        #expect(start["mode"] as? String == "tui")
        let commands = records.compactMap { ($0["step"] as? [String: Any])?["command"] as? String }
        #expect(commands == ["widgetctl status"])
    }

    @Test("drill: SIGTERM ends the TUI, restores the terminal and removes the workspace")
    func drillTerminated() throws {
        let tmp = Paths.temporaryFolder("runbook-drill-tui")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let session = try Self.start(tmp: tmp)
        defer { session.kill() }
        try session.waitFor("Entries (1)")
        #expect(Self.workspaces(tmp).count == 1)
        let pid = try session.runbookPID()
        #expect(kill(pid, SIGTERM) == 0)
        #expect(try session.waitForExit() == 143)
        #expect(Self.workspaces(tmp).isEmpty, "the workspace is removed after a signal")
        let modes = session.terminalModes()
        #expect(modes.before == modes.after)
    }

    @Test("drill -- COMMAND in a terminal: the command reads the terminal, Ctrl-C reaches it, the workspace goes")
    func commandInTerminal() throws {
        let tmp = Paths.temporaryFolder("runbook-drill-tui")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let session = try TmuxSession(
            ["drill", "widget-down", "--", "sh", "-c", "printf 'name? '; read x; echo \"got $x, $(widgetctl status)\"; exec sleep 300"],
            environment: ["RUNBOOK_PATH": Self.runbooks, "TMPDIR": tmp])
        defer { session.kill() }
        try session.waitFor("name?")  // capture-pane drops the trailing space
        #expect(Self.workspaces(tmp).count == 1)
        try session.type("trainee")
        try session.press("Enter")
        try session.waitFor("got trainee, widget: down")
        try session.press("C-c")
        #expect(try session.waitForExit() == 130, "Ctrl-C went to the command, which ended by SIGINT")
        #expect(Self.workspaces(tmp).isEmpty)
        let modes = session.terminalModes()
        #expect(modes.before == modes.after)
    }
}
