import Testing
@testable import RunbookKit

@Suite("indicators judged as output streams")
struct IndicatorEvaluatorTests {
    func indicator(_ kind: Indicator.Kind, _ line: Int = 1) -> Indicator {
        Indicator(kind: kind, note: "", text: "\(kind)", location: SourceLocation(line: line, column: 1))
    }

    @Test("contains and matches pass on the first matching line, keeping that line")
    func passOnFirstLine() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.contains("pulled")), indicator(.matches("uid=1000\\(django\\)"))])
        e.observe("Pulling image", channel: .stdout)
        // The two written indicators, then the implied exit 0.
        #expect(e.verdicts.map(\.state) == [.pending, .pending, .pending])
        #expect(e.verdicts.map(\.implied) == [false, false, true])
        e.observe("Successfully pulled image x", channel: .stderr)
        try #require(e.verdicts.count > 1)
        #expect(e.verdicts[0].state == .passed)
        #expect(e.verdicts[0].decidingLine == "Successfully pulled image x")
        e.observe("uid=1000(django) gid=1000(django)", channel: .stdout)
        #expect(e.verdicts[1].state == .passed)
        e.observe("Successfully pulled again", channel: .stdout)
        #expect(e.verdicts[0].decidingLine == "Successfully pulled image x")
        // The implied exit 0 waits for the end.
        #expect(!e.isSettled)
        e.finish(.exited(0))
        #expect(e.isSettled)
        #expect(e.verdicts.map(\.state) == [.passed, .passed, .passed])
    }

    @Test("not_contains fails on the first matching line and passes at exit otherwise")
    func notContains() throws {
        var failing = IndicatorEvaluator(indicators: [indicator(.notContains("ImagePullBackOff"))])
        failing.observe("Warning  Failed  ImagePullBackOff", channel: .stdout)
        try #require(failing.verdicts.count > 0)
        #expect(failing.verdicts[0].state == .failed)
        #expect(failing.verdicts[0].decidingLine == "Warning  Failed  ImagePullBackOff")
        failing.finish(.exited(0))
        #expect(failing.verdicts[0].state == .failed)

        var passing = IndicatorEvaluator(indicators: [indicator(.notContains("ImagePullBackOff"))])
        passing.observe("Normal  Pulled", channel: .stdout)
        try #require(passing.verdicts.count > 0)
        #expect(passing.verdicts[0].state == .pending)
        passing.finish(.exited(0))
        #expect(passing.verdicts[0].state == .passed)
    }

    @Test("exit_code and equals decide at exit; equals compares trimmed standard output only")
    func atExit() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.exitCode(0)), indicator(.equals("x86_64"))])
        e.observe("  x86_64  ", channel: .stdout)
        e.observe("warning: something", channel: .stderr)
        #expect(e.verdicts.map(\.state) == [.pending, .pending])
        e.finish(.exited(0))
        #expect(e.verdicts.map(\.state) == [.passed, .passed])

        var wrong = IndicatorEvaluator(indicators: [indicator(.exitCode(0)), indicator(.equals("x86_64"))])
        wrong.observe("aarch64", channel: .stdout)
        wrong.finish(.exited(2))
        #expect(wrong.verdicts.map(\.state) == [.failed, .failed])
        try #require(wrong.verdicts.count > 1)
        #expect(wrong.verdicts[0].reason == "exit 2, expected exit 0")
        #expect(wrong.verdicts[1].reason == "the output is `aarch64`")

        var multi = IndicatorEvaluator(indicators: [indicator(.equals("a\nb"))])
        multi.observe("a", channel: .stdout)
        multi.observe("b", channel: .stdout)
        multi.finish(.exited(0))
        try #require(multi.verdicts.count > 0)
        #expect(multi.verdicts[0].state == .passed)
    }

    @Test("a time-out, cancel or failure to start fails what is pending, with the reason")
    func interrupted() throws {
        for end in [StepEnd.timedOut, .cancelled, .failedToStart("no shell")] {
            var e = IndicatorEvaluator(indicators: [indicator(.contains("ok")), indicator(.notContains("err")), indicator(.exitCode(0))])
            e.observe("ok", channel: .stdout)
            e.finish(end)
            #expect(e.verdicts.map(\.state) == [.passed, .failed, .failed])
            try #require(e.verdicts.count > 1)
            #expect(e.verdicts[1].reason == end.description)
        }
    }

    @Test("a killed step fails exit_code; contains that never matched fails")
    func signaled() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.exitCode(0)), indicator(.contains("ready"))])
        e.finish(.signaled(9))
        #expect(e.verdicts.map(\.state) == [.failed, .failed])
        try #require(e.verdicts.count > 1)
        #expect(e.verdicts[0].reason == "killed by signal 9, expected exit 0")
        #expect(e.verdicts[1].reason == "no line contains it")
    }

    @Test("manual indicators wait for an answer and never pass by themselves")
    func manual() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.manual), indicator(.exitCode(0))])
        try #require(e.verdicts.count > 1)
        #expect(e.verdicts[0].state == .needsAnswer)
        e.observe("anything", channel: .stdout)
        e.finish(.exited(0))
        #expect(e.verdicts[0].state == .needsAnswer)
        e.answer(0, yes: false)
        #expect(e.verdicts[0].state == .failed)
        e.answer(1, yes: false)  // not manual: ignored
        #expect(e.verdicts[1].state == .passed)
    }

    @Test("equals refuses output larger than its limit instead of comparing a prefix")
    func equalsLimit() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.equals("x"))])
        let line = String(repeating: "x", count: 1000)
        for _ in 0..<(IndicatorEvaluator.equalsLimit / 1000 + 2) { e.observe(line, channel: .stdout) }
        e.finish(.exited(0))
        try #require(e.verdicts.count > 0)
        #expect(e.verdicts[0].state == .failed)
        #expect(e.verdicts[0].reason?.contains("larger than 1 MiB") == true)
    }

    @Test("byte search finds needles at every position, and multi-byte text")
    func byteSearch() {
        #expect(IndicatorEvaluator.line("abc", contains: Array("abc".utf8)))
        #expect(IndicatorEvaluator.line("xxabc", contains: Array("abc".utf8)))
        #expect(IndicatorEvaluator.line("abab-abc", contains: Array("abc".utf8)))
        #expect(!IndicatorEvaluator.line("ab", contains: Array("abc".utf8)))
        #expect(!IndicatorEvaluator.line("aaaa", contains: Array("aab".utf8)))
        #expect(IndicatorEvaluator.line("état: prêt ✓", contains: Array("prêt ✓".utf8)))
        #expect(IndicatorEvaluator.line("", contains: []))
    }

    @Test("the chunk-wide search finds a needle at every offset of long text, or says it is absent")
    func byteSearchAtEveryOffset() {
        var rng = SplitMix64(seed: 0xB17E_0001)
        for _ in 0..<300 {
            let hay = (0..<Int.random(in: 0...90, using: &rng)).map { _ in UInt8.random(in: 97...100, using: &rng) }
            let length = Int.random(in: 1...6, using: &rng)
            let needle = (0..<length).map { _ in UInt8.random(in: 97...100, using: &rng) }
            var expected: Int?
            if hay.count >= needle.count {
                expected = (0...(hay.count - needle.count)).first { Array(hay[$0..<($0 + needle.count)]) == needle }
            }
            let found = hay.withUnsafeBufferPointer { h in needle.withUnsafeBufferPointer { ByteSearch.firstIndex(of: $0, in: h) } }
            #expect(found == expected, "\(needle) in \(hay)")
        }
    }

    @Test("a batch of lines is judged exactly as the same lines one by one")
    func batchJudgedAsLines() {
        var rng = SplitMix64(seed: 0x1D1C_0001)
        let words = ["ok", "pulled", "err", "a", "b", "ab", "ba", "é", "x y", "", "\u{0}"]
        func phrase() -> String {
            (0..<Int.random(in: 1...3, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined()
        }
        for round in 0..<500 {
            let kinds: [Indicator.Kind] = [
                .contains(phrase()), .notContains(phrase()), .matches(["a+b", "^ok$", "é", "x y"].randomElement(using: &rng)!),
                .equals(phrase()), .exitCode(0), .contains(""),
            ]
            let indicators = kinds.shuffled(using: &rng).prefix(Int.random(in: 1...kinds.count, using: &rng)).map { indicator($0) }
            var oneByOne = IndicatorEvaluator(indicators: Array(indicators))
            var batched = IndicatorEvaluator(indicators: Array(indicators))
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                var batch = OutputLineBatch()
                for _ in 0..<Int.random(in: 0...8, using: &rng) {
                    let line = OutputLine(channel: Bool.random(using: &rng) ? .stdout : .stderr, text: phrase())
                    oneByOne.observe(line.text, channel: line.channel)
                    batch.append(line)
                }
                batched.observe(batch)
                #expect(batched.verdicts == oneByOne.verdicts, "round \(round)")
            }
            oneByOne.finish(.exited(0))
            batched.finish(.exited(0))
            #expect(batched.verdicts == oneByOne.verdicts, "round \(round)")
            if batched.verdicts != oneByOne.verdicts { return }
        }
    }

    @Test("no indicator matches across the end of a line, whatever its needle or pattern")
    func noMatchAcrossLines() throws {
        var e = IndicatorEvaluator(indicators: [
            indicator(.contains("ab")), indicator(.contains("a\u{0}b")), indicator(.contains("a\nb")),
            indicator(.matches("a.b")), indicator(.notContains("ab")),
        ])
        e.observe(OutputLineBatch([OutputLine(channel: .stdout, text: "xa"), OutputLine(channel: .stdout, text: "by")]))
        #expect(e.verdicts.allSatisfy { $0.state == .pending })
        e.observe(OutputLineBatch([OutputLine(channel: .stderr, text: "--ab--")]))
        // The last is the implied exit 0, decided at the end.
        #expect(e.verdicts.map(\.state) == [.passed, .pending, .pending, .pending, .failed, .pending])
        try #require(e.verdicts.count > 0)
        #expect(e.verdicts[0].decidingLine == "--ab--")
    }

    // MARK: - A line too long to keep is judged whole

    /// Runs `bytes`, in chunks of `chunk` bytes, through a real sanitizer (16 KiB cap) into the
    /// evaluator, as the step core does, and ends the step with exit 0.
    func judge(_ kinds: [Indicator.Kind], _ bytes: [UInt8], chunk: Int = 4096) -> IndicatorEvaluator {
        var e = IndicatorEvaluator(indicators: kinds.map { indicator($0) } + [indicator(.exit(.any))])
        var sanitizer = OutputSanitizer(channel: .stdout)
        var batch = OutputLineBatch()
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            sanitizer.feed(Array(bytes[start..<min(bytes.count, start + chunk)]), into: &batch)
            e.observe(batch)
            batch.removeAll()
        }
        sanitizer.finish(into: &batch)
        e.observe(batch)
        e.finish(.exited(0))
        return e
    }

    /// `count` bytes of `a`, then `tail`.
    func longLine(_ count: Int, _ tail: String) -> [UInt8] {
        [UInt8](repeating: UInt8(ascii: "a"), count: count) + Array(tail.utf8)
    }

    @Test("a needle at the end of a 1 MB line is found: contains passes, not contains fails, with the kept beginning as the line")
    func needleAtTheEndOfALongLine() throws {
        let e = judge([.contains("NEEDLE"), .notContains("NEEDLE"), .matches("NEEDLE$")], longLine(1_000_000, "NEEDLE\n"))
        #expect(e.verdicts.map(\.state) == [.passed, .failed, .passed, .passed])
        try #require(e.verdicts.count > 1)
        #expect(e.verdicts[0].decidingLine == String(repeating: "a", count: 16 * 1024))
        #expect(e.verdicts[1].reason == "a line contains it")

        let absent = judge([.contains("NEEDLE"), .notContains("NEEDLE"), .matches("NEEDLE")], longLine(1_000_000, "NEEDL\n"))
        #expect(absent.verdicts.map(\.state) == [.failed, .passed, .failed, .passed])
    }

    /// The window slides by this: a window is full at twice it.
    static let overlap = IndicatorEvaluator.longLineOverlap

    @Test("a needle across the cut, a chunk's end or a window's edge is found at every offset", arguments: [
        16 * 1024 - 3, 16 * 1024, 2 * overlap - 2, 2 * overlap, 3 * overlap - 5, 4 * overlap + 1, 100_000,
    ])
    func needleAcrossEveryBoundary(_ at: Int) {
        var bytes = longLine(200_000, "\n")
        bytes.replaceSubrange(at..<(at + 6), with: Array("NEEDLE".utf8))
        for chunk in [1000, 4096, 65_536] {
            let e = judge([.contains("NEEDLE"), .notContains("NEEDLE"), .matches("NE+DLE")], bytes, chunk: chunk)
            #expect(e.verdicts.map(\.state) == [.passed, .failed, .passed, .passed], "at \(at), chunks of \(chunk)")
        }
    }

    @Test("a needle only in the text a carriage return rewrote does not count, as on a short line")
    func rewrittenLongLine() {
        let e = judge([.contains("NEEDLE"), .notContains("NEEDLE")], longLine(100_000, "NEEDLE\rdone\n"))
        #expect(e.verdicts.map(\.state) == [.failed, .passed, .passed])
        let short = judge([.contains("NEEDLE"), .notContains("NEEDLE")], Array("NEEDLE\rdone\n".utf8))
        #expect(short.verdicts.map(\.state) == e.verdicts.map(\.state))
    }

    @Test("anchors on a cut line: ^ is the line's real start and $ its real end, never the cut or a window's edge")
    func anchorsOnACutLine() {
        // The second window's searched part starts at `overlap`, the third's at twice it: a `b` at each.
        var line = longLine(100_000, "bz\n")
        line[Self.overlap] = UInt8(ascii: "b")
        line[2 * Self.overlap] = UInt8(ascii: "b")
        let e = judge([
            .matches("^a"), .matches("z$"), .matches("bz$"),  // pass: the real start and end
            .matches("a$"),  // the kept 16 KiB end in `a`, the line does not
            .matches("^b"), .matches("^z"),  // no `b` starts the line, whatever window it starts
            .matches("^a+bz$"),  // a match longer than a window is not found: not green
        ], line)
        #expect(e.verdicts.map(\.state) == [.passed, .passed, .passed, .failed, .failed, .failed, .failed, .passed])
    }

    @Test("a word boundary at a window's cut edge is not trusted; at the line's real end it is")
    func wordBoundaryAtAWindowEdge() {
        // The first window is full at twice `overlap`: `WORD` ends exactly there, and the line goes on with `a`.
        var bytes = longLine(200_000, "\n")
        let end = 2 * Self.overlap
        bytes.replaceSubrange((end - 5)..<end, with: Array(" WORD".utf8))
        let e = judge([.matches("WORD\\>"), .matches("WORD\\b"), .matches("WORD")], bytes, chunk: 1000)
        #expect(e.verdicts.map(\.state) == [.failed, .failed, .passed, .passed])
        let atEnd = judge([.matches("WORD\\>"), .matches("\\bWORD\\b")], longLine(100_000, " WORD\n"))
        #expect(atEnd.verdicts.map(\.state) == [.passed, .passed, .passed])
        // `WORD` right where the second window's searched part starts: the `a` before it is still read.
        var joined = longLine(100_000, "\n")
        joined.replaceSubrange(Self.overlap..<(Self.overlap + 4), with: Array("WORD".utf8))
        let inWord = judge([.matches("\\bWORD"), .matches("\\<WORD"), .matches("aWORD")], joined, chunk: 1000)
        #expect(inWord.verdicts.map(\.state) == [.failed, .failed, .passed, .passed])
    }

    @Test("equals fails on standard output with a cut line instead of comparing its kept beginning")
    func equalsWithACutLine() throws {
        let kept = String(repeating: "a", count: 16 * 1024)
        let e = judge([.equals(kept)], longLine(20_000, "\n"))
        try #require(e.verdicts.count > 0)
        #expect(e.verdicts[0].state == .failed)
        #expect(e.verdicts[0].reason == "a line of the output is longer than 16 KiB: too long to compare")
    }

    @Test("standard output and standard error each keep their own long line")
    func longLinesOnBothStreams() throws {
        var e = IndicatorEvaluator(indicators: [indicator(.contains("NEEDLE")), indicator(.exit(.any))])
        var out = OutputSanitizer(channel: .stdout)
        var err = OutputSanitizer(channel: .stderr)
        var batch = OutputLineBatch()
        // NEE on stdout, DLE on stderr, each a long line: no line holds NEEDLE.
        out.feed(longLine(30_000, "NEE"), into: &batch)
        e.observe(batch)
        batch.removeAll()
        err.feed(Array("DLE".utf8) + longLine(30_000, "\n"), into: &batch)
        e.observe(batch)
        batch.removeAll()
        out.feed(Array("\n".utf8), into: &batch)
        e.observe(batch)
        e.finish(.exited(0))
        try #require(e.verdicts.count > 0)
        #expect(e.verdicts[0].state == .failed)
    }
}
