import Foundation
import Testing

@testable import RunbookKit

/// The output sanitizer against hostile, malformed and everyday output: exact expected lines, styles,
/// caps, chunking and the safety invariant over thousands of random inputs.
@Suite struct OutputSanitizerTests {

    // MARK: - Hostile outputs, exact expected text

    @Test(arguments: HostileOutput.table)
    func hostileOutputBecomesExactlyTheExpectedLines(_ sample: HostileOutput) {
        let lines = sanitize(sample.input)
        #expect(lines.map(\.text) == sample.expected)
        #expect(lines.allSatisfy { $0.channel == .stderr })
        for line in lines { expectSafe(line) }
        // Byte by byte, the same lines: no state is lost between feeds.
        #expect(sanitizeInChunks(sample.input, sizes: [1]) == lines)
    }

    // MARK: - Styles

    @Test func sgrColoursBecomeAStyleRunAndLeaveTheTextPlain() throws {
        let lines = sanitize("\u{1B}[1;31mred\u{1B}[0m plain\n")
        #expect(lines.map(\.text) == ["red plain"])
        try #require(lines.count > 0)
        #expect(lines[0].styles == [StyleRun(range: 0..<3, style: TextStyle(bold: true, foreground: .ansi(1)))])
        #expect(lines[0].text(of: lines[0].styles[0]) == "red")
    }

    @Test func indexedAndDirectColoursAndTheirResets() {
        let line = sanitize("\u{1B}[38;5;208mA\u{1B}[48;2;1;2;3mB\u{1B}[39;49mC").first
        #expect(line?.text == "ABC")
        #expect(
            line?.styles == [
                StyleRun(range: 0..<1, style: TextStyle(foreground: .indexed(208))),
                StyleRun(range: 1..<2, style: TextStyle(foreground: .indexed(208), background: .rgb(1, 2, 3))),
            ])
    }

    @Test func colonFormsOfColoursAndUnderline() {
        let line = sanitize("\u{1B}[38:2::10:20:30mX\u{1B}[38:2:1:2:3mY\u{1B}[4:3mZ\u{1B}[4:0mW").first
        #expect(line?.text == "XYZW")
        #expect(
            line?.styles == [
                StyleRun(range: 0..<1, style: TextStyle(foreground: .rgb(10, 20, 30))),
                StyleRun(range: 1..<2, style: TextStyle(foreground: .rgb(1, 2, 3))),
                StyleRun(range: 2..<3, style: TextStyle(underline: true, foreground: .rgb(1, 2, 3))),
                StyleRun(range: 3..<4, style: TextStyle(foreground: .rgb(1, 2, 3))),
            ])
    }

    @Test func brightColoursAndEveryAttributeOnAndOff() {
        let line = sanitize("\u{1B}[91;102mX\u{1B}[m\u{1B}[1;2;3;4;7mA\u{1B}[22;23;24;27mB").first
        #expect(line?.text == "XAB")
        #expect(
            line?.styles == [
                StyleRun(range: 0..<1, style: TextStyle(foreground: .ansi(9), background: .ansi(10))),
                StyleRun(
                    range: 1..<2,
                    style: TextStyle(bold: true, dim: true, italic: true, underline: true, reverse: true)),
            ])
    }

    @Test func malformedColoursAreIgnoredAndTheRestOfTheSequenceStillApplies() throws {
        // 38;5 without an index, then an out-of-range direct colour: no colour, and nothing crashes.
        let lines = sanitize("\u{1B}[1;38;2;300;0;0mA\u{1B}[0;38;5mB\n")
        #expect(lines.map(\.text) == ["AB"])
        try #require(lines.count > 0)
        #expect(lines[0].styles == [StyleRun(range: 0..<1, style: TextStyle(bold: true))])
    }

    @Test func styleCarriesOverLineEndsUntilReset() {
        let green = TextStyle(foreground: .ansi(2))
        let lines = sanitize("\u{1B}[32mgreen\nstill\u{1B}[m\nplain\n")
        #expect(lines.map(\.text) == ["green", "still", "plain"])
        #expect(lines.map(\.styles) == [[StyleRun(range: 0..<5, style: green)], [StyleRun(range: 0..<5, style: green)], []])
    }

    @Test func adjacentRunsOfTheSameStyleMerge() {
        let line = sanitize("\u{1B}[1mab\u{1B}[1mcd\u{1B}[0m").first
        #expect(line?.styles == [StyleRun(range: 0..<4, style: TextStyle(bold: true))])
    }

    @Test func styleRunOffsetsCountUTF8Bytes() {
        let line = sanitize("x\u{1B}[4mé😀\u{1B}[0my").first
        #expect(line?.text == "xé😀y")
        #expect(line?.styles == [StyleRun(range: 1..<7, style: TextStyle(underline: true))])
        if let line, let run = line.styles.first { #expect(line.text(of: run) == "é😀") }
    }

    @Test func privateAndIntermediateSequencesEndingInMAreNotSGR() {
        // xterm's modifyOtherKeys (`CSI > 4 ; 2 m`), a DEC private mode, an intermediate byte.
        let line = sanitize("\u{1B}[>4;2mX\u{1B}[?1mY\u{1B}[1 mZ").first
        #expect(line?.text == "XYZ")
        #expect(line?.styles == [])
    }

    @Test func carriageReturnKeepsThePen() {
        let line = sanitize("\u{1B}[31mold\rnew\n").first
        #expect(line?.text == "new")
        #expect(line?.styles == [StyleRun(range: 0..<3, style: TextStyle(foreground: .ansi(1)))])
    }

    @Test func controlPicturesAndTabsTakeThePen() {
        let line = sanitize("\u{1B}[7m\u{07}\t").first
        #expect(line?.text == "␇       ")
        #expect(line?.styles == [StyleRun(range: 0..<10, style: TextStyle(reverse: true))])
    }

    // MARK: - Line cap

    @Test func aLineOverTheCapKeepsItsBeginningAndCountsTheRest() {
        let lines = sanitize("0123456789abcdef\nok\n", limits: .init(maxLineBytes: 10))
        #expect(lines.map(\.text) == ["0123456789", "ok"])
        #expect(lines.map(\.droppedBytes) == [6, 0])
        #expect(lines.map(\.isTruncated) == [true, false])
    }

    @Test func aCharacterThatDoesNotFitIsDroppedWholeAndNothingAfterItIsKept() {
        let lines = sanitize("abc€d\tz\n", limits: .init(maxLineBytes: 4))
        #expect(lines.map(\.text) == ["abc"])
        // € is 3 bytes, d 1, the tab 3 spaces (from column 5), z 1.
        #expect(lines.map(\.droppedBytes) == [8])
    }

    @Test func aCarriageReturnStartsATruncatedLineAfresh() {
        let lines = sanitize("0123456789\rok\n", limits: .init(maxLineBytes: 4))
        #expect(lines == [OutputLine(channel: .stderr, text: "ok")])
    }

    @Test func tenMegabyteLineIsCappedInBoundedMemory() {
        var sanitizer = OutputSanitizer(channel: .stdout)
        var lines: [OutputLine] = []
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
        let total = 10 * 1024 * 1024
        do {
            for _ in 0..<(total / chunk.count) { sanitizer.feed(chunk, into: &lines) }
            #expect(sanitizer.pendingLine.text.utf8.count == 16 * 1024)
            #expect(sanitizer.pendingLine.droppedBytes == total - 16 * 1024)
            #expect(sanitizer.lineStorageCapacity <= 64 * 1024)
            sanitizer.feed(Array("\nnext\n".utf8), into: &lines)
        }
        #expect(lines.count == 2)
        #expect(lines.first?.text == String(repeating: "x", count: 16 * 1024))
        #expect(lines.first?.droppedBytes == total - 16 * 1024)
        #expect(lines.last == OutputLine(channel: .stdout, text: "next"))
    }

    // MARK: - Unterminated and runaway sequences

    @Test func unterminatedOSCOfOneMegabyteIsAbandonedAtItsCapAndWhatFollowsIsText() {
        let payload = 1024 * 1024
        var input = Array("\u{1B}]52;c;".utf8)
        input += [UInt8](repeating: UInt8(ascii: "A"), count: payload)
        input += Array("\nafter\n".utf8)
        var sanitizer = OutputSanitizer(channel: .stdout)
        var lines: [OutputLine] = []
        do {
            stride(from: 0, to: input.count, by: 4096).forEach { start in
                sanitizer.feed(Array(input[start..<min(start + 4096, input.count)]), into: &lines)
                #expect(sanitizer.lineStorageCapacity <= 64 * 1024)
            }
            sanitizer.finish(into: &lines)
        }
        // ESC ] 5 2 ; c ; is 7 bytes of the 64 KiB string cap; the payload after it shows as text.
        let shown = payload - (64 * 1024 - 7)
        #expect(lines.map(\.text) == [String(repeating: "A", count: 16 * 1024), "after"])
        #expect(lines.first?.droppedBytes == shown - 16 * 1024)
    }

    @Test func unterminatedOSCUnderItsCapAtTheEndShowsNothing() {
        #expect(sanitize("ok\n\u{1B}]0;never ended").map(\.text) == ["ok"])
    }

    @Test func stringCapIsConfigurable() {
        let lines = sanitize("\u{1B}]0;abcdefghij\u{07}\n", limits: .init(maxStringSequenceBytes: 8))
        // ESC ] 0 ; a b c d is 8 bytes; e onwards, then the BEL (as a picture), is text.
        #expect(lines.map(\.text) == ["efghij␇"])
    }

    // MARK: - Feeding in pieces

    @Test func fourByteEmojiSplitOverFourFeedsComesOutWhole() {
        var sanitizer = OutputSanitizer()
        var lines: [OutputLine] = []
        for byte in Array("😀".utf8) {
            sanitizer.feed([byte], into: &lines)
            #expect(lines.isEmpty)
        }
        #expect(sanitizer.pendingLine.text == "😀")
        sanitizer.feed([0x0A], into: &lines)
        #expect(lines.map(\.text) == ["😀"])
    }

    @Test func invalidUTF8SplitAcrossReads() {
        var sanitizer = OutputSanitizer()
        var lines: [OutputLine] = []
        sanitizer.feed([0x61, 0xE2, 0x82], into: &lines)  // the start of €, then...
        sanitizer.feed([0x62, 0xF0, 0x9F], into: &lines)  // ...not its end; the start of 😀, then...
        sanitizer.feed([0x98], into: &lines)
        sanitizer.finish(into: &lines)  // ...the stream ends.
        #expect(lines.map(\.text) == ["a\u{FFFD}b\u{FFFD}"])
    }

    @Test func pendingLineShowsTheUnfinishedLineAndFinishFlushesIt() {
        var sanitizer = OutputSanitizer(channel: .stdout)
        var lines: [OutputLine] = []
        sanitizer.feed(Array("done\nhalf\u{1B}[1mway".utf8), into: &lines)
        #expect(lines.map(\.text) == ["done"])
        #expect(sanitizer.pendingLine.text == "halfway")
        #expect(sanitizer.pendingLine.styles == [StyleRun(range: 4..<7, style: TextStyle(bold: true))])
        sanitizer.feed(Array("\r".utf8), into: &lines)
        #expect(sanitizer.pendingLine.text == "halfway", "a progress line stays visible until it is rewritten")
        sanitizer.finish(into: &lines)
        #expect(lines.map(\.text) == ["done", "halfway"])
        #expect(sanitizer.pendingLine.text.isEmpty)
        // As new after finish: no pen left over.
        sanitizer.feed(Array("x\n".utf8), into: &lines)
        #expect(lines.last?.styles == [])
    }

    @Test func splittingASampleAtEveryByteBoundaryGivesTheSameLines() {
        let sample = HostileOutput.table.flatMap(\.input)
        let whole = sanitize(sample)
        for cut in 0...sample.count {
            var sanitizer = OutputSanitizer(channel: .stderr)
            var lines: [OutputLine] = []
            sanitizer.feed(Array(sample[..<cut]), into: &lines)
            sanitizer.feed(Array(sample[cut...]), into: &lines)
            sanitizer.finish(into: &lines)
            #expect(lines == whole, "split at \(cut)")
            if lines != whole { break }
        }
    }

    @Test func randomChunkSizesGiveTheSameResultAsOneFeed() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for round in 0..<2_000 {
            let input = HostileBytes.random(length: Int.random(in: 0...400, using: &rng), using: &rng)
            let limits = round % 2 == 0 ? OutputSanitizer.Limits.default : HostileBytes.smallLimits
            var whole = OutputSanitizer(channel: .stderr, limits: limits)
            var expected: [OutputLine] = []
            whole.feed(input, into: &expected)
            let expectedPending = whole.pendingLine
            whole.finish(into: &expected)

            var pieces = OutputSanitizer(channel: .stderr, limits: limits)
            var actual: [OutputLine] = []
            var start = 0
            while start < input.count {
                let end = min(input.count, start + Int.random(in: 1...17, using: &rng))
                pieces.feed(Array(input[start..<end]), into: &actual)
                start = end
            }
            #expect(pieces.pendingLine == expectedPending, "round \(round)")
            pieces.finish(into: &actual)
            #expect(actual == expected, "round \(round): \(input)")
            if actual != expected { break }
        }
    }

    @Test func aBatchReceivesTheSameLinesAsAnArrayChunkByChunk() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        for round in 0..<2_000 {
            // Mostly whole printable lines (the batch's fast path), with hostile bytes between them.
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                if Bool.random(using: &rng) {
                    input += Array(String(repeating: "ab", count: Int.random(in: 0...14, using: &rng)).utf8) + [0x0A]
                } else {
                    input += HostileBytes.random(length: Int.random(in: 0...30, using: &rng), using: &rng)
                }
            }
            let limits = round % 2 == 0 ? OutputSanitizer.Limits.default : HostileBytes.smallLimits
            var whole = OutputSanitizer(channel: .stderr, limits: limits)
            var expected: [OutputLine] = []
            whole.feed(input, into: &expected)
            whole.finish(into: &expected)

            var pieces = OutputSanitizer(channel: .stderr, limits: limits)
            var batch = OutputLineBatch()
            var actual: [OutputLine] = []
            var start = 0
            while start < input.count {
                let end = min(input.count, start + Int.random(in: 1...64, using: &rng))
                pieces.feed(Array(input[start..<end]), into: &batch)
                actual += batch
                #expect(batch.textByteCount == batch.map(\.text.utf8.count).reduce(0, +))
                batch.removeAll()
                start = end
            }
            pieces.finish(into: &batch)
            actual += batch
            #expect(actual == expected, "round \(round): \(input)")
            if actual != expected { break }
        }
    }

    // MARK: - The safety invariant

    @Test func noControlCharacterEverReachesTheText() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var checked = 0
        for round in 0..<5_000 {
            let length = Int.random(in: 0...300, using: &rng)
            let input =
                round % 3 == 0
                ? (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : HostileBytes.random(length: length, using: &rng)
            let limits = round % 2 == 0 ? OutputSanitizer.Limits.default : HostileBytes.smallLimits
            var sanitizer = OutputSanitizer(channel: .stdout, limits: limits)
            var lines: [OutputLine] = []
            sanitizer.feed(input, into: &lines)
            let pending = sanitizer.pendingLine
            sanitizer.finish(into: &lines)
            for line in lines + [pending] {
                let unsafe = line.text.unicodeScalars.first(where: isUnsafe)
                #expect(unsafe == nil, "U+\(String(unsafe?.value ?? 0, radix: 16)) from \(input)")
                #expect(line.text.utf8.count <= limits.maxLineBytes)
                expectRunsWellFormed(line)
                checked += 1
            }
        }
        #expect(checked > 5_000)
    }

    @Test func utf8DecodingMatchesTheStandardLibrary() {
        // Letters and high bytes only: the sanitizer must decode exactly as String(decoding:as:), with C1
        // controls as U+FFFD and bidi controls removed.
        var rng = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<3_000 {
            let input = (0..<Int.random(in: 0...60, using: &rng)).map { _ in
                Bool.random(using: &rng)
                    ? UInt8.random(in: 0x41...0x5A, using: &rng) : UInt8.random(in: 0x80...0xFF, using: &rng)
            }
            var expected = String.UnicodeScalarView()
            for scalar in String(decoding: input, as: UTF8.self).unicodeScalars {
                if (0x80...0x9F).contains(scalar.value) {
                    expected.append("\u{FFFD}")
                } else if !Self.bidiControls.contains(scalar.value) {
                    expected.append(scalar)
                }
            }
            let text = sanitize(input).first?.text ?? ""
            #expect(text == String(expected), "\(input)")
            if text != String(expected) { break }
        }
    }

    // MARK: - The ring of lines

    @Test func bufferKeepsTheNewestLinesAndCountsTheDropped() {
        var buffer = OutputBuffer(capacity: 3)
        #expect(buffer.isEmpty)
        for n in 0..<10 { buffer.append(OutputLine(channel: .stdout, text: "\(n)")) }
        #expect(buffer.count == 3)
        #expect(buffer.droppedLineCount == 7)
        #expect(buffer.totalLineCount == 10)
        #expect(buffer.map(\.text) == ["7", "8", "9"])
        #expect(buffer[0].text == "7")
        #expect(buffer[2].text == "9")
        #expect(buffer.lines(in: 1..<3).map(\.text) == ["8", "9"])
        #expect(buffer.lines(in: 2..<99).map(\.text) == ["9"])
    }

    @Test func bufferBeforeItIsFullKeepsEverythingInOrder() {
        var buffer = OutputBuffer()
        #expect(buffer.capacity == 10_000)
        buffer.append(contentsOf: sanitize("a\nb\nc\n"))
        #expect(buffer.map(\.text) == ["a", "b", "c"])
        #expect(buffer.droppedLineCount == 0)
        #expect(buffer.lines(in: 0..<2).map(\.text) == ["a", "b"])
    }

    @Test func bufferStaysBoundedOverManyAppends() {
        var buffer = OutputBuffer(capacity: 1_000)
        var sanitizer = OutputSanitizer()
        var lines: [OutputLine] = []
        for n in 0..<100_000 {
            lines.removeAll(keepingCapacity: true)
            sanitizer.feed(Array("line \(n)\n".utf8), into: &lines)
            buffer.append(contentsOf: lines)
        }
        #expect(buffer.count == 1_000)
        #expect(buffer.droppedLineCount == 99_000)
        #expect(buffer.first?.text == "line 99000")
        #expect(buffer.last?.text == "line 99999")
    }

    // MARK: - Helpers

    private func sanitize(_ text: String, limits: OutputSanitizer.Limits = .default) -> [OutputLine] {
        sanitize(Array(text.utf8), limits: limits)
    }

    private func sanitize(_ bytes: [UInt8], limits: OutputSanitizer.Limits = .default) -> [OutputLine] {
        OutputSanitizer.lines(of: bytes, channel: .stderr, limits: limits)
    }

    /// Feeds `bytes` in chunks of the given sizes, cycling through them.
    private func sanitizeInChunks(_ bytes: [UInt8], sizes: [Int]) -> [OutputLine] {
        var sanitizer = OutputSanitizer(channel: .stderr)
        var lines: [OutputLine] = []
        var start = 0
        var turn = 0
        while start < bytes.count {
            let end = min(bytes.count, start + sizes[turn % sizes.count])
            sanitizer.feed(Array(bytes[start..<end]), into: &lines)
            start = end
            turn += 1
        }
        sanitizer.finish(into: &lines)
        return lines
    }

    /// Written out here, not taken from the sanitizer, so the tests do not trust the code they check.
    static let bidiControls: Set<UInt32> = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]

    private func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || Self.bidiControls.contains(v)
    }

    private func expectSafe(_ line: OutputLine) {
        #expect(!line.text.unicodeScalars.contains(where: isUnsafe), "\(line.text.unicodeScalars.map(\.value))")
        expectRunsWellFormed(line)
    }

    /// Runs are in order, not empty, not overlapping, inside the text, on scalar boundaries, never plain.
    private func expectRunsWellFormed(_ line: OutputLine) {
        let utf8 = Array(line.text.utf8)
        var previousEnd = 0
        for run in line.styles {
            #expect(run.range.lowerBound >= previousEnd && !run.range.isEmpty && run.range.upperBound <= utf8.count)
            #expect(!run.style.isPlain)
            for offset in [run.range.lowerBound, run.range.upperBound] where offset < utf8.count {
                #expect(utf8[offset] & 0xC0 != 0x80, "run boundary inside a scalar")
            }
            previousEnd = run.range.upperBound
        }
    }
}

/// One hostile output and the exact lines it must become.
struct HostileOutput: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let expected: [String]
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ expected: [String]) {
        self.init(name, bytes: Array(input.utf8), expected)
    }

    init(_ name: String, bytes: [UInt8], _ expected: [String]) {
        self.name = name
        self.input = bytes
        self.expected = expected
    }

    static let table: [HostileOutput] = [
        // OSC: all dropped, whatever the terminator.
        .init("OSC 52 clipboard, BEL", "a\u{1B}]52;c;cm0gLXJmIH4=\u{07}b\n", ["ab"]),
        .init("OSC 52 clipboard, ST", "a\u{1B}]52;c;cm0gLXJmIH4=\u{1B}\\b\n", ["ab"]),
        .init("OSC 0 title", "\u{1B}]0;you have been pwned\u{07}ok\n", ["ok"]),
        .init("OSC 2 title, ST", "\u{1B}]2;title\u{1B}\\ok\n", ["ok"]),
        .init(
            "OSC 8 hyperlink", "\u{1B}]8;;https://evil.example/\u{1B}\\click\u{1B}]8;;\u{1B}\\ here\n",
            ["click here"]),
        .init("OSC cut short by a line feed", "a\u{1B}]0;title\nb\n", ["a", "b"]),
        .init("OSC ended by a new sequence", "\u{1B}]0;t\u{1B}[1mx\n", ["x"]),
        // CSI: only SGR means anything, and it is not text.
        .init("CSI 2J and CSI H", "before\u{1B}[2J\u{1B}[Hafter\n", ["beforeafter"]),
        .init(
            "cursor moves, erase, private modes", "\u{1B}[10;20Hx\u{1B}[5A\u{1B}[K\u{1B}[?1049h\u{1B}[?25ly\n",
            ["xy"]),
        .init("SGR is not text", "\u{1B}[1;31mred\u{1B}[0m plain\n", ["red plain"]),
        // Strings up to ST.
        .init("DCS", "a\u{1B}P1$qm\u{1B}\\b\n", ["ab"]),
        .init("DCS does not end at BEL", "a\u{1B}Pq\u{07}#0;2;0;0;0\u{1B}\\b\n", ["ab"]),
        .init("APC", "a\u{1B}_Gf=100;AAAA\u{1B}\\b\n", ["ab"]),
        .init("PM and SOS", "a\u{1B}^pm\u{1B}\\b\u{1B}Xsos\u{1B}\\c\n", ["abc"]),
        // Other escape sequences are dropped; a lone ESC is shown.
        .init("two-byte escapes", "a\u{1B}7b\u{1B}8c\u{1B}cd\u{1B}(Be\u{1B}#8f\n", ["abcdef"]),
        .init("stray ST", "a\u{1B}\\b\n", ["ab"]),
        .init("ESC alone at end of input", "abc\u{1B}", ["abc␛"]),
        .init("ESC before a line feed", "a\u{1B}\nb", ["a␛", "b"]),
        .init("ESC ESC", "\u{1B}\u{1B}[1mx", ["␛x"]),
        .init("ESC before a high byte", "a\u{1B}é", ["a␛é"]),
        // 8-bit controls are never controls.
        .init("8-bit CSI, raw byte", bytes: [0x61, 0x9B] + Array("31mb\n".utf8), ["a\u{FFFD}31mb"]),
        .init("8-bit CSI, UTF-8", bytes: [0x61, 0xC2, 0x9B] + Array("2Jb\n".utf8), ["a\u{FFFD}2Jb"]),
        .init("8-bit OSC and NEL, UTF-8", "a\u{9D}0;t\u{9C}b\u{85}c\n", ["a\u{FFFD}0;t\u{FFFD}b\u{FFFD}c"]),
        // Text that reorders itself is not reordered.
        .init(
            "bidi overrides and isolates", "abc\u{202E}fed\u{202C}\u{2066}x\u{2069}\u{200F}\u{200E}\u{061C}y\n",
            ["abcfedxy"]),
        .init("bidi embeddings", "\u{202A}l\u{202B}r\u{202D}o\u{2067}i\u{2068}f\n", ["lroif"]),
        // C0 controls become pictures.
        .init("NUL", "a\u{0}b\n", ["a␀b"]),
        .init("BEL", "a\u{07}b\n", ["a␇b"]),
        .init("BS cannot erase", "password\u{08}\u{08}\u{08}\u{08}\n", ["password␈␈␈␈"]),
        .init("VT, FF, SO, SI", "a\u{0B}b\u{0C}c\u{0E}d\u{0F}\n", ["a␋b␌c␎d␏"]),
        .init("DEL", "a\u{7F}b\n", ["a␡b"]),
        .init("CAN and SUB", "\u{18}\u{1A}\n", ["␘␚"]),
        .init("CAN cuts a CSI short", "\u{1B}[3\u{18}x\n", ["␘x"]),
        // Invalid UTF-8.
        .init("invalid bytes", bytes: [0x61, 0xFF, 0x62, 0xC0, 0xAF, 0x63, 0xFE], ["a\u{FFFD}b\u{FFFD}\u{FFFD}c\u{FFFD}"]),
        .init("surrogate", bytes: [0xED, 0xA0, 0x80, 0x64], ["\u{FFFD}\u{FFFD}\u{FFFD}d"]),
        .init("overlong encodings", bytes: [0xE0, 0x80, 0xAF, 0xF0, 0x80, 0x80, 0xAF], [String(repeating: "\u{FFFD}", count: 7)]),
        .init("above U+10FFFF", bytes: [0xF4, 0x90, 0x80, 0x80], [String(repeating: "\u{FFFD}", count: 4)]),
        .init("truncated before ASCII", bytes: [0xE2, 0x82, 0x61], ["\u{FFFD}a"]),
        .init("truncated at end of input", bytes: [0x61, 0xF0, 0x9F, 0x98], ["a\u{FFFD}"]),
        .init("truncated by ESC", bytes: [0xE2, 0x1B, 0x5B, 0x6D, 0x61], ["\u{FFFD}a"]),
        .init("valid multi-byte text", "é € 😀 日本\n", ["é € 😀 日本"]),
        // Truncated and overlong sequences.
        .init("CSI cut short by a line feed", "a\u{1B}[31\nb\n", ["a", "b"]),
        .init("CSI cut short by ESC", "a\u{1B}[12\u{1B}[1mb\n", ["ab"]),
        .init("CSI cut short at end of input", "a\u{1B}[31", ["a"]),
        .init(
            "CSI over the length cap", "\u{1B}[" + String(repeating: "9", count: 300) + "mX\n",
            [String(repeating: "9", count: 46) + "mX"]),
        .init(
            "CSI over the parameter cap", "\u{1B}[" + String(repeating: "1;", count: 40) + "mX\n",
            [";" + String(repeating: "1;", count: 8) + "mX"]),
        .init(
            "escape intermediates over the cap", "\u{1B}" + String(repeating: " ", count: 300) + "X\n",
            [String(repeating: " ", count: 45) + "X"]),
        // Line ends, progress bars, tabs.
        .init("CR progress bar", "10%\r50%\r100%\n", ["100%"]),
        .init("CR then shorter text", "downloading\rdone\n", ["done"]),
        .init("CR erase-line progress", "10%\r\u{1B}[K50%\r\u{1B}[K", ["50%"]),
        .init("CR at end of input", "50%\r", ["50%"]),
        .init("CR then SGR then LF", "50%\r\u{1B}[0m\n", ["50%"]),
        .init("CRLF", "a\r\nb\r\n", ["a", "b"]),
        .init("CR CR LF", "a\r\r\nb", ["a", "b"]),
        .init("empty lines", "\n\n", ["", ""]),
        .init("no output", "", []),
        .init("tabs", "a\tb\n\tc\n12345678\td\n", ["a       b", "        c", "12345678        d"]),
        .init("tab after wide and combining characters", "日\tx\ne\u{301}\ty\n", ["日      x", "e\u{301}       y"]),
    ]
}

/// Random output biased towards what breaks parsers: escapes, terminators, separators, line ends,
/// controls and UTF-8 fragments.
enum HostileBytes {
    static let fragments: [[UInt8]] = [
        [0x1B], [0x1B, 0x5B], [0x1B, 0x5D], [0x1B, 0x50], [0x1B, 0x5F], [0x1B, 0x5C], [0x07], [0x0A], [0x0D],
        [0x0D, 0x0A], [0x09], [0x00], [0x08], [0x18], [0x7F], [0x9B], [0x9C], [0xC2, 0x9B], [0xC2], [0xE2, 0x80],
        [0xE2, 0x80, 0xAE], [0xE2, 0x81, 0xA6], [0xF0, 0x9F, 0x98, 0x80], [0xF0, 0x9F], [0xED, 0xA0, 0x80],
        Array("[31m".utf8), Array("[38;2;1;2;3m".utf8), Array("[38:5:9m".utf8), Array("[0m".utf8),
        Array("[2J".utf8), Array("]0;t".utf8), Array("]52;c;".utf8), Array(";".utf8), Array(":".utf8),
        Array("?".utf8), Array("m".utf8), Array("1".utf8), Array("hello".utf8), Array("日".utf8),
    ]

    static func random(length: Int, using rng: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < length {
            if Int.random(in: 0..<4, using: &rng) == 0 {
                bytes.append(UInt8.random(in: 0...255, using: &rng))
            } else {
                bytes += fragments[Int.random(in: 0..<fragments.count, using: &rng)]
            }
        }
        return bytes
    }

    /// Caps small enough for random inputs to hit every one of them.
    static let smallLimits = OutputSanitizer.Limits(
        maxLineBytes: 24, maxControlSequenceBytes: 8, maxStringSequenceBytes: 12, maxParameters: 3)
}

/// A small seeded generator, so every random test is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
