import RunbookKit
import Testing

@testable import RunbookTUI

/// Output honesty on screen: a line the sanitizer cut says so, and how much was cut.
@Suite("update: cut lines are marked")
struct CutLineTests {
    @Test("a line cut by the sanitizer ends with a mark saying how many bytes were cut")
    func cutMark() throws {
        var s = Screens.stepRunning()
        let long = OutputLine(channel: .stdout, text: "{\"items\": [", droppedBytes: 5_000_000)
        s.update(s.outputEvent(RunID(1), lines: [long], partial: nil))
        #expect(s.screen.contains("⋯ 5000000 more bytes cut"), "\(s.screen)")
        s.output(RunID(1), "a whole line")
        #expect(!s.screen.contains("a whole line ⋯"))
    }

    @Test("a style that changes inside a grapheme cluster does not split it: the cluster is drawn whole")
    func styleInsideACluster() throws {
        var s = Screens.stepRunning()
        // As the sanitizer reads `xe ESC[31m U+0301 y`: the accent alone is red.
        let red = TextStyle(foreground: .ansi(1))
        let line = OutputLine(
            channel: .stdout, text: "xe\u{301}y", styles: [StyleRun(range: 2..<4, style: red)])
        s.update(s.outputEvent(RunID(1), lines: [line], partial: nil))
        let grid = s.view(s.size)
        let cells = grid.cells.filter { $0.text.unicodeScalars.contains("\u{301}") }
        #expect(cells.map(\.text) == ["e\u{301}"], "\(s.screen)")
        #expect(s.screen.contains("xe\u{301}y"))
    }

    @Test("a cut line keeps its colours on screen; its mark is drawn plain")
    func styledCutLine() throws {
        var s = Screens.stepRunning()
        let red = TextStyle(foreground: .ansi(1))
        let line = OutputLine(
            channel: .stdout, text: "QQQ plain", styles: [StyleRun(range: 0..<3, style: red)], droppedBytes: 70_000)
        s.update(s.outputEvent(RunID(1), lines: [line], partial: nil))
        let grid = s.view(s.size)
        let q = try #require(grid.cells.first { $0.text == "Q" })
        let mark = try #require(grid.cells.first { $0.text == "⋯" })
        #expect(q.style.foreground != nil, "\(s.screen)")
        #expect(mark.style.foreground == nil)
        #expect(s.screen.contains("QQQ plain ⋯ 70000 more bytes cut"))
    }
}
