import Foundation
import Testing

/// On call, from the page to the right entry: a pasted error line found on Home, and a deep link
/// opened from the command line. The real binary in tmux, on the staging runbooks.
@Suite("end to end: from the page to the entry", .serialized)
struct OnCallJourneyTests {
    @Test("an error line pasted into Home's search lists its entry first; Enter opens it")
    func pasteErrorLine() throws {
        let session = try TmuxSession(["runbooks"])
        try session.waitFor("type to")
        try session.press("/")
        try session.waitFor("Filter:")
        try session.paste(
            #"2026-12-06T03:14:07.512Z psycopg.OperationalError: connection to server at "10.4.2.17", port 5432 failed: FATAL:  pg_hba.conf rejects connection for host "10.4.2.17", user "app", database "app", no encryption"#
                + "\n")
        let found = try session.waitForScreen("the SSL entry found first") { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("› ") && $0.contains("Issue 4: Cloud SQL requires SSL") }
        }
        #expect(found.contains("Entries found"))
        #expect(found.contains("pg_hba.conf rejects connection"), "the line that matched is shown")
        try session.press("Enter")
        let entry = try session.waitFor("matched line")
        #expect(entry.contains("Issue 4: Cloud SQL requires SSL"))
        #expect(entry.contains("Fix: choose one option") || entry.contains("Diagnosis"))
        try session.press("q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("runbook FILE#ANCHOR opens that entry; q goes back to its runbook, then Home")
    func deepLink() throws {
        let session = try TmuxSession(["runbooks/gke-staging-troubleshooting.md#issue-4-cloud-sql-requires-ssl"])
        let entry = try session.waitFor("Symptoms")
        #expect(entry.contains("Issue 4: Cloud SQL requires SSL"))
        #expect(entry.contains("connection requires a valid client certificate"))
        try session.press("q")
        try session.waitFor("Triage: walk the decision tree")
        try session.press("q")
        try session.waitFor("type to")
        try session.press("q")
        #expect(try session.waitForExit() == 0)
    }
}
