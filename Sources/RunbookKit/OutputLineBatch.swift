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
    /// The text of lines cut by the sanitizer's cap, as it streamed in this feed, for the indicators.
    /// Only the sanitizer adds to it; `append(contentsOf:)` does not copy it (it is no line to keep).
    public internal(set) var overflow = LineOverflow()

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

    /// Appends every line of `other`, in order, copying bytes (no `String` per line). The overflow of `other` is not copied.
    public mutating func append(contentsOf other: OutputLineBatch) {
        guard !other.isEmpty else { return }
        let textBase = text.count
        let styleBase = styles.count
        text.append(contentsOf: other.text)
        styles.append(contentsOf: other.styles)
        records.reserveCapacity(records.count + other.records.count)
        for var r in other.records {
            r.start += textBase
            r.styleStart += styleBase
            r.styleEnd += styleBase
            records.append(r)
        }
    }

    /// Empties the batch, keeping its storage for the next lines.
    public mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        styles.removeAll(keepingCapacity: true)
        if !overflow.isEmpty { overflow.removeAll() }
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

    /// Replaces each of `ranges` of the text (offsets, NULs counted; sorted, disjoint, each inside one
    /// line's text) with `replacement`. A line that changes loses its styles; the others keep theirs.
    ///
    /// In place but for the text, which is copied once (between the ranges) into a buffer of the same
    /// capacity; the lines before the first change are not looked at, the others are moved by how much
    /// the text before them grew or shrank.
    mutating func replace(_ ranges: [Range<Int>], with replacement: [UInt8]) {
        guard let first = ranges.first, var line = lineIndex(holding: first) else { return }
        let newCount = text.count + ranges.reduce(0) { $0 + replacement.count - $1.count }
        let old = text
        text = [UInt8](unsafeUninitializedCapacity: Swift.max(old.capacity, newCount)) { buffer, initialized in
            old.withUnsafeBufferPointer { src in
                replacement.withUnsafeBufferPointer { mask in
                    var written = 0
                    func copy(_ part: UnsafeBufferPointer<UInt8>) {
                        guard let base = buffer.baseAddress, let from = part.baseAddress else { return }
                        (base + written).update(from: from, count: part.count)
                        written += part.count
                    }
                    var from = 0
                    for r in ranges {
                        copy(UnsafeBufferPointer(rebasing: src[from..<r.lowerBound]))
                        copy(mask)
                        from = r.upperBound
                    }
                    copy(UnsafeBufferPointer(rebasing: src[from...]))
                    initialized = written
                }
            }
        }
        // The records from the first changed line on: moved by `delta` bytes and `styleDelta` runs.
        var removedStyles: [Range<Int>] = []
        records.withUnsafeMutableBufferPointer { records in
            var delta = 0
            var styleDelta = 0
            // Moves the unchanged lines `from..<to` to where their text and styles now are.
            func move(_ from: Int, _ to: Int) {
                if styleDelta == 0 {
                    for i in from..<to { records[i].start += delta }
                } else {
                    for i in from..<to {
                        records[i].start += delta
                        records[i].styleStart += styleDelta
                        records[i].styleEnd += styleDelta
                    }
                }
            }
            var next = 0
            while next < ranges.count {
                // The line holding the next range: among those not moved yet, the last starting at or before it.
                var low = line
                var high = records.count
                while low < high {
                    let mid = (low + high) / 2
                    if records[mid].start <= ranges[next].lowerBound { low = mid + 1 } else { high = mid }
                }
                let changed = low - 1
                move(line, changed)
                let end = records[changed].start + records[changed].count
                var growth = 0
                while next < ranges.count, ranges[next].lowerBound < end {
                    growth += replacement.count - ranges[next].count
                    next += 1
                }
                records[changed].start += delta
                records[changed].count += growth
                delta += growth
                let runs = records[changed].styleEnd - records[changed].styleStart
                if runs > 0 {
                    removedStyles.append(records[changed].styleStart..<records[changed].styleEnd)
                    styleDelta -= runs
                }
                records[changed].styleStart += styleDelta + runs
                records[changed].styleEnd = records[changed].styleStart
                line = changed + 1
            }
            move(line, records.count)
        }
        guard !removedStyles.isEmpty else { return }
        var kept: [StyleRun] = []
        kept.reserveCapacity(styles.capacity)
        var from = 0
        for r in removedStyles {
            kept.append(contentsOf: styles[from..<r.lowerBound])
            from = r.upperBound
        }
        kept.append(contentsOf: styles[from...])
        styles = kept
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
