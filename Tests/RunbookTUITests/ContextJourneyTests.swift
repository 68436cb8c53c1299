import Foundation
import Testing

/// Know where you are, end to end in tmux: `runbook drill` with the real TUI and the staging
/// simulators. In `wrong-context` (a terminal pointed at production) the header shows both contexts
/// wrong, and issue 4's option A fix refuses to run until the production context's name is typed: `y`
/// answers nothing, a wrong name does not run it, the pasted name and Enter do. In `ssl-required` (the
/// staging context) the same fix asks the ordinary `y`/`n` question.
@Suite("end to end: the context a fix would land on", .serialized)
struct ContextJourneyTests {
    static let production = "gke_coditect-cloud-prod_us-central1_coditect-production-cluster"
    static let entry = "issue-4-cloud-sql-requires-ssl"
    static let fix = "disable-require-ssl"

    /// Opens the drill, and on issue 4 chooses option A and asks to run its fix; returns the screen.
    func askForTheFix(_ drill: DrillPane, header: @escaping (String) -> Bool) throws -> String {
        let session = drill.session
        let helper = DrillJourneyTests()
        try session.waitForScreen("the runbook with its context probed", timeout: .seconds(20)) { screen in
            screen.contains("Entries (") && header(DrillJourneyTests.lines(screen).first ?? "")
        }
        // The runbook screen: down to the entry.
        var screen = try session.screen()
        for _ in 0..<20 where !(DrillJourneyTests.selected(screen) ?? "").contains("Issue 4: Cloud SQL requires SSL") {
            let before = screen
            try session.press("Down")
            screen = try session.waitForScreen("the selection to move") { $0 != before }
        }
        try #require((DrillJourneyTests.selected(screen) ?? "").contains("Issue 4"), "\(screen)")
        try session.press("Enter")
        try session.waitFor("Fix: choose one option")
        try helper.select(DrillJourneyTests.optionLine("Option A"), in: session)
        try session.press("Enter")
        try session.waitForScreen("option A chosen") { DrillJourneyTests.lines($0).contains { $0.contains("● Option A") } }
        let entry = try DrillJourneyTests.entry(Self.entry)
        let step = try #require(entry.steps.first { $0.id == Self.fix })
        try helper.select(String(step.title.prefix(DrillJourneyTests.titlePrefix)), in: session)
        try session.press("Enter")
        return try session.waitForScreen("the fix's question") { $0.contains("Run this fix?") || $0.contains("Wrong context") }
    }

    @Test("wrong context: the header is red with ✗, and the fix runs only once the context's name is typed")
    func wrongContext() throws {
        let drill = try DrillPane("wrong-context", editor: "/bin/false")
        defer { drill.close() }
        let session = drill.session
        var screen = try askForTheFix(drill) { $0.contains("✗") }
        let header = DrillJourneyTests.lines(screen).first ?? ""
        #expect(header.contains("context ✗") || (header.contains("kube ✗") && header.contains("project ✗")), "\(header)")
        #expect(screen.contains("Wrong context: run this fix?"), "\(screen)")
        #expect(screen.contains("kube is gke_coditect-cloud-prod_us-central1_coditect-production-cluster, expected"), "\(screen)")
        #expect(screen.contains("project is coditect-cloud-prod, expected coditect-cloud-infra"), "\(screen)")

        // `y` is no answer here: it is text in the field, and Enter with it does not run the fix.
        try session.press("y")
        try session.waitFor("> y▏")
        try session.press("Enter")
        screen = try session.waitFor("not run: type the value shown, exactly")
        #expect(screen.contains("Wrong context"), "the question stays:\n\(screen)")
        try session.press("BSpace")
        try session.waitFor("> ▏")

        // The name pasted (bracketed paste: text in the field, never an answer), then Enter runs it.
        try session.paste(Self.production)
        try session.waitFor("> " + Self.production)
        #expect(try session.screen().contains("Wrong context"), "a paste answers nothing")
        try session.press("Enter")
        screen = try session.waitForScreen("the fix to run", timeout: .seconds(20)) { DrillJourneyTests.result($0) != nil }
        #expect(DrillJourneyTests.result(screen) == "✓ passed", "\(screen)")
        try DrillJourneyTests().back(session)

        #expect(try JourneyTests.leave(session) == 0)
        let records = try JourneyTests.journal(session)
        let contexts = records.compactMap { $0["context"] as? [String: Any] }
        #expect(contexts.count == 2)
        #expect(contexts.allSatisfy { $0["matches"] as? Bool == false })
        #expect(contexts.contains { $0["value"] as? String == Self.production })
        let decisions = records.compactMap { $0["decision"] as? [String: Any] }.compactMap { $0["kind"] as? String }
        #expect(decisions.contains("context_overridden") && decisions.contains("fix_confirmed"), "\(decisions)")
        #expect(JourneyTests.story(records).contains("\(Self.fix):passed"))
    }

    @Test("staging context: no ✗ in the header, and the fix asks the ordinary question")
    func matchingContext() throws {
        let drill = try DrillPane("ssl-required", editor: "/bin/false")
        defer { drill.close() }
        let session = drill.session
        // Probed (nothing running, nothing checking); a right context gives its room to the breadcrumb.
        let screen = try askForTheFix(drill) { !$0.contains("running") && !$0.contains("checking") }
        let header = DrillJourneyTests.lines(screen).first ?? ""
        #expect(!header.contains("✗"), "\(header)")
        #expect(screen.contains("Run this fix?") && !screen.contains("Wrong context"), "\(screen)")
        try session.press("n")
        try session.waitForScreen("the question gone") { !$0.contains("Run this fix?") }
        #expect(try JourneyTests.leave(session) == 0)
    }
}
