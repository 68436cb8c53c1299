import Testing
@testable import RunbookKit
@testable import RunbookTUI

@Suite("step screen: a long title")
struct StepTitleTests {
    @Test("a title wider than the screen takes the second line instead of being cut")
    func longTitleWraps() {
        let rb = Fixture.inline("""
            ---
            title: Long
            ---
            # Long

            ## An entry

            Check that the very long description of this step, which goes on past the edge of an eighty column terminal, ends here:

            ```sh {name=long-title}
            echo ok
            ```
            """)
        var s = Fixture.state([rb])
        s.push(.step(StepScreen(key: StepKey(runbook: 0, step: "long-title"))))
        let rows = s.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(rows[1].hasPrefix(" Check that the very long description"))
        #expect(rows[2].hasSuffix(" of an eighty column terminal, ends here"), "\(s.screen)")
        #expect(rows[0].contains("Step long-title"), "the step's id stays in the breadcrumb")
    }
}
