/// Building the sanitizer's current line: text in, styles recorded, the cap applied at a grapheme
/// cluster boundary, and what passes the cap streamed to the overflow.
extension OutputSanitizer {
    // MARK: - Runs of printable ASCII

    /// Where the run of printable ASCII (0x20–0x7E) starting before `start` ends: the index of the first
    /// other byte, or `end`. Checks eight bytes at a time: a byte's high bit is set in `flags` when it is
    /// below 0x20 (`x - 0x20` borrows), 0x7F or above (`x + 1` reaches 0x80), or non-ASCII (`x`); borrows
    /// and carries only spill upwards from a flagged byte, so the lowest flag is exact.
    @inline(__always)
    static func printableRunEnd(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
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
    static func plainLinesEnd(
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

    // MARK: - Appending text

    /// Appends a run of printable ASCII.
    mutating func appendPrintable(_ start: UnsafeRawPointer, count: Int) {
        if carriageReturnPending { restartLine() }
        column += count
        append(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count), divisible: true)
    }

    mutating func appendTab() {
        if carriageReturnPending { restartLine() }
        let spaces = 8 - column % 8
        column += spaces
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { buffer in
            buffer.initialize(repeating: UInt8(ascii: " "))
            append(UnsafeBufferPointer(rebasing: buffer[0..<spaces]), divisible: true)
        }
    }

    /// Appends one scalar (a decoded character, a control picture, U+FFFD) as UTF-8.
    mutating func appendScalar(_ scalar: UInt32, width: Int) {
        if carriageReturnPending { restartLine() }
        column += width
        var encoded: (UInt8, UInt8, UInt8, UInt8)
        let length: Int
        switch scalar {
        case ..<0x80:
            (encoded, length) = ((UInt8(scalar), 0, 0, 0), 1)
        case ..<0x800:
            (encoded, length) = ((UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F), 0, 0), 2)
        case ..<0x10000:
            encoded = (
                UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F), 0
            )
            length = 3
        default:
            encoded = (
                UInt8(0xF0 | scalar >> 18), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F),
                UInt8(0x80 | scalar & 0x3F)
            )
            length = 4
        }
        withUnsafeBytes(of: &encoded) { raw in
            append(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length),
                   divisible: false)
        }
    }

    /// Appends sanitized text: to the line while it fits the cap, then (from the first piece that does
    /// not fit) to the overflow only. `divisible`: every byte is a character of its own (ASCII), so the
    /// piece may be split at the cap; a scalar is kept or cut whole.
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, divisible: Bool) {
        if lineDroppedBytes > 0 {
            overflow.append(bytes, channel: channel)
            lineDroppedBytes += bytes.count
            return
        }
        let room = limits.maxLineBytes - lineBytes.count
        let kept = bytes.count <= room ? bytes.count : (divisible ? room : 0)
        if kept > 0 {
            let from = lineBytes.count
            lineBytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<kept]))
            if !penIsPlain { recordStyle(from: from) }
        }
        if kept < bytes.count { cut(before: UnsafeBufferPointer(rebasing: bytes[kept...])) }
    }

    /// The line reaches its cap, `rest` being the first text that does not fit: the whole line so far
    /// and `rest` start the overflow, and the kept text goes back to the last grapheme cluster boundary
    /// (a cluster that `rest` continues is cut whole, not split).
    private mutating func cut(before rest: UnsafeBufferPointer<UInt8>) {
        lineBytes.withUnsafeBufferPointer { overflow.append($0, channel: channel) }
        overflow.append(rest, channel: channel)
        let keep = lineBytes.withUnsafeBufferPointer { GraphemeBoundary.cut($0, before: rest) }
        lineDroppedBytes += lineBytes.count - keep + rest.count
        guard keep < lineBytes.count else { return }
        lineBytes.removeSubrange(keep...)
        while let last = lineStyles.last, last.range.lowerBound >= keep { lineStyles.removeLast() }
        if let last = lineStyles.last, last.range.upperBound > keep {
            lineStyles[lineStyles.count - 1].range = last.range.lowerBound..<keep
        }
    }

    /// Gives the bytes appended since `from` the current ink, extending the last run when it matches.
    private mutating func recordStyle(from: Int) {
        let end = lineBytes.count
        let last = lineStyles.count - 1
        if last >= 0, lineStyles[last].range.upperBound == from, lineStyles[last].style == ink {
            lineStyles[last].range = lineStyles[last].range.lowerBound..<end
        } else {
            lineStyles.append(StyleRun(range: from..<end, style: ink))
        }
    }

    // MARK: - Ending the line

    mutating func endLine(into batch: inout OutputLineBatch) {
        lineBytes.withUnsafeBufferPointer {
            batch.append(text: $0, styles: lineStyles, droppedBytes: lineDroppedBytes, channel: channel)
        }
        if lineDroppedBytes > 0 { overflow.endLine(channel) }
        resetLine()
    }

    /// Empties the current line for a carriage return followed by more text: a cut line is abandoned.
    mutating func restartLine() {
        if lineDroppedBytes > 0 { overflow.abandonLine(channel) }
        resetLine()
    }

    private mutating func resetLine() {
        lineBytes.removeAll(keepingCapacity: true)
        if !lineStyles.isEmpty { lineStyles.removeAll(keepingCapacity: true) }
        lineDroppedBytes = 0
        column = 0
        carriageReturnPending = false
    }
    // MARK: - UTF-8

    mutating func beginUTF8(_ bits: UInt8, remaining: Int, lower: UInt8 = 0x80, upper: UInt8 = 0xBF) {
        utf8Scalar = UInt32(bits)
        utf8Remaining = remaining
        utf8Lower = lower
        utf8Upper = upper
    }

    /// An incomplete UTF-8 sequence (cut by an unexpected byte or the end) is one U+FFFD.
    mutating func flushIncompleteUTF8() {
        guard utf8Remaining > 0 else { return }
        utf8Remaining = 0
        utf8Lower = 0x80
        utf8Upper = 0xBF
        appendScalar(0xFFFD, width: 1)
    }

    /// A decoded scalar of U+0080 or above: C1 controls become U+FFFD, bidi controls vanish.
    mutating func appendDecoded(_ scalar: UInt32) {
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
}
