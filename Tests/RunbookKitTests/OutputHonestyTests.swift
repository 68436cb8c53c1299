import Testing

@testable import RunbookKit

/// What the sanitizer keeps is honest: a cut line streams all of its text for the indicators, a cut
/// never splits what a reader sees as one character, and no colour hides text.
@Suite struct OutputHonestyTests {
    func sanitize(_ text: String, maxLineBytes: Int = 16 * 1024) -> [OutputLine] {
        OutputSanitizer.lines(of: Array(text.utf8), limits: .init(maxLineBytes: maxLineBytes))
    }

    /// Feeds `bytes` in chunks of `chunk` bytes; returns the lines and the overflow of every feed.
    func overflow(of bytes: [UInt8], chunk: Int, maxLineBytes: Int) -> (lines: [OutputLine], text: [UInt8], events: [String]) {
        var sanitizer = OutputSanitizer(channel: .stdout, limits: .init(maxLineBytes: maxLineBytes))
        var lines: [OutputLine] = []
        var text: [UInt8] = []
        var events: [String] = []
        func take(_ batch: OutputLineBatch) {
            lines += batch
            for piece in batch.overflow.pieces {
                switch piece.event {
                case .text(let range): text += batch.overflow.text[range]
                case .ended: events.append("ended")
                case .abandoned: events.append("abandoned")
                }
            }
        }
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            var batch = OutputLineBatch()
            sanitizer.feed(Array(bytes[start..<min(bytes.count, start + chunk)]), into: &batch)
            take(batch)
        }
        var batch = OutputLineBatch()
        sanitizer.finish(into: &batch)
        take(batch)
        return (lines, text, events)
    }

    // MARK: - The overflow

    @Test func aCutLineStreamsAllItsSanitizedTextAndItsEnd() throws {
        let input = Array("short\n0123456789\u{1B}[31mabcdef\tghij€k\nnext\n".utf8)
        for chunk in [1, 3, 7, 100] {
            let result = overflow(of: input, chunk: chunk, maxLineBytes: 10)
            #expect(result.lines.map(\.text) == ["short", "0123456789", "next"])
            // The whole line as sanitized (the SGR gone, the tab as spaces to column 24), kept beginning included.
            #expect(String(decoding: result.text, as: UTF8.self) == "0123456789abcdef        ghij€k", "chunks of \(chunk)")
            #expect(result.events == ["ended"])
            try #require(result.lines.count > 1)
            #expect(result.lines[1].droppedBytes == result.text.count - 10)
        }
    }

    @Test func aLineThatFitsStreamsNothing() {
        let result = overflow(of: Array("0123456789\nabc".utf8), chunk: 4, maxLineBytes: 10)
        #expect(result.text.isEmpty)
        #expect(result.events.isEmpty)
    }

    @Test func aCarriageReturnAbandonsACutLine() {
        let result = overflow(of: Array("0123456789abc\rok\n".utf8), chunk: 5, maxLineBytes: 10)
        #expect(result.lines.map(\.text) == ["ok"])
        #expect(result.events == ["abandoned"])
    }

    // MARK: - Grapheme clusters at the cut

    @Test(arguments: [
        // (text, cap, kept): a cluster the cap would split is cut whole.
        ("abe\u{301}z", 4, "ab"),  // e + combining acute: é
        ("x🇫🇷y", 6, "x"),  // a flag is two regional indicators
        ("x👩‍👩‍👧y", 12, "x"),  // a ZWJ sequence of three emoji
        ("x❤️y", 4, "x"),  // a heart and its emoji variation selector
        ("e\u{301}\u{302}\u{303}\u{304}", 6, ""),  // one cluster longer than the cap: nothing kept
    ])
    func aClusterTheCapWouldSplitIsCutWhole(_ text: String, _ cap: Int, _ kept: String) {
        let line = sanitize(text, maxLineBytes: cap)[0]
        #expect(line.text == kept)
        #expect(line.droppedBytes == text.utf8.count - kept.utf8.count)
    }

    @Test(arguments: [
        // (text, cap, kept): a whole cluster before the cap stays.
        ("abe\u{301}z", 5, "abe\u{301}"),
        ("x🇫🇷y", 9, "x🇫🇷"),
        ("x👩‍👩‍👧y", 19, "x👩‍👩‍👧"),
        ("abcdef", 4, "abcd"),
    ])
    func aWholeClusterBeforeTheCapIsKept(_ text: String, _ cap: Int, _ kept: String) {
        let line = sanitize(text, maxLineBytes: cap)[0]
        #expect(line.text == kept)
        #expect(line.droppedBytes == text.utf8.count - kept.utf8.count)
    }

    @Test func aFlagAfterManyFlagsIsCutOnAPairBoundary() {
        // 20 flags: 160 bytes of regional indicators, no ASCII to start reading from.
        let flags = String(repeating: "🇫🇷", count: 20)
        for cap in 150...170 {
            let line = sanitize(flags + "\n", maxLineBytes: cap)[0]
            #expect(line.text.utf8.count % 8 == 0, "cap \(cap)")
            #expect(line.text.allSatisfy { $0 == "🇫🇷" }, "cap \(cap)")
        }
    }

    @Test func aStyleRunOverACutClusterEndsWithTheKeptText() {
        let line = sanitize("ab\u{1B}[31me\u{1B}[32m\u{301}z", maxLineBytes: 4)[0]
        #expect(line.text == "ab")
        #expect(line.styles.isEmpty)
        let kept = sanitize("a\u{1B}[31mbc\u{1B}[32me\u{301}z", maxLineBytes: 4)[0]
        #expect(kept.text == "abc")
        #expect(kept.styles == [StyleRun(range: 1..<3, style: TextStyle(foreground: .ansi(1)))])
    }

    // MARK: - Colours that would hide the text

    @Test(arguments: [
        "\u{1B}[30;40m", "\u{1B}[31;41m", "\u{1B}[97;107m", "\u{1B}[38;5;196;48;5;196m",
        "\u{1B}[38;2;1;2;3;48;2;1;2;3m", "\u{1B}[38:2::9:9:9;48:2::9:9:9m", "\u{1B}[30;48;5;0m",
        "\u{1B}[38;5;16;48;2;0;0;0m", "\u{1B}[38;5;244;48;2;128;128;128m", "\u{1B}[8m",
    ])
    func aForegroundEqualToTheBackgroundIsNotKept(_ sgr: String) {
        let line = sanitize("\(sgr)hidden?\u{1B}[0m\n")[0]
        #expect(line.text == "hidden?")
        #expect(line.styles.isEmpty)
    }

    @Test func otherAttributesStayWhenTheColoursAreDropped() {
        let line = sanitize("\u{1B}[1;4;37;47mbold\n")[0]
        #expect(line.styles == [StyleRun(range: 0..<4, style: TextStyle(bold: true, underline: true))])
    }

    @Test func differentColoursAreKeptAndAChangeOfForegroundShowsTheTextAgain() {
        let line = sanitize("\u{1B}[30;47mA\u{1B}[30;40mB\u{1B}[37mC\n")[0]
        #expect(line.text == "ABC")
        #expect(
            line.styles == [
                StyleRun(range: 0..<1, style: TextStyle(foreground: .ansi(0), background: .ansi(7))),
                StyleRun(range: 2..<3, style: TextStyle(foreground: .ansi(7), background: .ansi(0))),
            ])
        let near = sanitize("\u{1B}[38;2;1;2;3;48;2;1;2;4mX\n")[0]
        #expect(near.styles.count == 1)
    }
}
