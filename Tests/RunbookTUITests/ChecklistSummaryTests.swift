import Testing
@testable import RunbookTUI

@Suite("checklist summary")
struct ChecklistSummaryTests {
    @Test("an item waiting for a y/n answer counts as to answer, not to tick, and keeps the list incomplete")
    func toAnswer() {
        var s = ChecklistSummary()
        s.passed = 1
        s.toAnswer = 1
        s.total = 2
        #expect(s.text == "1 passed, 0 failed, 0 to tick, 1 to answer")
        #expect(s.verdict.ok == nil)
        s.toAnswer = 0
        #expect(s.verdict.ok == true)
    }
}
