import Testing

@testable import RunbookKit

/// The output ring: bounded by lines and by bytes, whatever the lines are like, and the same whether
/// lines arrive one by one or in batches.
@Suite struct OutputBufferTests {
    func line(_ text: String, _ styles: [StyleRun] = [], channel: OutputChannel = .stdout) -> OutputLine {
        OutputLine(channel: channel, text: text, styles: styles)
    }

    @Test func theByteBudgetDropsTheOldestLines() {
        // Each line costs its bytes plus one: five lines of "aaaa" fill 25 bytes.
        var buffer = OutputBuffer(capacity: 100, byteCapacity: 22)
        for n in 0..<10 { buffer.append(line("aa\(n)a")) }
        #expect(buffer.map(\.text) == ["aa6a", "aa7a", "aa8a", "aa9a"])
        #expect(buffer.droppedLineCount == 6)
        #expect(buffer.totalLineCount == 10)
        #expect(buffer.byteCount == 20)
    }

    @Test func theDefaultBudgetIsAboutFourMebibytes() {
        let buffer = OutputBuffer()
        #expect(buffer.capacity == 10_000)
        #expect(buffer.byteCapacity == 4 << 20)
    }

    @Test func linesAtTheSanitizersCapStayWithinTheBudgetNotTenThousandOfThem() {
        // 1,000 lines of 16 KiB: 16 MB of text, of which the buffer keeps what fits in 4 MiB.
        var sanitizer = OutputSanitizer()
        var batch = OutputLineBatch()
        var buffer = OutputBuffer()
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024) + [0x0A]
        for _ in 0..<1_000 {
            batch.removeAll()
            sanitizer.feed(chunk, into: &batch)
            buffer.append(contentsOf: batch)
        }
        #expect(buffer.totalLineCount == 1_000)
        #expect(buffer.count == (4 << 20) / (16 * 1024 + 1))
        #expect(buffer.byteCount <= buffer.byteCapacity)
        #expect(buffer.last?.text.utf8.count == 16 * 1024)
        #expect(buffer.last?.isTruncated == false)
    }

    @Test func aLineLargerThanTheWholeBudgetKeepsItsBeginningCutBetweenCharacters() {
        var buffer = OutputBuffer(capacity: 10, byteCapacity: 8)
        buffer.append(line("old"))
        let styled = [StyleRun(range: 0..<2, style: TextStyle(bold: true))]
        buffer.append(OutputLine(channel: .stderr, text: "ééééé", styles: styled, droppedBytes: 3))
        // 7 bytes of room (one is the separator): three é (6 bytes), not half of the fourth.
        #expect(buffer.count == 1)
        #expect(buffer.droppedLineCount == 1)
        #expect(buffer[0] == OutputLine(channel: .stderr, text: "ééé", styles: [], droppedBytes: 3 + 4))
        #expect(buffer.byteCount == 7)
    }

    @Test func styleRunsStayWithTheirLinesAndCountAgainstTheBudget() {
        let bold = TextStyle(bold: true)
        let cost = OutputBuffer.styleRunCost
        var buffer = OutputBuffer(capacity: 100, byteCapacity: 16 + 2 * cost)
        for n in 0..<20 {
            let styles = n % 2 == 0 ? [StyleRun(range: 0..<1, style: bold)] : []
            buffer.append(line("ab\(n % 10)", styles))
        }
        // The newest lines: 19 (plain), 18 (styled), 17 (plain), 16 (styled) cost 4 + (4 + cost) + 4 + (4 + cost):
        // all the budget; 15 no longer fits.
        #expect(buffer.map(\.text) == ["ab6", "ab7", "ab8", "ab9"])
        #expect(buffer.map(\.styles.isEmpty) == [false, true, false, true])
        #expect(buffer[0].styles == [StyleRun(range: 0..<1, style: bold)])
        #expect(buffer.byteCount == 16 + 2 * cost)
    }

    @Test func aBatchIsKeptExactlyAsItsLinesOneByOne() {
        var rng = SplitMix64(seed: 0x0B0F_0001)
        let pieces = ["", "a", "é", "日本", "✓ ok", "line", String(repeating: "x", count: 40), "😀z"]
        let styles = [TextStyle(bold: true), TextStyle(foreground: .ansi(2)), TextStyle(underline: true)]
        for round in 0..<300 {
            let capacity = Int.random(in: 1...12, using: &rng)
            let byteCapacity = Int.random(in: 1...160, using: &rng)
            var byBatch = OutputBuffer(capacity: capacity, byteCapacity: byteCapacity)
            var byLine = OutputBuffer(capacity: capacity, byteCapacity: byteCapacity)
            var model = ReferenceBuffer(capacity: capacity, byteCapacity: byteCapacity)
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                var batch = OutputLineBatch()
                for _ in 0..<Int.random(in: 0...15, using: &rng) {
                    let text = (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                    var runs: [StyleRun] = []
                    var at = 0
                    while at < text.utf8.count, Bool.random(using: &rng) {
                        let end = Int.random(in: (at + 1)...text.utf8.count, using: &rng)
                        runs.append(StyleRun(range: at..<end, style: styles.randomElement(using: &rng)!))
                        at = end
                    }
                    let line = OutputLine(
                        channel: Bool.random(using: &rng) ? .stdout : .stderr, text: text, styles: runs,
                        droppedBytes: Int.random(in: 0...2, using: &rng))
                    batch.append(line)
                    byLine.append(line)
                    model.append(line)
                }
                byBatch.append(contentsOf: batch)
                #expect(Array(byBatch) == Array(byLine), "round \(round)")
                #expect(Array(byLine) == model.lines, "round \(round)")
                #expect(byBatch.droppedLineCount == model.dropped)
                #expect(byLine.droppedLineCount == model.dropped)
                #expect(byBatch.byteCount == model.byteCount)
                #expect(byBatch.byteCount <= byteCapacity)
                if Array(byBatch) != model.lines { return }
            }
        }
    }

    @Test func linesInARangeAreClampedToTheLinesKept() {
        var buffer = OutputBuffer(capacity: 3)
        buffer.append(contentsOf: OutputLineBatch(["a", "b", "c", "d"].map { line($0) }))
        #expect(buffer.droppedLineCount == 1)
        #expect(buffer.lines(in: 1..<10).map(\.text) == ["c", "d"])
        #expect(buffer.lines(in: -5..<1).map(\.text) == ["b"])
    }
}

/// The documented rules, written plainly, to compare the ring with.
private struct ReferenceBuffer {
    let capacity: Int
    let byteCapacity: Int
    var lines: [OutputLine] = []
    var dropped = 0

    static func cost(_ line: OutputLine) -> Int {
        line.text.utf8.count + 1 + line.styles.count * OutputBuffer.styleRunCost
    }

    var byteCount: Int { lines.map(Self.cost).reduce(0, +) }

    mutating func append(_ line: OutputLine) {
        var line = line
        if Self.cost(line) > byteCapacity {
            line.styles = []
            var bytes = Array(line.text.utf8)
            if bytes.count + 1 > byteCapacity {
                var end = byteCapacity - 1
                while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
                line.droppedBytes += bytes.count - end
                bytes = Array(bytes[..<end])
                line.text = String(decoding: bytes, as: UTF8.self)
            }
        }
        lines.append(line)
        while lines.count > capacity || byteCount > byteCapacity {
            lines.removeFirst()
            dropped += 1
        }
    }
}
