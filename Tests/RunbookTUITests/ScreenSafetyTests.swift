import RunbookKit
import Testing

@testable import RunbookTUI

/// What no frame may ever do: put a control character on the terminal, draw past the grid, or let
/// one part of a screen overwrite another.
@Suite("screens are safe and fit")
struct ScreenSafetyTests {
    static let escape = "\u{1B}"

    /// A runbook whose every text tries to reach the terminal: escape sequences (CSI, OSC 52 clipboard,
    /// title), BEL, C1 controls, bidi overrides, a carriage return.
    static let hostile = """
        ---
        id: hostile
        title: "Evil \\e]0;pwned\\a title \\e[2J"
        version: 1.0.0
        updated: 2025-01-01
        review_by: 2025-02-01
        description: "desc \\e]52;c;ZWNobyBoaQ==\\a with \\u202E bidi"
        owner: "o\\x9b31m"
        variables:
          NAME:
            default: "val\\e[31m red \\u2066"
            description: "var \\e[5m blink"
          SECRET_TOKEN:
            default: "tok\\e]8;;http://x\\a"
        ---

        # Evil \u{1B}[1mheading

        ## Decision tree

        - Pod state \u{1B}[7m reversed \u{202E}gnp.exe

          ```sh {name=probe}
          printf 'a\\033[2Jb'
          ```

          - `Crash\u{1B}[0m`: crashes \u{07}bell: [Bad entry](#bad-entry-1b-2j)
          - `Other`: [Bad checklist](#bad-checklist)

        ## Bad entry \u{1B}[2J

        ### Symptoms

        Text with \u{1B}]52;c;aGk=\u{07} and \u{9B}31m and a \u{202E}reversal.

        ### Cause

        Cause \u{1B}[?1049h alternate screen.

        ### Fix

        ```sh {name=evil-fix}
        echo "\u{1B}[31m$NAME $SECRET_TOKEN"
        ```

        ### Verify

        ```sh {name=evil-verify}
        cat /dev/null
        ```

        Success indicators:

        - contains `\u{1B}[32mok`
        - Looks \u{1B}[5m fine \u{202E} to you

        ## Bad checklist

        - [ ] Item \u{1B}[2J one

          ```sh {name=evil-item}
          echo hi
          ```

        - [ ] Item \u{1B}]0;t\u{07} two
        """

    static let hostileLines: [OutputLine] = [
        OutputLine(channel: .stdout, text: "plain \(escape)[2J clear \(escape)]52;c;aGk=\u{07} osc"),
        OutputLine(channel: .stderr, text: "c1 \u{9B}31m \u{85} next line \u{202E}bidi\u{2066} \r carriage"),
        OutputLine(channel: .stdout, text: "tab\there del\u{7F} nul\u{0} ok", styles: [
            StyleRun(range: 0..<3, style: TextStyle(bold: true, foreground: .ansi(1))),
            StyleRun(range: 2..<900, style: TextStyle(underline: true)),
        ]),
        OutputLine(channel: .stdout, text: "wide 漢字 and é combining \u{1B}", styles: [
            StyleRun(range: 5..<7, style: TextStyle(reverse: true)),
        ]),
        OutputLine(channel: .stdout, text: "Crash\(escape)[0m here"),
    ]

    /// Every screen of the hostile runbook, with hostile output in the runs.
    static func hostileScreens(size: ScreenSize) -> [(String, AppState)] {
        var out: [(String, AppState)] = []
        let rb = Fixture.inline(hostile, path: "runbooks/hostile\u{1B}[2J.md")
        var s = Fixture.state([rb, Fixture.smallRunbook], size: size) { $0.drill = true }
        out.append(("home", s))
        s.press(.enter)
        out.append(("runbook", s))
        s.press(.enter)
        out.append(("triage", s))
        s.press(.character("p"))
        s.update(s.outputEvent(RunID(1), lines: hostileLines, partial: OutputLine(channel: .stdout, text: "part\(escape)[K")))
        out.append(("triage-running", s))
        s.exit(RunID(1), 0)
        out.append(("triage-suggested", s))
        s.press(.character("o"))
        out.append(("probe-output", s))
        s.press(.character("/"))
        s.type("\u{1B}[2")
        out.append(("probe-search", s))
        s.press(.escape, .character("q"))
        s.press(.enter)
        out.append(("triage-followed", s))
        while s.screenName != "runbook" { s.press(.character("q")) }
        s.press(.down, .down, .down, .enter)
        out.append(("entry", s))
        s.press(.enter)
        out.append(("confirm", s))
        s.press(.character("y"))
        s.update(s.outputEvent(RunID(2), lines: hostileLines, partial: nil))
        out.append(("step", s))
        s.end(RunID(2), .failedToStart("no \(escape)[31mshell"), ms: 0, assigned: [:])
        out.append(("step-failed", s))
        s.press(.character("q"), .character("w"))
        out.append(("walkthrough", s))
        s.press(.tab, .character("q"), .character("v"))
        out.append(("variables", s))
        s.press(.enter)
        s.type("x\u{1B}[2Jy")
        out.append(("variables-edit", s))
        s.press(.enter, .character("q"), .character("q"), .character("q"))
        s.press(.end, .enter)
        out.append(("checklist", s))
        s.press(.character("a"))
        s.update(s.outputEvent(RunID(3), lines: hostileLines, partial: nil))
        out.append(("checklist-running", s))
        s.press(.character("?"))
        out.append(("help", s))
        return out
    }

    static func unsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    @Test("no rendered cell ever holds a control character, whatever the runbook or the output says",
          arguments: [ScreenSize(columns: 80, rows: 24), ScreenSize(columns: 120, rows: 40), ScreenSize(columns: 40, rows: 12)])
    func noControlCharacters(_ size: ScreenSize) {
        for (name, state) in Self.hostileScreens(size: size) {
            let grid = state.view(size)
            for r in 0..<grid.size.rows {
                for c in 0..<grid.size.columns where grid[r, c].text.unicodeScalars.contains(where: Self.unsafe) {
                    Issue.record("\(name) at \(size.columns)x\(size.rows): a control character at row \(r), column \(c): \(grid[r, c].text.unicodeScalars.map { String($0.value, radix: 16) })")
                }
            }
            #expect(!grid.text.contains("pwned\u{07}"))
        }
    }

    /// Checks that a frame fits: every row within the grid, wide characters whole, boxes closed,
    /// the header, status and key lines intact.
    static func checkFits(_ grid: CellGrid, _ name: String) throws {
        let size = grid.size
        for (r, row) in grid.textRows.enumerated() {
            #expect(DisplayWidth.of(row) <= size.columns, "\(name): row \(r) is wider than the grid")
        }
        for r in 0..<size.rows {
            for c in 0..<size.columns where grid[r, c].text.isEmpty {
                let ok = c > 0 && DisplayWidth.of(grid[r, c - 1].text) == 2
                #expect(ok, "\(name): a stray wide-character half at row \(r), column \(c)")
            }
        }
        // Boxes: each top-left corner has its left edge down to a bottom-left corner, and likewise right.
        for r in 0..<size.rows {
            for c in 0..<size.columns {
                let t = grid[r, c].text
                guard t == "┌" || t == "┐" else { continue }
                var rr = r + 1
                while rr < size.rows, grid[rr, c].text == "│" { rr += 1 }
                let corner = t == "┌" ? "└" : "┘"
                #expect(rr < size.rows && grid[rr, c].text == corner,
                        "\(name): the box from row \(r), column \(c) is broken at row \(rr):\n\(grid.text)")
            }
        }
        let rows = grid.textRows
        try #require(rows.count == size.rows && size.rows > 0, "\(name): \(rows.count) rows, not \(size.rows)")
        #expect(rows[0].hasPrefix(" runbook") || rows[0].hasPrefix(" DRILL") || rows[0].hasPrefix(" DRY RUN") || rows[0].hasPrefix(" …"),
                "\(name): the header is gone:\n\(grid.text)")
        let keys = rows[size.rows - 1]
        #expect(keys.hasPrefix(" ") && keys.count > min(10, size.columns / 4), "\(name): the key line is gone:\n\(grid.text)")
        let boxChars: Set<Character> = ["┌", "┐", "└", "┘", "│", "─"]
        #expect(!keys.contains(where: boxChars.contains), "\(name): something overlaps the key line:\n\(grid.text)")
        #expect(!rows[size.rows - 2].contains(where: boxChars.contains), "\(name): something overlaps the status line:\n\(grid.text)")
    }

    @Test("every screen fits 80x24 and 120x40: nothing beyond the grid, boxes intact, the key line untouched",
          arguments: Screens.all.map(\.0))
    func fits(_ name: String) throws {
        let build = try #require(Screens.all.first { $0.0 == name }?.1)
        for size in [ScreenSize(columns: 80, rows: 24), ScreenSize(columns: 120, rows: 40), ScreenSize(columns: 100, rows: 30)] {
            var state = build()
            state.update(.resize(size))
            try Self.checkFits(state.view(size), "\(name) at \(size.columns)x\(size.rows)")
        }
    }

    @Test("hostile screens fit too, at every size down to the smallest usable one")
    func hostileFits() throws {
        for size in [ScreenSize(columns: 80, rows: 24), ScreenSize(columns: 40, rows: 12), AppState.minimumSize] {
            for (name, state) in Self.hostileScreens(size: size) {
                try Self.checkFits(state.view(size), "hostile \(name) at \(size.columns)x\(size.rows)")
            }
        }
    }

    @Test("a terminal too small for anything says so instead of drawing a broken screen")
    func tooSmall() {
        var s = Screens.stepFinished()
        for size in [ScreenSize(columns: 10, rows: 3), ScreenSize(columns: 0, rows: 0), ScreenSize(columns: 23, rows: 30)] {
            s.update(.resize(size))
            let grid = s.view(size)
            #expect(grid.size == size)
            if size.rows > 0 && size.columns >= 18 { #expect(grid.textRows.first == "terminal too small") }
        }
    }

    @Test("monochrome frames have no colour at all; colour frames tell verdicts by symbol and word as well")
    func monochrome() {
        var mono = Screens.stepFinished()
        mono.options.monochrome = true
        let grid = mono.view(ScreenSize(columns: 80, rows: 24))
        #expect(grid.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
        let colour = Screens.stepFinished().view(ScreenSize(columns: 80, rows: 24))
        #expect(colour.cells.contains { $0.style.foreground != nil })
        #expect(colour.text == grid.text, "the same words with and without colour")
        #expect(grid.text.contains("✓ pass") && grid.text.contains("✗ fail") && grid.text.contains("- not asked"))
    }
}
