/// How a step ended, as the indicators see it.
public enum StepEnd: Sendable, Hashable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case cancelled
    case failedToStart(String)

    /// Words for a person: "exit 0", "killed by signal 9", "timed out".
    public var description: String {
        switch self {
        case .exited(let c): "exit \(c)"
        case .signaled(let s): "killed by signal \(s)"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        case .failedToStart(let why): "could not start: \(why)"
        }
    }
}

/// The state of one indicator while its step runs and after.
public struct Verdict: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Not decided yet: output is still arriving.
        case pending
        case passed
        case failed
        /// A manual indicator waiting for the engineer's y/n.
        case needsAnswer = "needs_answer"
    }

    public var indicator: Indicator
    public var state: State
    /// The output line that decided it (contains, matches, not_contains), if any.
    public var decidingLine: String?
    /// Why it failed or passed, in words ("exit 1, expected exit 0", "no line contains ...").
    public var reason: String?
    /// Whether the indicator is the implied `exit 0` of a step without an `exit` indicator, not one
    /// written in the runbook.
    public var implied: Bool

    public init(indicator: Indicator, state: State, decidingLine: String? = nil, reason: String? = nil, implied: Bool = false) {
        self.indicator = indicator
        self.state = state
        self.decidingLine = decidingLine
        self.reason = reason
        self.implied = implied
    }
}

/// Judges a step's indicators line by line as its output streams, and at its end.
///
/// `contains` and `matches` pass on the first matching line; `not_contains` fails on the first matching
/// line and passes at exit; `exit_code` decides at exit; `equals` compares the whole standard output,
/// trimmed, at exit. A time-out, cancel or failure to start fails whatever is still pending. Manual
/// indicators wait for an answer. All output lines, standard output and standard error, are matched.
///
/// A line longer than the sanitizer keeps (16 KiB) is judged whole: its text streams through a
/// ``LongLineMatcher`` per stream (the batch's `LineOverflow`), and its verdicts are decided when it
/// ends. Its kept beginning is not matched against a `matches` pattern on its own (its `$` would be the
/// cut), and `equals` fails on an output with a cut line.
///
/// A step without an `exit` indicator gets an implied `exit 0` (`Verdict.implied`), after its written
/// indicators: a command that fails fails the step whatever its other indicators say, and the verdict
/// says why ("exit 1, expected exit 0"). `StepOutcome.judge` turns the verdicts into the step's outcome.
public struct IndicatorEvaluator: Sendable {
    public private(set) var verdicts: [Verdict]
    private let regexes: [PosixRegex?]
    private let needles: [[UInt8]]
    private var pendingLineChecks: Int
    private var standardOutput: [UInt8] = []
    private var standardOutputOverflow = false
    /// A line of standard output was cut: `equals` cannot compare it.
    private var standardOutputCut = false
    /// Lines too long to keep, per stream (standard output, standard error).
    private var longLines: [LongLineMatcher]
    private let keepsStandardOutput: Bool
    /// Reused by `observe(_:channel:)`.
    private var lineBatch = OutputLineBatch()

    /// How much standard output an `equals` indicator compares at most.
    public static let equalsLimit = 1 << 20

    /// The indicator a step without an `exit` indicator is judged by besides its own: `exit 0`.
    public static func impliedExit(for indicators: [Indicator]) -> Indicator? {
        guard !indicators.contains(where: \.isExit) else { return nil }
        return Indicator(
            kind: .exitCode(0), note: "implied: the step fails when its command fails",
            text: "exit 0 (implied: the step fails when its command fails)",
            location: indicators.last?.location ?? SourceLocation(line: 0, column: 0))
    }

    /// `indicators`: the step's written indicators; the implied `exit 0` is added after them when none
    /// of them is an `exit` indicator, so a written indicator's index is its index in `verdicts`.
    public init(indicators written: [Indicator]) {
        let implied = Self.impliedExit(for: written)
        let indicators = written + (implied.map { [$0] } ?? [])
        verdicts = indicators.enumerated().map { i, indicator in
            Verdict(
                indicator: indicator, state: indicator.isManual ? .needsAnswer : .pending, implied: i >= written.count)
        }
        regexes = indicators.map {
            if case .matches(let p) = $0.kind { return try? PosixRegex(p) }
            return nil
        }
        needles = indicators.map {
            switch $0.kind {
            case .contains(let s), .notContains(let s): Array(s.utf8)
            default: []
            }
        }
        pendingLineChecks = indicators.filter {
            switch $0.kind {
            case .contains, .notContains, .matches: true
            default: false
            }
        }.count
        keepsStandardOutput = indicators.contains {
            if case .equals = $0.kind { return true }
            return false
        }
        let overlap = Swift.max(Self.longLineOverlap, (needles.map(\.count).max() ?? 0) + 4)
        longLines = Array(
            repeating: LongLineMatcher(overlap: overlap, headLimit: OutputSanitizer.Limits.default.maxLineBytes),
            count: 2)
    }

    /// On a line too long to keep, a match of up to this many bytes is found anywhere (a literal
    /// longer than this widens it to fit). The window is twice this: glibc's `regexec` can take time
    /// quadratic in the text it reads (`a+b` on a run of `a`), so a window no larger than a kept line
    /// (16 KiB) costs what a line of the cap costs.
    public static let longLineOverlap = 8 * 1024

    /// Looks at one line of sanitized output.
    public mutating func observe(_ line: String, channel: OutputChannel) {
        guard observesOutput else { return }
        // A one-line batch, in storage kept from line to line.
        var batch = lineBatch
        lineBatch = OutputLineBatch()
        batch.removeAll()
        var line = line
        line.withUTF8 { batch.append(text: $0, styles: [], droppedBytes: 0, channel: channel) }
        observe(batch)
        lineBatch = batch
    }

    /// Whether output can still change a verdict (or is kept for `equals`): when not, `observe` does
    /// nothing and need not be called.
    public var observesOutput: Bool {
        pendingLineChecks > 0 || (keepsStandardOutput && !standardOutputOverflow)
    }

    /// Looks at a batch of sanitized lines, in order, as `observe(_:channel:)` one by one would.
    ///
    /// A `contains` or `not_contains` needle is searched for in the batch's whole text at once (the
    /// NUL after each line keeps a match inside one line); a `matches` pattern runs on each line in
    /// place. A `String` is made only for the line that decides a verdict.
    public mutating func observe(_ batch: OutputLineBatch) {
        if keepsStandardOutput && !standardOutputOverflow { keepStandardOutput(batch) }
        guard pendingLineChecks > 0 else { return }
        defer { observe(batch.overflow) }
        guard !batch.isEmpty else { return }
        batch.text.withUnsafeBufferPointer { text in
            for i in verdicts.indices where verdicts[i].state == .pending {
                let line: Int?
                switch verdicts[i].indicator.kind {
                case .contains, .notContains:
                    line = Self.firstLine(in: batch, text: text, containing: needles[i])
                case .matches:
                    guard let regex = regexes[i] else { continue }
                    // A cut line is judged whole from the overflow, not by its kept beginning.
                    line = batch.records.firstIndex { r in
                        r.droppedBytes == 0
                            && regex.matches(cString: UnsafeRawPointer(text.baseAddress! + r.start).assumingMemoryBound(to: CChar.self))
                    }
                default:
                    continue
                }
                guard let line else { continue }
                let deciding = batch.string(of: line)
                switch verdicts[i].indicator.kind {
                case .contains: decide(i, .passed, line: deciding, reason: "a line contains it")
                case .notContains: decide(i, .failed, line: deciding, reason: "a line contains it")
                default: decide(i, .passed, line: deciding, reason: "a line matches")
                }
            }
        }
    }

    /// Follows the lines too long to keep, deciding what each finds when it ends.
    private mutating func observe(_ overflow: LineOverflow) {
        guard !overflow.isEmpty, pendingLineChecks > 0 else { return }
        let checks = longLineChecks
        guard !checks.isEmpty else { return }
        overflow.text.withUnsafeBufferPointer { text in
            for piece in overflow.pieces {
                let k = piece.channel == .stdout ? 0 : 1
                switch piece.event {
                case .text(let range):
                    longLines[k].append(UnsafeBufferPointer(rebasing: text[range]), checks: checks)
                case .abandoned:
                    longLines[k].abandonLine()
                case .ended:
                    let deciding = longLines[k].headText
                    for i in longLines[k].endLine(checks: checks).sorted() where verdicts[i].state == .pending {
                        switch verdicts[i].indicator.kind {
                        case .contains: decide(i, .passed, line: deciding, reason: "a line contains it")
                        case .notContains: decide(i, .failed, line: deciding, reason: "a line contains it")
                        default: decide(i, .passed, line: deciding, reason: "a line matches")
                        }
                    }
                }
            }
        }
    }

    /// The line checks still pending, as a long line looks for them.
    private var longLineChecks: [LongLineMatcher.Check] {
        verdicts.indices.compactMap { i in
            guard verdicts[i].state == .pending else { return nil }
            switch verdicts[i].indicator.kind {
            case .contains, .notContains: return .init(index: i, pattern: .literal(needles[i]))
            case .matches: return regexes[i].map { .init(index: i, pattern: .regex($0)) }
            default: return nil
            }
        }
    }

    /// The first line of `batch` holding `needle`.
    private static func firstLine(
        in batch: OutputLineBatch, text: UnsafeBufferPointer<UInt8>, containing needle: [UInt8]
    ) -> Int? {
        if needle.isEmpty { return 0 }
        return needle.withUnsafeBufferPointer { n in
            if n.contains(0) {
                // A NUL in the needle could match across a line's end: look line by line.
                return batch.records.firstIndex { r in
                    ByteSearch.contains(n, in: UnsafeBufferPointer(rebasing: text[r.start..<(r.start + r.count)]))
                }
            }
            guard let offset = ByteSearch.firstIndex(of: n, in: text) else { return nil }
            // The line whose text holds `offset`: the last one starting at or before it.
            var low = 0
            var high = batch.records.count
            while high - low > 1 {
                let mid = (low + high) / 2
                if batch.records[mid].start <= offset { low = mid } else { high = mid }
            }
            return low
        }
    }

    /// Keeps standard output for `equals`, up to `equalsLimit`.
    private mutating func keepStandardOutput(_ batch: OutputLineBatch) {
        for r in batch.records where r.channel == .stdout {
            guard r.droppedBytes == 0 else {
                standardOutputCut = true
                standardOutputOverflow = true
                return
            }
            guard standardOutput.count + r.count + 1 <= Self.equalsLimit else {
                standardOutputOverflow = true
                return
            }
            standardOutput += batch.text[r.start..<(r.start + r.count)]
            standardOutput.append(0x0A)
        }
    }

    /// Decides what is still pending once the step has ended.
    public mutating func finish(_ end: StepEnd) {
        for i in verdicts.indices where verdicts[i].state == .pending {
            switch end {
            case .timedOut, .cancelled, .failedToStart:
                decide(i, .failed, line: nil, reason: end.description)
                continue
            case .exited, .signaled:
                break
            }
            switch verdicts[i].indicator.kind {
            case .exit(let expected):
                if expected.accepts(end) {
                    decide(i, .passed, line: nil, reason: end.description)
                } else {
                    decide(i, .failed, line: nil, reason: "\(end.description), expected \(expected.description)")
                }
            case .notContains:
                decide(i, .passed, line: nil, reason: "no line contains it")
            case .contains:
                decide(i, .failed, line: nil, reason: "no line contains it")
            case .matches:
                decide(
                    i, .failed, line: nil,
                    reason: regexes[i] == nil ? "the regular expression is invalid" : "no line matches")
            case .equals(let expected):
                if standardOutputCut {
                    decide(i, .failed, line: nil, reason: "a line of the output is longer than 16 KiB: too long to compare")
                } else if standardOutputOverflow {
                    decide(i, .failed, line: nil, reason: "the output is larger than 1 MiB: too large to compare")
                } else {
                    let actual = String(decoding: standardOutput, as: UTF8.self).trimmingASCIISpaces()
                    if actual == expected.trimmingASCIISpaces() {
                        decide(i, .passed, line: nil, reason: "the output equals it")
                    } else {
                        let shown = actual.count > 80 ? String(actual.prefix(77)) + "..." : actual
                        decide(i, .failed, line: nil, reason: "the output is `\(shown)`")
                    }
                }
            case .manual:
                break
            }
        }
    }

    /// Records the engineer's answer to a manual indicator.
    public mutating func answer(_ index: Int, yes: Bool) {
        guard verdicts.indices.contains(index), verdicts[index].indicator.isManual else { return }
        verdicts[index].state = yes ? .passed : .failed
        verdicts[index].reason = yes ? "answered yes" : "answered no"
    }

    /// Whether every checkable indicator has been decided.
    public var isSettled: Bool { !verdicts.contains { $0.state == .pending } }

    private mutating func decide(_ i: Int, _ state: Verdict.State, line: String?, reason: String) {
        if verdicts[i].state == .pending, line != nil { pendingLineChecks -= 1 }
        verdicts[i].state = state
        verdicts[i].decidingLine = line
        verdicts[i].reason = reason
    }

    /// Whether `line` holds the bytes `needle` (an empty needle is in every line).
    static func line(_ line: String, contains needle: [UInt8]) -> Bool {
        var line = line
        return line.withUTF8 { hay in
            needle.withUnsafeBufferPointer { n in ByteSearch.contains(n, in: hay) }
        }
    }
}
