/// Turns the raw bytes of one output stream of a step into sanitized `OutputLine`s, safe to draw on a
/// terminal: nothing the child prints can move the cursor, clear the screen, set the title, write the
/// clipboard, or reorder text.
///
/// Bytes arrive in chunks of any size, split anywhere (in the middle of a UTF-8 sequence, of an escape
/// sequence, of a CRLF): the result is the same as for one chunk. A DEC-style state machine (as tmux
/// `input.c`, less `ansi_step`) reads them:
///
/// - SGR (`ESC [ … m`) becomes the style of the text that follows: bold, dim, italic, underline,
///   reverse, the 16 colours, `38;5;n`, `38;2;r;g;b` (and their `:` forms), 39/49 and resets. The style
///   carries over line ends and carriage returns, as on a terminal.
/// - Every other control sequence (`ESC [ 2 J`, cursor moves, private modes), every OSC (titles,
///   clipboard 52, hyperlinks 8) whether ended by BEL or ST, DCS/APC/PM/SOS strings up to ST, and other
///   escape sequences (`ESC ( B`, `ESC 7`, …) are dropped.
/// - A sequence cut short is discarded: by a byte that cannot continue it (that byte is then read as
///   text), by the end of the input, or by a cap (`Limits`): the bytes after the cap show as text.
///   A string sequence (OSC, DCS, …) also ends at a line feed, so an unterminated title cannot swallow
///   the lines after it. A lone ESC (followed by a byte that starts no sequence, or by the end of the
///   input) shows as `␛`.
/// - `\n` ends a line; `\r\n` (and `\r\r\n`) is one line end; a `\r` followed by more text starts the
///   line again (progress bars: `10%\r50%\r100%\n` is the line `100%`). The line is emptied only when
///   the next visible character arrives, so `50%\r` at the end of the input, or before an SGR and a
///   line feed, keeps `50%`.
/// - A tab becomes spaces up to the next multiple of 8 columns (wide and combining characters are
///   counted by an approximate width, good enough for tab stops).
/// - Other C0 bytes and DEL become their visible pictures (U+2400 + byte, U+2421 for DEL); C1 code points
///   (U+0080–U+009F, as UTF-8 or as raw bytes, including the 8-bit CSI 0x9B) become U+FFFD; the
///   bidirectional controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F and U+061C are removed; invalid
///   UTF-8 becomes U+FFFD (one per maximal invalid subpart, as `String(decoding:as:)`).
/// - A line longer than `Limits.maxLineBytes` bytes of text keeps its beginning; the rest is dropped and
///   counted in `OutputLine.droppedBytes`.
///
/// Memory is bounded by the line cap whatever the input. Printable ASCII is copied in bulk (eight bytes
/// are checked at a time). The output path feeds into an `OutputLineBatch` (no `String` per line);
/// feeding into an array of `OutputLine`s gives the same lines.
///
/// ```swift
/// var sanitizer = OutputSanitizer(channel: .stdout)
/// var lines: [OutputLine] = []
/// sanitizer.feed(Array("\u{1B}[31mred\u{1B}[0m\r\nhalf".utf8), into: &lines)   // lines: ["red"]
/// sanitizer.pendingLine.text                                                   // "half"
/// sanitizer.finish(into: &lines)                                               // lines: ["red", "half"]
/// ```
public struct OutputSanitizer: Sendable {
    /// Caps that keep memory and work bounded on hostile output.
    public struct Limits: Sendable, Hashable {
        /// Bytes of sanitized (UTF-8) text kept per line; the rest of a longer line is dropped and counted.
        public var maxLineBytes: Int
        /// Bytes an escape or control sequence (`ESC … final`, `ESC [ … final`) may take, ESC included.
        public var maxControlSequenceBytes: Int
        /// Bytes an OSC, DCS, APC, PM or SOS string may take before it is abandoned.
        public var maxStringSequenceBytes: Int
        /// Parameters (and `:` sub-parameters) a control sequence may have, at least 1.
        public var maxParameters: Int

        public init(
            maxLineBytes: Int = 16 * 1024, maxControlSequenceBytes: Int = 256,
            maxStringSequenceBytes: Int = 64 * 1024, maxParameters: Int = 32
        ) {
            self.maxLineBytes = max(0, maxLineBytes)
            self.maxControlSequenceBytes = max(2, maxControlSequenceBytes)
            self.maxStringSequenceBytes = max(2, maxStringSequenceBytes)
            self.maxParameters = max(1, maxParameters)
        }

        public static let `default` = Limits()
    }

    /// The stream every emitted line is tagged with.
    public let channel: OutputChannel
    public let limits: Limits

    // MARK: The line being built

    /// UTF-8 of the current line's sanitized text.
    private var lineBytes: [UInt8] = []
    private var lineStyles: [StyleRun] = []
    private var lineDroppedBytes = 0
    /// Display column after the current line's text, for tab stops.
    private var column = 0
    /// A `\r` was read: the line starts again at the next visible character.
    private var carriageReturnPending = false
    /// The style SGR has set, applied to text as it is appended.
    private var pen = TextStyle.plain
    private var penIsPlain = true

    // MARK: The parser

    private var state = State.ground
    /// Bytes of the current escape sequence or string read so far, ESC included.
    private var sequenceLength = 0
    /// Whether BEL ends the current string (true for OSC only).
    private var stringEndsAtBell = false
    private var parameters: [SGRParameter] = []
    /// The control sequence has a private marker (`<`, `=`, `>`, `?`), an intermediate byte, or a
    /// malformed parameter: it is not SGR.
    private var sequenceIsNotSGR = false
    private var sequenceHasIntermediate = false

    // MARK: A UTF-8 sequence split across bytes (and feeds)

    private var utf8Scalar: UInt32 = 0
    private var utf8Remaining = 0
    /// Range the next continuation byte must be in (narrower after E0, ED, F0, F4).
    private var utf8Lower: UInt8 = 0x80
    private var utf8Upper: UInt8 = 0xBF

    public init(channel: OutputChannel = .stdout, limits: Limits = .default) {
        self.channel = channel
        self.limits = limits
        parameters.reserveCapacity(limits.maxParameters)
    }

    /// Sanitizes a whole output at once: every line, the last one even without a line end.
    public static func lines(
        of bytes: [UInt8], channel: OutputChannel = .stdout, limits: Limits = .default
    ) -> [OutputLine] {
        var sanitizer = OutputSanitizer(channel: channel, limits: limits)
        var lines: [OutputLine] = []
        sanitizer.feed(bytes, into: &lines)
        sanitizer.finish(into: &lines)
        return lines
    }

    // MARK: - Feeding

    /// Reads the next chunk of the stream, appending every line it completes to `batch`: the output
    /// path's form, with no `String` per line.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into batch: inout OutputLineBatch) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if state == .ground, utf8Remaining == 0 {
                if byte &- 0x20 < 0x5F {
                    let end = Self.printableRunEnd(base, from: index + 1, to: count)
                    if end < count, base.load(fromByteOffset: end, as: UInt8.self) == 0x0A, lineBytes.isEmpty,
                        lineDroppedBytes == 0, penIsPlain, end - index <= limits.maxLineBytes
                    {
                        // Whole unstyled lines inside this chunk, one after the other: straight to the
                        // batch together, as appendPrintable and endLine would put them there one by one
                        // (a pending `\r` only empties an empty line).
                        let runEnd = Self.plainLinesEnd(base, from: end + 1, to: count, maxLineBytes: limits.maxLineBytes)
                        let lines = UnsafeBufferPointer(
                            start: (base + index).assumingMemoryBound(to: UInt8.self), count: runEnd - index)
                        batch.append(plainLines: lines, channel: channel)
                        column = 0
                        carriageReturnPending = false
                        index = runEnd
                        continue
                    }
                    appendPrintable(base + index, count: end - index)
                    index = end
                    continue
                }
                if byte == 0x0A {
                    endLine(into: &batch)
                    index += 1
                    continue
                }
            }
            consume(byte, into: &batch)
            index += 1
        }
    }

    /// Reads the next chunk of the stream, appending every line it completes to `batch`.
    public mutating func feed(_ bytes: [UInt8], into batch: inout OutputLineBatch) {
        bytes.withUnsafeBytes { feed($0, into: &batch) }
    }

    /// Reads the next chunk of the stream, appending every line it completes to `lines`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into lines: inout [OutputLine]) {
        var batch = OutputLineBatch()
        feed(bytes, into: &batch)
        lines.append(contentsOf: batch)
    }

    /// Reads the next chunk of the stream, appending every line it completes to `lines`.
    public mutating func feed(_ bytes: [UInt8], into lines: inout [OutputLine]) {
        bytes.withUnsafeBytes { feed($0, into: &lines) }
    }

    /// Ends the stream: a lone ESC shows as `␛`, an incomplete UTF-8 sequence as U+FFFD, any other
    /// unfinished sequence is dropped, and a last line without a line end is appended to `batch`. The
    /// sanitizer is then as new.
    public mutating func finish(into batch: inout OutputLineBatch) {
        if state == .escape { appendScalar(0x241B, width: 1) }
        state = .ground
        flushIncompleteUTF8()
        if !lineBytes.isEmpty || lineDroppedBytes > 0 {
            endLine(into: &batch)
        } else {
            restartLine()
        }
        pen = .plain
        penIsPlain = true
    }

    /// Ends the stream as `finish(into:)` with a batch does, appending the last line to `lines`.
    public mutating func finish(into lines: inout [OutputLine]) {
        var batch = OutputLineBatch()
        finish(into: &batch)
        lines.append(contentsOf: batch)
    }

    /// The line read so far but not yet ended, for live display; empty text when there is none.
    public var pendingLine: OutputLine {
        OutputLine(
            channel: channel, text: String(decoding: lineBytes, as: UTF8.self), styles: lineStyles,
            droppedBytes: lineDroppedBytes)
    }

    /// Bytes of memory reserved for the line being built (its text and style runs): bounded by the line
    /// cap whatever the input. For tests.
    var lineStorageCapacity: Int {
        lineBytes.capacity + lineStyles.capacity * MemoryLayout<StyleRun>.stride
    }

    // MARK: - The state machine

    private enum State: Sendable {
        case ground
        /// After ESC.
        case escape
        /// After ESC and one or more intermediate bytes (0x20–0x2F).
        case escapeIntermediate
        /// After `ESC [`.
        case controlSequence
        /// Inside an OSC, DCS, APC, PM or SOS string.
        case string
        /// After ESC inside a string: `\` ends it, anything else ends it and starts a new sequence.
        case stringEscape
    }

    /// Reads one byte that the printable fast path did not take.
    private mutating func consume(_ byte: UInt8, into batch: inout OutputLineBatch) {
        var again = true
        while again {
            switch state {
            case .ground:
                ground(byte, into: &batch)
                again = false
            case .escape: again = escape(byte)
            case .escapeIntermediate: again = escapeIntermediate(byte)
            case .controlSequence: again = controlSequence(byte)
            case .string: again = string(byte)
            case .stringEscape: again = stringEscape(byte)
            }
        }
    }

    private mutating func ground(_ byte: UInt8, into batch: inout OutputLineBatch) {
        if utf8Remaining > 0 {
            if byte >= utf8Lower && byte <= utf8Upper {
                utf8Scalar = utf8Scalar << 6 | UInt32(byte & 0x3F)
                utf8Remaining -= 1
                utf8Lower = 0x80
                utf8Upper = 0xBF
                if utf8Remaining == 0 { appendDecoded(utf8Scalar) }
                return
            }
            flushIncompleteUTF8()
        }
        switch byte {
        case 0x20...0x7E: appendScalar(UInt32(byte), width: 1)
        case 0x0A: endLine(into: &batch)
        case 0x0D: carriageReturnPending = true
        case 0x09: appendTab()
        case 0x1B: begin(.escape)
        case 0x00...0x1F: appendScalar(0x2400 + UInt32(byte), width: 1)
        case 0x7F: appendScalar(0x2421, width: 1)
        case 0xC2...0xDF: beginUTF8(byte & 0x1F, remaining: 1)
        case 0xE0: beginUTF8(byte & 0x0F, remaining: 2, lower: 0xA0)
        case 0xED: beginUTF8(byte & 0x0F, remaining: 2, upper: 0x9F)
        case 0xE1...0xEF: beginUTF8(byte & 0x0F, remaining: 2)
        case 0xF0: beginUTF8(byte & 0x07, remaining: 3, lower: 0x90)
        case 0xF4: beginUTF8(byte & 0x07, remaining: 3, upper: 0x8F)
        case 0xF1...0xF3: beginUTF8(byte & 0x07, remaining: 3)
        default: appendScalar(0xFFFD, width: 1)  // 0x80–0xC1, 0xF5–0xFF: never valid here
        }
    }

    /// After ESC. Returns whether `byte` must be read again in the new state.
    private mutating func escape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "["):
            begin(.controlSequence)
        case UInt8(ascii: "]"):
            begin(.string)
            stringEndsAtBell = true
        case UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_"):
            begin(.string)  // DCS, SOS, PM, APC
        case 0x20...0x2F:
            state = .escapeIntermediate
            return !grow(by: limits.maxControlSequenceBytes)
        case 0x30...0x7E:
            state = .ground  // a complete escape sequence such as `ESC 7`, `ESC c`, `ESC \`: dropped
        default:
            state = .ground  // a lone ESC
            appendScalar(0x241B, width: 1)
            return true
        }
        return false
    }

    /// After ESC and intermediates: waits for the final byte, then drops the sequence.
    private mutating func escapeIntermediate(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20...0x2F: return !grow(by: limits.maxControlSequenceBytes)
        case 0x30...0x7E: state = .ground
        default: return abandon()
        }
        return false
    }

    /// After `ESC [`: collects parameters up to the final byte; applies SGR, drops everything else.
    private mutating func controlSequence(_ byte: UInt8) -> Bool {
        guard byte >= 0x20 && byte <= 0x7E else { return abandon() }
        guard grow(by: limits.maxControlSequenceBytes) else { return true }
        switch byte {
        case 0x30...0x39:
            if sequenceHasIntermediate { sequenceIsNotSGR = true }
            let last = parameters.count - 1
            let digit = Int(byte - 0x30)
            parameters[last].value = min(65_535, (parameters[last].value ?? 0) * 10 + digit)
        case UInt8(ascii: ";"), UInt8(ascii: ":"):
            if sequenceHasIntermediate { sequenceIsNotSGR = true }
            guard parameters.count < limits.maxParameters else { return abandon() }
            parameters.append(SGRParameter(value: nil, isSubparameter: byte == UInt8(ascii: ":")))
        case 0x3C...0x3F:
            sequenceIsNotSGR = true  // a private marker (or a misplaced one): not SGR either way
        case 0x20...0x2F:
            sequenceHasIntermediate = true
            sequenceIsNotSGR = true
        default:  // 0x40–0x7E: the final byte
            state = .ground
            if byte == UInt8(ascii: "m") && !sequenceIsNotSGR {
                pen.apply(sgr: parameters)
                penIsPlain = pen.isPlain
            }
        }
        return false
    }

    /// Inside an OSC, DCS, APC, PM or SOS string: everything is dropped up to its end.
    private mutating func string(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x07 where stringEndsAtBell:
            state = .ground
        case 0x1B:
            state = .stringEscape
            return !grow(by: limits.maxStringSequenceBytes)
        case 0x0A, 0x18, 0x1A:
            return abandon()  // LF, CAN, SUB: the string is cut short
        default:
            return !grow(by: limits.maxStringSequenceBytes)
        }
        return false
    }

    /// After ESC inside a string: `ESC \` (ST) ends it; any other byte ends it and begins a new sequence.
    private mutating func stringEscape(_ byte: UInt8) -> Bool {
        if byte == UInt8(ascii: "\\") {
            state = .ground
            return false
        }
        begin(.escape)
        return true
    }

    /// Starts a sequence (ESC already read).
    private mutating func begin(_ newState: State) {
        state = newState
        switch newState {
        case .escape:
            sequenceLength = 1
        case .controlSequence:
            sequenceLength = 2
            parameters.removeAll(keepingCapacity: true)
            parameters.append(SGRParameter(value: nil, isSubparameter: false))
            sequenceIsNotSGR = false
            sequenceHasIntermediate = false
        case .string:
            sequenceLength = 2
            stringEndsAtBell = false
        case .ground, .escapeIntermediate, .stringEscape:
            break
        }
    }

    /// Counts one more byte of the current sequence. When that passes `limit`, the sequence is abandoned
    /// and false is returned: the byte is then read again as text.
    private mutating func grow(by limit: Int) -> Bool {
        sequenceLength += 1
        if sequenceLength > limit {
            state = .ground
            return false
        }
        return true
    }

    /// Drops the current sequence; the byte that cut it short must be read again as text.
    private mutating func abandon() -> Bool {
        state = .ground
        return true
    }

    // MARK: - UTF-8

    private mutating func beginUTF8(_ bits: UInt8, remaining: Int, lower: UInt8 = 0x80, upper: UInt8 = 0xBF) {
        utf8Scalar = UInt32(bits)
        utf8Remaining = remaining
        utf8Lower = lower
        utf8Upper = upper
    }

    /// An incomplete UTF-8 sequence (cut by an unexpected byte or the end) is one U+FFFD.
    private mutating func flushIncompleteUTF8() {
        guard utf8Remaining > 0 else { return }
        utf8Remaining = 0
        utf8Lower = 0x80
        utf8Upper = 0xBF
        appendScalar(0xFFFD, width: 1)
    }

    /// A decoded scalar of U+0080 or above: C1 controls become U+FFFD, bidi controls vanish.
    private mutating func appendDecoded(_ scalar: UInt32) {
        if scalar <= 0x9F {
            appendScalar(0xFFFD, width: 1)
        } else if !Self.isBidiControl(scalar) {
            appendScalar(scalar, width: Self.cellWidth(scalar))
        }
    }

    static func isBidiControl(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Columns a scalar takes, approximately (for tab stops only): 0 for combining marks and format
    /// characters, 2 for East Asian wide characters and emoji, 1 otherwise.
    static func cellWidth(_ scalar: UInt32) -> Int {
        if scalar < 0x300 { return 1 }
        switch scalar {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            break
        }
        guard let unicodeScalar = Unicode.Scalar(scalar) else { return 1 }
        let properties = unicodeScalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return properties.isEmojiPresentation ? 2 : 1
        }
    }

    // MARK: - Building the line

    /// Where the run of printable ASCII (0x20–0x7E) starting before `start` ends: the index of the first
    /// other byte, or `end`. Checks eight bytes at a time: a byte's high bit is set in `flags` when it is
    /// below 0x20 (`x - 0x20` borrows), 0x7F or above (`x + 1` reaches 0x80), or non-ASCII (`x`); borrows
    /// and carries only spill upwards from a flagged byte, so the lowest flag is exact.
    @inline(__always)
    private static func printableRunEnd(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= end {
            let x = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let flags = (((x &- ones &* 0x20) & ~x) | x | (x &+ ones)) & highBits
            if flags != 0 { return index + flags.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < end {
            if base.load(fromByteOffset: index, as: UInt8.self) &- 0x20 >= 0x5F { return index }
            index += 1
        }
        return end
    }

    /// Where the whole lines of printable ASCII (each ended by `\n`, at most `maxLineBytes` long, empty
    /// ones included) starting at `start` end: after the last such line's `\n`, or `start` if none.
    private static func plainLinesEnd(
        _ base: UnsafeRawPointer, from start: Int, to end: Int, maxLineBytes: Int
    ) -> Int {
        var next = start
        while next < end {
            let first = base.load(fromByteOffset: next, as: UInt8.self)
            if first == 0x0A {
                next += 1
                continue
            }
            guard first &- 0x20 < 0x5F else { break }
            let lineEnd = printableRunEnd(base, from: next + 1, to: end)
            guard lineEnd < end, base.load(fromByteOffset: lineEnd, as: UInt8.self) == 0x0A,
                lineEnd - next <= maxLineBytes
            else { break }
            next = lineEnd + 1
        }
        return next
    }

    /// Appends a run of printable ASCII, as much as fits the line cap.
    private mutating func appendPrintable(_ start: UnsafeRawPointer, count: Int) {
        if carriageReturnPending { restartLine() }
        let room = lineDroppedBytes > 0 ? 0 : limits.maxLineBytes - lineBytes.count
        let kept = min(count, room)
        column += count
        if kept > 0 {
            let from = lineBytes.count
            let bytes = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: kept)
            lineBytes.append(contentsOf: bytes)
            if !penIsPlain { recordStyle(from: from) }
        }
        lineDroppedBytes += count - kept
    }

    private mutating func appendTab() {
        if carriageReturnPending { restartLine() }
        let spaces = 8 - column % 8
        column += spaces
        guard fits(spaces) else { return }
        let from = lineBytes.count
        lineBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spaces))
        if !penIsPlain { recordStyle(from: from) }
    }

    /// Appends one scalar (a decoded character, a control picture, U+FFFD) as UTF-8.
    private mutating func appendScalar(_ scalar: UInt32, width: Int) {
        if carriageReturnPending { restartLine() }
        let length = scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
        column += width
        guard fits(length) else { return }
        let from = lineBytes.count
        switch length {
        case 1:
            lineBytes.append(UInt8(scalar))
        case 2:
            lineBytes.append(UInt8(0xC0 | scalar >> 6))
            lineBytes.append(UInt8(0x80 | scalar & 0x3F))
        case 3:
            lineBytes.append(UInt8(0xE0 | scalar >> 12))
            lineBytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            lineBytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            lineBytes.append(UInt8(0xF0 | scalar >> 18))
            lineBytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            lineBytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            lineBytes.append(UInt8(0x80 | scalar & 0x3F))
        }
        if !penIsPlain { recordStyle(from: from) }
    }

    /// Whether `length` more bytes fit the line; once one piece does not, nothing more is kept and every
    /// later piece of the line is counted as dropped.
    private mutating func fits(_ length: Int) -> Bool {
        if lineDroppedBytes > 0 || lineBytes.count + length > limits.maxLineBytes {
            lineDroppedBytes += length
            return false
        }
        return true
    }

    /// Gives the bytes appended since `from` the current pen, extending the last run when it matches.
    private mutating func recordStyle(from: Int) {
        let end = lineBytes.count
        let last = lineStyles.count - 1
        if last >= 0, lineStyles[last].range.upperBound == from, lineStyles[last].style == pen {
            lineStyles[last].range = lineStyles[last].range.lowerBound..<end
        } else {
            lineStyles.append(StyleRun(range: from..<end, style: pen))
        }
    }

    private mutating func endLine(into batch: inout OutputLineBatch) {
        lineBytes.withUnsafeBufferPointer {
            batch.append(text: $0, styles: lineStyles, droppedBytes: lineDroppedBytes, channel: channel)
        }
        restartLine()
    }

    /// Empties the current line (after a line end, or a carriage return followed by more text).
    private mutating func restartLine() {
        lineBytes.removeAll(keepingCapacity: true)
        if !lineStyles.isEmpty { lineStyles.removeAll(keepingCapacity: true) }
        lineDroppedBytes = 0
        column = 0
        carriageReturnPending = false
    }
}

/// One numeric parameter of a control sequence; `nil` when empty (`ESC [ ; 1 m`).
struct SGRParameter: Sendable, Hashable {
    var value: Int?
    /// Introduced by `:` rather than `;` (`38:2::255:0:0`).
    var isSubparameter: Bool
}

extension TextStyle {
    /// Applies an SGR sequence's parameters, as xterm and tmux do; unknown or malformed ones are ignored.
    mutating func apply(sgr parameters: [SGRParameter]) {
        var index = 0
        while index < parameters.count {
            let code = parameters[index].value ?? 0
            var next = index + 1
            while next < parameters.count && parameters[next].isSubparameter { next += 1 }
            let subparameters = parameters[(index + 1)..<next]
            switch code {
            case 0: self = .plain
            case 1: bold = true
            case 2: dim = true
            case 3: italic = true
            case 4: underline = (subparameters.first?.value ?? 1) != 0  // `4:0` is no underline
            case 7: reverse = true
            case 22: (bold, dim) = (false, false)
            case 23: italic = false
            case 24: underline = false
            case 27: reverse = false
            case 30...37: foreground = .ansi(UInt8(code - 30))
            case 39: foreground = nil
            case 40...47: background = .ansi(UInt8(code - 40))
            case 49: background = nil
            case 90...97: foreground = .ansi(UInt8(code - 90 + 8))
            case 100...107: background = .ansi(UInt8(code - 100 + 8))
            case 38, 48:
                let color: TerminalColor?
                if subparameters.isEmpty {
                    // `38;5;n` and `38;2;r;g;b`: the colour takes the parameters that follow.
                    let (parsed, used) = Self.extendedColor(parameters[next...].map { $0.value ?? 0 })
                    color = parsed
                    next += used
                } else {
                    // `38:5:n`, `38:2:r:g:b` and `38:2:colourspace:r:g:b`.
                    var values = subparameters.map { $0.value ?? 0 }
                    if values.first == 2 && values.count >= 5 { values.remove(at: 1) }
                    color = Self.extendedColor(values).color
                }
                if let color {
                    if code == 38 { foreground = color } else { background = color }
                }
            default: break
            }
            index = next
        }
    }

    /// Reads `5, n` or `2, r, g, b` from the start of `values`; returns the colour (nil when malformed)
    /// and how many values it took.
    private static func extendedColor(_ values: [Int]) -> (color: TerminalColor?, used: Int) {
        func byte(_ i: Int) -> UInt8? { i < values.count && values[i] <= 255 ? UInt8(values[i]) : nil }
        switch values.first {
        case 5:
            guard values.count >= 2 else { return (nil, values.count) }
            return (byte(1).map { .indexed($0) }, 2)
        case 2:
            guard values.count >= 4 else { return (nil, values.count) }
            guard let r = byte(1), let g = byte(2), let b = byte(3) else { return (nil, 4) }
            return (.rgb(r, g, b), 4)
        default:
            return (nil, values.isEmpty ? 0 : 1)
        }
    }
}
