/// Lines of output completed together (by one `OutputSanitizer.feed`), stored compactly: the text of
/// every line in one byte array, each line followed by a NUL byte, and a small record per line.
///
/// This is how lines travel from the sanitizer to the indicators and the `OutputBuffer` on the output
/// path: no `String` and no array per line, and the indicators search the whole batch at once. Reading
/// a line as an `OutputLine` (the subscript) builds one. Sanitized text never holds a NUL, so each line
/// is also a C string in place, and a search for text without a NUL never matches across lines.
///
/// ```swift
/// var sanitizer = OutputSanitizer(channel: .stdout)
/// var batch = OutputLineBatch()
/// sanitizer.feed(Array("a\nb\nc".utf8), into: &batch)   // batch.map(\.text) == ["a", "b"]
/// batch.removeAll()                                      // ready for the next chunk, capacity kept
/// ```
public struct OutputLineBatch: Sendable {
    struct Record: Sendable {
        /// Offset of the line's first byte in `text`.
        var start: Int
        var count: Int
        var droppedBytes: Int
        /// The line's runs are `styles[styleStart..<styleEnd]`, their ranges relative to the line.
        var styleStart: Int
        var styleEnd: Int
        var channel: OutputChannel
    }

    /// Every line's UTF-8, each followed by a NUL.
    private(set) var text: [UInt8] = []
    private(set) var records: [Record] = []
    private(set) var styles: [StyleRun] = []

    public init() {}

    /// A batch holding `lines`, in order.
    public init(_ lines: some Sequence<OutputLine>) {
        for line in lines { append(line) }
    }

    /// Appends one line.
    public mutating func append(_ line: OutputLine) {
        var text = line.text
        text.withUTF8 { append(text: $0, styles: line.styles, droppedBytes: line.droppedBytes, channel: line.channel) }
    }

    /// Appends one line from its UTF-8 text; style ranges count bytes of that text.
    mutating func append(
        text bytes: UnsafeBufferPointer<UInt8>, styles lineStyles: [StyleRun], droppedBytes: Int,
        channel: OutputChannel
    ) {
        let start = text.count
        text.append(contentsOf: bytes)
        text.append(0)
        let styleStart = styles.count
        if !lineStyles.isEmpty { styles.append(contentsOf: lineStyles) }
        records.append(
            Record(
                start: start, count: bytes.count, droppedBytes: droppedBytes, styleStart: styleStart,
                styleEnd: styles.count, channel: channel))
    }

    /// Appends whole, unstyled lines as they arrived, the common case: `lines` is their text, each
    /// line ended by a line feed and holding no other. The text is copied at once; each line feed
    /// becomes the NUL after its line.
    mutating func append(plainLines lines: UnsafeBufferPointer<UInt8>, channel: OutputChannel) {
        let base = text.count
        let styleCount = styles.count
        text.append(contentsOf: lines)
        // Records are added while the copied text is rewritten: moved out of `self` for that time.
        var records = self.records
        self.records = []
        defer { self.records = records }
        func endLine(_ start: inout Int, at end: Int) {
            records.append(
                Record(
                    start: start, count: end - start, droppedBytes: 0, styleStart: styleCount, styleEnd: styleCount,
                    channel: channel))
            start = end + 1
        }
        text.withUnsafeMutableBufferPointer { text in
            let raw = UnsafeMutableRawPointer(text.baseAddress!)
            let lineFeeds: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
            var lineStart = base
            var i = base
            // Eight bytes at a time: each line feed found becomes a NUL and ends a line.
            while i + 8 <= text.count {
                var found = ByteSearch.zeroBytes(
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ lineFeeds)
                while found != 0 {
                    let at = i + found.trailingZeroBitCount / 8
                    text[at] = 0
                    endLine(&lineStart, at: at)
                    found &= found &- 1
                }
                i += 8
            }
            while i < text.count {
                if text[i] == 0x0A {
                    text[i] = 0
                    endLine(&lineStart, at: i)
                }
                i += 1
            }
        }
    }

    /// Empties the batch, keeping its storage for the next lines.
    public mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        styles.removeAll(keepingCapacity: true)
    }

    /// Bytes of text of every line, NULs not counted.
    public var textByteCount: Int { text.count - records.count }

    /// The channel of line `i`.
    public func channel(of i: Int) -> OutputChannel { records[i].channel }

    /// Calls `body` with the UTF-8 of line `i` (without its NUL).
    public func withUTF8<R>(of i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let r = records[i]
        return try text.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[r.start..<(r.start + r.count)]))
        }
    }

    /// The line whose text holds all of `range` (offsets into the batch's text, NULs counted), or nil
    /// when the range is not inside one line's text.
    func lineIndex(holding range: Range<Int>) -> Int? {
        // The last line that starts at or before the range.
        var low = 0
        var high = records.count
        while low < high {
            let mid = (low + high) / 2
            if records[mid].start <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let r = records[low - 1]
        return range.upperBound <= r.start + r.count ? low - 1 : nil
    }

    /// This batch with each of `ranges` of its text (offsets, NULs counted; sorted, disjoint, each
    /// inside one line's text) replaced by `replacement`. A line that changes loses its styles; the
    /// others keep theirs, and runs of them are copied whole.
    func replacing(_ ranges: [Range<Int>], with replacement: [UInt8]) -> OutputLineBatch {
        guard !ranges.isEmpty else { return self }
        var out = OutputLineBatch()
        out.text.reserveCapacity(text.count + ranges.count * replacement.count)
        out.records.reserveCapacity(records.count)
        out.styles.reserveCapacity(styles.count)
        var next = 0  // the first range not yet replaced
        var copiedText = 0  // text[..<copiedText] is in `out` (or replaced)
        var copiedStyles = 0  // likewise for styles
        text.withUnsafeBufferPointer { src in
            for var r in records {
                let end = r.start + r.count
                if next < ranges.count, ranges[next].lowerBound < end {
                    // The lines before this one, unchanged, in one copy; then this one, masked.
                    out.text.append(contentsOf: src[copiedText..<r.start])
                    out.styles.append(contentsOf: styles[copiedStyles..<r.styleStart])
                    let start = out.text.count
                    var from = r.start
                    while next < ranges.count, ranges[next].lowerBound < end {
                        out.text.append(contentsOf: src[from..<ranges[next].lowerBound])
                        out.text.append(contentsOf: replacement)
                        from = ranges[next].upperBound
                        next += 1
                    }
                    out.text.append(contentsOf: src[from..<end])
                    copiedText = end  // the NUL goes with the next copy
                    copiedStyles = r.styleEnd
                    r.start = start
                    r.count = out.text.count - start
                    r.styleStart = out.styles.count
                    r.styleEnd = out.styles.count
                } else {
                    // Where it will be once the unchanged text and styles before it are copied.
                    r.start += out.text.count - copiedText
                    let styleShift = out.styles.count - copiedStyles
                    r.styleStart += styleShift
                    r.styleEnd += styleShift
                }
                out.records.append(r)
            }
            out.text.append(contentsOf: src[copiedText...])
            out.styles.append(contentsOf: styles[copiedStyles...])
        }
        return out
    }

    /// Line `i`'s text as a String.
    func string(of i: Int) -> String {
        withUTF8(of: i) { String(decoding: $0, as: UTF8.self) }
    }
}

extension OutputLineBatch: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }
    public var count: Int { records.count }

    /// Line `position` as an `OutputLine` (this builds its `String`).
    public subscript(position: Int) -> OutputLine {
        let r = records[position]
        return OutputLine(
            channel: r.channel, text: string(of: position), styles: Array(styles[r.styleStart..<r.styleEnd]),
            droppedBytes: r.droppedBytes)
    }
}
