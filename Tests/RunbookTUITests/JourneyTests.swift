import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The journeys of the product brief, end to end: the real binary in tmux, keys as a person would
/// press them, on a fixture runbook (Tests/Fixtures/tui/journey) whose commands read and write a
/// simulated staging environment in `$STATE_DIR`. Each journey checks what the screen shows, what
/// the commands changed, and what the session's journal recorded.
@Suite("end to end: journeys", .serialized)
struct JourneyTests {
    static let fixture = "Tests/Fixtures/tui/journey"

    /// A simulated staging environment: the pod status, its logs, the SSL setting.
    static func stagingState(status: String, logs: String, ssl: String) throws -> String {
        let folder = Paths.temporaryFolder("runbook-journey")
        try (status + "\n").write(toFile: folder + "/status", atomically: true, encoding: .utf8)
        try (logs + "\n").write(toFile: folder + "/logs", atomically: true, encoding: .utf8)
        try (ssl + "\n").write(toFile: folder + "/ssl", atomically: true, encoding: .utf8)
        return folder
    }

    /// Goes back screen by screen to Home, quits, and returns the exit status.
    static func leave(_ session: TmuxSession) throws -> Int32 {
        for _ in 0..<8 {
            if try session.screen().contains("type to filter") { break }
            let before = try session.screen()
            try session.press("q")
            try session.waitForScreen("the previous screen") { $0 != before }
        }
        try session.press("q")
        return try session.waitForExit()
    }

    /// The journal records of the session's one session, as JSON objects.
    static func journal(_ session: TmuxSession) throws -> [[String: Any]] {
        let root = session.folder + "/state/runbook/sessions"
        let ids = try FileManager.default.contentsOfDirectory(atPath: root)
        try #require(ids.count == 1, "one session: \(ids)")
        let text = try String(contentsOfFile: root + "/" + ids[0] + "/journal.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// `step:result` for every finished step, and `decision:kind` for decisions, in journal order.
    static func story(_ records: [[String: Any]]) -> [String] {
        records.compactMap { r in
            switch r["type"] as? String {
            case "step_finished":
                let f = r["finish"] as? [String: Any]
                return "\(f?["step"] ?? "?"):\(f?["result"] ?? "?")"
            case "decision":
                let d = r["decision"] as? [String: Any]
                return "decision:\(d?["kind"] ?? "?")"
            default:
                return nil
            }
        }
    }

    @Test("incident: triage by probes → the SSL entry → verify fails → fix, confirmed → verify passes")
    func incident() throws {
        let state = try Self.stagingState(
            status: "CrashLoopBackOff", logs: "FATAL: connection requires a valid client certificate", ssl: "ssl off")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try session.waitFor("Journey fixture")
        try session.press("Enter")
        try session.waitFor("Triage: walk the decision tree")
        try session.press("t")
        try session.waitFor("What state is the pod in?")

        // The pod-status probe suggests CrashLoopBackOff.
        try session.press("p")
        try session.waitForScreen("the CrashLoopBackOff suggestion") { screen in
            screen.split(separator: "\n").contains { $0.contains("CrashLoopBackOff: the container crashes") && $0.contains("suggested") }
        }
        try session.press("Enter")
        try session.waitFor("What do the logs say?")

        // The log probe suggests the SSL issue.
        try session.press("p")
        try session.waitForScreen("the SSL suggestion") { screen in
            screen.split(separator: "\n").contains { $0.contains("valid client certificate") && $0.contains("suggested") }
        }
        try session.press("Enter")
        try session.waitFor("Fix (each step asks before it runs)")

        // Verify: fails, the state says ssl off.
        try session.press("Down", "Enter")
        var screen = try session.waitFor("Step ssl-verify")
        screen = try session.waitFor("✗ failed")
        #expect(screen.contains("ssl off"))

        // The fix asks first, showing the exact command; y runs it.
        try session.press("q")
        try session.waitFor("Cloud SQL requires SSL")
        try session.press("Up", "Enter")
        screen = try session.waitFor("Run this fix?")
        #expect(screen.contains(#"$ echo "ssl on" > ""# + state + #"/ssl""#))
        try session.press("y")
        try session.waitFor("Step ssl-fix")
        try session.waitFor("✓ passed")
        #expect(try String(contentsOfFile: state + "/ssl", encoding: .utf8) == "ssl on\n")

        // Verify again: passes.
        try session.press("q")
        try session.waitFor("Cloud SQL requires SSL")
        try session.press("Down", "Enter")
        screen = try session.waitForScreen("the verification to pass") {
            $0.contains("Step ssl-verify") && $0.contains("✓ passed")
        }
        #expect(screen.contains("ssl on"))

        #expect(try Self.leave(session) == 0)
        try TerminalRestoreTests.expectRestored(session)
        let story = Self.story(try Self.journal(session))
        let path = story.filter {
            ["tree-1:passed", "tree-2:passed", "ssl-verify:failed", "decision:fix_confirmed", "ssl-fix:passed", "ssl-verify:passed"]
                .contains($0)
        }
        #expect(path == ["tree-1:passed", "tree-2:passed", "ssl-verify:failed", "decision:fix_confirmed", "ssl-fix:passed", "ssl-verify:passed"])
        #expect(story.contains("decision:entry_reached"))
    }

    @Test("declining a fix runs nothing")
    func declinedFix() throws {
        let state = try Self.stagingState(status: "CrashLoopBackOff", logs: "-", ssl: "ssl off")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try session.waitFor("Journey fixture")
        try session.press("Enter")
        try session.waitFor("Entries (3)")
        // Start: Triage, Walkthrough, Variables; then the entries: Cloud SQL requires SSL is the second.
        try session.press("Down", "Down", "Down", "Down", "Enter")
        try session.waitFor("Fix (each step asks before it runs)")
        try session.press("Enter")
        try session.waitFor("Run this fix?")
        try session.press("n")
        try session.waitForScreen("the dialog to close") { !$0.contains("Run this fix?") }
        #expect(try String(contentsOfFile: state + "/ssl", encoding: .utf8) == "ssl off\n")
        #expect(try Self.leave(session) == 0)
        #expect(!Self.story(try Self.journal(session)).contains("ssl-fix:passed"))
    }

    @Test("pre-deploy checklist: a runs every command item, the rest is ticked by hand, the summary says all clear")
    func checklistRunAll() throws {
        let state = try Self.stagingState(status: "Running", logs: "-", ssl: "ssl on")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try session.waitFor("Journey fixture")
        try session.press("Enter")
        try session.waitFor("Checklists (1)")
        try session.press("G", "Enter")
        var screen = try session.waitFor("1 to tick, 2 not run")
        #expect(screen.contains("Pre-deploy checklist"))
        try session.press("a")
        screen = try session.waitFor("2 passed, 0 failed, 1 to tick")
        #expect(screen.contains("✓ passed      The state folder exists"))
        #expect(screen.contains("✓ passed      SSL is on"))
        try session.press("Down", "Down", "Space")
        screen = try session.waitFor("all clear")
        #expect(screen.contains("☑ ticked      Someone looked at the dashboard"))
        #expect(try Self.leave(session) == 0)
        let story = Self.story(try Self.journal(session))
        #expect(story.contains("state-exists:passed"))
        #expect(story.contains("ssl-on:passed"))
        #expect(story.contains("decision:manual_answered"))
    }

    @Test("pre-deploy checklist: a failing item is shown failed and the summary is not clear")
    func checklistFailure() throws {
        let state = try Self.stagingState(status: "Running", logs: "-", ssl: "ssl off")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try session.waitFor("Journey fixture")
        try session.press("Enter")
        try session.waitFor("Checklists (1)")
        try session.press("G", "Enter")
        try session.waitFor("not run")
        try session.press("a")
        let screen = try session.waitFor("1 passed, 1 failed")
        #expect(screen.contains("✗"))
        #expect(!screen.contains("all clear"))
        #expect(try Self.leave(session) == 0)
        #expect(Self.story(try Self.journal(session)).contains("ssl-on:failed"))
    }
}
