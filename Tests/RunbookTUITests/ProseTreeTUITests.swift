import Foundation
import RunbookKit
import Testing

@testable import RunbookTUI

/// Triage over trees the tool read from prose and diagrams (Tests/Fixtures/trees), branches chosen by hand.
@Suite("triage over trees read from Mermaid flowcharts and If headings")
struct ProseTreeTUITests {
    static func fixture(_ name: String) -> Runbook {
        let text = (try? String(contentsOfFile: repositoryRoot + "/Tests/Fixtures/trees/\(name).md", encoding: .utf8)) ?? ""
        return Fixture.inline(text, path: "runbooks/\(name).md")
    }

    /// Opens the runbook's triage from Home (its first Start line).
    static func triage(_ rb: Runbook) -> AppState {
        var s = Fixture.state([rb])
        s.press(.enter)
        s.press(.enter)
        return s
    }

    @Test("a flowchart's questions are asked in turn; Yes, Yes, Yes leads to the entry its click link names")
    func mermaidWalk() throws {
        var s = Self.triage(Self.fixture("gitlab-mermaid"))
        #expect(s.screenName == "triage")
        #expect(s.screen.contains("Are the Sidekiq pods running?"))
        #expect(s.screen.contains("No"))
        #expect(!s.screen.contains("p run probe"), "a hand-chosen question offers no probe")
        // Yes passes through to the next question.
        s.press(.down)
        var effects = s.press(.enter)
        #expect(effects.decisions.map(\.detail) == ["Yes", "Is the queue growing?"])
        #expect(s.screen.contains("Is the queue growing?"))
        effects = s.press(.enter)
        #expect(s.screen.contains("Is one job class dominant?"))
        effects = s.press(.enter)
        #expect(effects.decisions.map(\.kind).last == "entry_reached")
        #expect(effects.decisions.last?.detail == "throttle-a-job-class")
        #expect(s.screenName == "entry")
        #expect(s.screen.contains("Throttle a job class"))
        // q goes back to triage, where the leaf offers its entry again; ← climbs back to its question.
        s.press(.character("q"))
        #expect(s.screenName == "triage")
        #expect(s.screen.contains("leads to #throttle-a-job-class"))
        s.press(.left)
        #expect(!s.screen.contains("leads to #throttle-a-job-class"))
    }

    @Test("a leaf named by its text reaches its entry")
    func mermaidByName() throws {
        var s = Self.triage(Self.fixture("gitlab-mermaid"))
        let effects = s.press(.enter)  // No: the pods crash loop
        #expect(effects.decisions.last?.detail == "pods-crash-looping")
        #expect(s.screenName == "entry")
        #expect(s.screen.contains("Pods crash looping"))
    }

    @Test("an If heading inside an alert runbook's one entry opens the walkthrough at that heading")
    func headingBranch() throws {
        var s = Self.triage(Self.fixture("alert-if-headings"))
        #expect(s.screenName == "triage")
        #expect(s.screen.contains("What the pod's state says decides what to do."))
        s.press(.down)
        let effects = s.press(.enter)
        #expect(effects.decisions.last?.kind == "entry_reached")
        #expect(effects.decisions.last?.detail == "#if-the-leader-is-missing")
        #expect(s.screenName == "walkthrough")
        #expect(s.screen.contains("If the leader is missing"))
    }
}
