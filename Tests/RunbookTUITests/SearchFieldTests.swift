import Testing
@testable import RunbookKit
@testable import RunbookTUI

/// One search, one set of keys: Home's search of every entry, and the in-page search of the step
/// screen and the walkthrough (`SearchField`).
@Suite("search: Home's entries and the in-page field")
struct SearchFieldTests {
    @Test("the field: / opens, typing edits, ↓↑ move while typing, Enter ends typing, n/N after, Esc ends")
    func keys() {
        var f = SearchField()
        #expect(f.handle(.character("n")) == nil, "n is the screen's until a search is set")
        #expect(f.handle(.character("/")) == .opened)
        #expect(f.handle(.character("n")) == .edited)
        #expect(f.handle(.down) == .next)
        #expect(f.handle(.up) == .previous)
        #expect(f.handle(.enter) == .done)
        #expect(f.text == "n")
        #expect(f.handle(.character("n")) == .next)
        #expect(f.handle(.character("N")) == .previous)
        #expect(f.handle(.escape) == .cleared)
        #expect(f.handle(.escape) == nil, "the next Esc is the screen's (back)")
        #expect(f.handle(.character("/")) == .opened)
        #expect(f.handle(.escape) == .cancelled)
        #expect(!f.isActive)
    }

    @Test("typing an error line on Home lists the entries it matches, with the line; Enter opens the entry there")
    func homeSearchOpensEntry() throws {
        var s = Screens.home()
        s.press(.character("/"))
        s.type("password authentication failed for user \"orders\"")
        let screen = s.screen
        #expect(screen.contains("Entries found"))
        let selected = try #require(screen.split(separator: "\n").first { $0.hasPrefix("› ") })
        #expect(selected.contains("Issue 5: Database user missing or wrong password"))
        #expect(screen.contains("password authentication failed for user \"coditect_app\""))
        s.press(.enter)
        #expect(s.screenNames == ["home", "runbook", "entry"])
        #expect(s.screen.contains("matched line"))
        s.press(.character("w"))
        #expect(s.screenName == "walkthrough")
        #expect(s.screen.contains("password authentication failed"), "the walkthrough opens at the line that matched")
    }

    @Test("on a step with a question open, n moves through a search while one is set; Esc ends it, then n answers")
    func searchBeforeAnswer() {
        var s = Screens.stepAwaitingAnswer()
        s.press(.character("/"))
        s.type("request 2")
        s.press(.enter)
        #expect(s.screen.contains("Esc ends the search first"))
        #expect(s.press(.character("n")).decisionKinds.isEmpty)
        s.press(.escape)
        #expect(!s.screen.contains("Esc ends the search first"))
        #expect(s.press(.character("n")).decisionKinds == ["manual_answered"])
    }
}
