import Testing
@testable import RunbookTUI

@Suite("cell grid and display width")
struct CellGridTests {
    @Test("wide and combining characters take their right width; clipping is by columns")
    func widths() {
        #expect(DisplayWidth.of("a") == 1)
        #expect(DisplayWidth.of("漢") == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("✓") == 1)
        #expect(DisplayWidth.of("漢字abc") == 7)
        #expect(DisplayWidth.clip("漢字abc", to: 4) == "漢…")
        #expect(DisplayWidth.pad("ab", to: 4) == "ab  ")
        var grid = CellGrid(size: ScreenSize(columns: 5, rows: 1))
        let used = grid.put("a漢字b", row: 0, column: 0)
        #expect(used == 5)
        #expect(grid.textRows == ["a漢字"])
        var narrow = CellGrid(size: ScreenSize(columns: 4, rows: 1))
        narrow.put("ab漢", row: 0, column: 1)
        #expect(narrow.textRows == [" ab"], "a wide character that does not fit whole is left out")
        var combining = CellGrid(size: ScreenSize(columns: 3, rows: 1))
        combining.put("e\u{301}x", row: 0, column: 0)
        #expect(combining[0, 0].text == "e\u{301}")
        #expect(combining[0, 1].text == "x")
    }

    @Test("control characters never reach a cell")
    func controls() {
        var grid = CellGrid(size: ScreenSize(columns: 6, rows: 1))
        grid.put("a\u{1B}[2J", row: 0, column: 0)
        #expect(!grid.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 } })
    }

    @Test("a wide character or grapheme cluster at the right edge is drawn whole or not at all")
    func clustersAtTheRightEdge() {
        func row(_ text: String, columns: Int) -> [String] {
            var grid = CellGrid(size: ScreenSize(columns: columns, rows: 1))
            grid.put(text, row: 0, column: 0)
            return grid.cells.map(\.text)
        }
        let family = "👩\u{200D}👩\u{200D}👧"
        // Does not fit: left out, the cell stays blank (no half of it, no joiner on its own).
        #expect(row("ab" + family, columns: 3) == ["a", "b", " "])
        #expect(row("a🇫🇷", columns: 2) == ["a", " "])
        // Fits: the whole cluster in one cell, its second column empty.
        #expect(row(family + "x", columns: 3) == [family, "", "x"])
        #expect(row("a🇫🇷", columns: 3) == ["a", "🇫🇷", ""])
        #expect(row("abe\u{301}", columns: 3) == ["a", "b", "e\u{301}"])
        #expect(DisplayWidth.clip("ab" + family + "cd", to: 4) == "ab…")
        #expect(DisplayWidth.clip("x🇫🇷", to: 2, ellipsis: false) == "x")
    }
}
