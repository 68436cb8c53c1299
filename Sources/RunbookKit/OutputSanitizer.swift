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
/// - A foreground equal to the background (`ESC[30;40m`, the same 256-colour index or RGB value) would
///   hide the text: such text keeps its other attributes but not its colours (`TextStyle.legible`).
///   Conceal (`ESC[8m`) is ignored.
/// - A line longer than `Limits.maxLineBytes` bytes of text keeps its beginning, cut at a grapheme
///   cluster boundary (a flag, a ZWJ emoji sequence, a letter and its combining marks are kept or cut
///   whole); the rest is counted in `OutputLine.droppedBytes`. The whole line, its kept beginning and
///   what was cut, also streams through the batch's `LineOverflow`, chunk by chunk, so the indicators
///   judge the whole line without anyone keeping it.
///
/// Memory is bounded by the line cap (and, for the overflow, by the size of one chunk) whatever the input. Printable ASCII is copied in bulk (eight bytes
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
    var lineBytes: [UInt8] = []
    var lineStyles: [StyleRun] = []
    var lineDroppedBytes = 0
    /// Display column after the current line's text, for tab stops.
    var column = 0
    /// A `\r` was read: the line starts again at the next visible character.
    var carriageReturnPending = false
    /// The style SGR has set.
    private var pen = TextStyle.plain
    /// The style text is given as it is appended: the pen, made legible.
    var ink = TextStyle.plain
    var penIsPlain = true
    /// The text of the current line past the cap (and the kept text before it), and line ends of cut
    /// lines, since the last feed: moved into the batch at the end of each feed.
    var overflow = LineOverflow()

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

    var utf8Scalar: UInt32 = 0
    var utf8Remaining = 0
    /// Range the next continuation byte must be in (narrower after E0, ED, F0, F4).
    var utf8Lower: UInt8 = 0x80
    var utf8Upper: UInt8 = 0xBF

    public init(channel: OutputChannel = .stdout, limits: Limits = .default) {
        self.channel = channel
        self.limits = limits
        parameters.reserveCapacity(limits.maxParameters)
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
        moveOverflow(into: &batch)
    }

    /// Reads the next chunk of the stream, appending every line it completes to `batch`.
    public mutating func feed(_ bytes: [UInt8], into batch: inout OutputLineBatch) {
        bytes.withUnsafeBytes { feed($0, into: &batch) }
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
        ink = .plain
        penIsPlain = true
        moveOverflow(into: &batch)
    }

    /// Hands the overflow gathered by this feed to `batch`, after its lines.
    private mutating func moveOverflow(into batch: inout OutputLineBatch) {
        guard !overflow.isEmpty else { return }
        batch.overflow.append(contentsOf: overflow)
        overflow.removeAll()
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
                ink = pen.legible
                penIsPlain = ink.isPlain
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
}
