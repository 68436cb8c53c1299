/// The most recent lines of a step's output, bounded twice: at most `capacity` lines, and at most
/// `byteCapacity` bytes of text and style runs. Appending past either bound drops the oldest lines and
/// counts them in `droppedLineCount`; a single line larger than `byteCapacity` on its own keeps the
/// beginning that fits (cut between characters, its style runs dropped), the rest counted in its
/// `droppedBytes`.
///
/// Memory is bounded by bytes whatever the lines are like: 10,000 lines of 16 KiB would otherwise be
/// 160 MB. Storage is compact: the text of every line in one ring of bytes, a small record per line,
/// and style runs only for the lines that have some; no `String` is kept. Appending is O(1) per line
/// (amortized), reading line `i` is O(1) for its text (O(log n) for its style runs) and builds the
/// `OutputLine`. Indices run from 0 (the oldest line kept) to `count - 1` (the newest); line `i` is
/// line number `droppedLineCount + i` of the whole output, counting from 0.
///
/// ```swift
/// var buffer = OutputBuffer(capacity: 2)
/// for text in ["a", "b", "c"] { buffer.append(OutputLine(channel: .stdout, text: text)) }
/// buffer.map(\.text)        // ["b", "c"]
/// buffer.droppedLineCount   // 1
/// ```
public struct OutputBuffer: Sendable {
    /// The most lines kept.
    public let capacity: Int
    /// The most bytes the kept lines take: each line's UTF-8 text and one separator byte, plus
    /// `styleRunCost` per style run.
    public let byteCapacity: Int
    /// How many of the oldest lines were dropped to make room.
    public private(set) var droppedLineCount = 0
    /// Bytes the kept lines take now, counted as for `byteCapacity`.
    public private(set) var byteCount = 0

    /// The byte budget of a step's output in memory (about 4 MiB).
    public static let defaultByteCapacity = 4 << 20
    /// What one style run counts for against `byteCapacity`.
    public static let styleRunCost = MemoryLayout<StyleRun>.stride

    private struct Record: Sendable {
        /// Where the text starts, counting every byte ever stored: `text[start & textMask]`.
        var start: Int
        var count: Int
        var droppedBytes: Int
        var channel: OutputChannel
        var styled: Bool
    }

    /// A ring of line records: `recordCount` of them from `firstRecord`, wrapping around.
    private var records: [Record] = []
    private var firstRecord = 0
    private var recordCount = 0

    /// A ring of text bytes whose size is a power of two (or 0); kept text is `textStart..<textEnd`,
    /// counting every byte ever stored. Each line's text is followed by a NUL, as in `OutputLineBatch`,
    /// so a batch's text is stored with one copy.
    private var text: [UInt8] = []
    private var textStart = 0
    private var textEnd = 0

    /// The style runs of styled lines, oldest first from `styleHead`, with their line numbers.
    private var styleLines: [Int] = []
    private var styleRuns: [[StyleRun]] = []
    private var styleHead = 0

    /// A buffer keeping at most `capacity` lines (at least 1) in at most `byteCapacity` bytes (at least 1).
    public init(capacity: Int = 10_000, byteCapacity: Int = OutputBuffer.defaultByteCapacity) {
        self.capacity = Swift.max(1, capacity)
        self.byteCapacity = Swift.max(1, byteCapacity)
    }

    /// Every line ever appended, kept or dropped.
    public var totalLineCount: Int { droppedLineCount + recordCount }

    // MARK: - Appending

    /// Adds a line after the newest, dropping the oldest lines to stay within both bounds.
    public mutating func append(_ line: OutputLine) {
        var text = line.text
        text.withUTF8 { bytes in
            line.styles.withUnsafeBufferPointer { runs in
                append(text: bytes, styles: runs, droppedBytes: line.droppedBytes, channel: line.channel)
            }
        }
    }

    /// Adds lines in order, as `append(_:)` one by one.
    public mutating func append(contentsOf lines: some Sequence<OutputLine>) {
        for line in lines { append(line) }
    }

    /// Adds a batch's lines in order, as `append(_:)` one by one, without making a `String` per line:
    /// the text of the lines kept is copied at once.
    public mutating func append(contentsOf batch: OutputLineBatch) {
        // Lines the batch itself pushes past `capacity` are counted, not stored.
        let skipped = Swift.max(0, batch.count - capacity)
        guard skipped < batch.count else { return }
        droppedLineCount += skipped
        let first = batch.records[skipped]
        let textBytes = batch.text.count - first.start
        let cost = textBytes + (batch.styles.count - first.styleStart) * Self.styleRunCost
        guard cost <= byteCapacity else {
            // More than the whole budget: line by line, dropping some of the batch's own lines too.
            for line in batch[skipped...] { append(line) }
            return
        }
        let added = batch.count - skipped
        // Making room for all of them at once drops what making room for each in turn would.
        makeRoom(lines: added, bytes: cost)

        let base = textEnd - first.start
        let firstLine = totalLineCount
        batch.text.withUnsafeBufferPointer { all in storeText(UnsafeBufferPointer(rebasing: all[first.start...])) }
        reserveRecords(added)
        var s = firstRecord + recordCount
        if s >= records.count { s -= records.count }
        batch.records.withUnsafeBufferPointer { from in
            records.withUnsafeMutableBufferPointer { to in
                for r in from[skipped...] {
                    to[s] = Record(
                        start: base + r.start, count: r.count, droppedBytes: r.droppedBytes, channel: r.channel,
                        styled: r.styleEnd > r.styleStart)
                    s = s + 1 == to.count ? 0 : s + 1
                }
            }
        }
        if !batch.styles.isEmpty {
            for (k, r) in batch.records[skipped...].enumerated() where r.styleEnd > r.styleStart {
                styleLines.append(firstLine + k)
                styleRuns.append(Array(batch.styles[r.styleStart..<r.styleEnd]))
            }
        }
        recordCount += added
        byteCount += cost
    }

    /// Drops the oldest lines, as few as possible, until `added` more lines taking `cost` bytes fit
    /// both bounds.
    private mutating func makeRoom(lines added: Int, bytes cost: Int) {
        var dropped = 0
        var freedText = 0
        var freedStyles = 0
        var styledLines = 0
        var slot = firstRecord
        records.withUnsafeBufferPointer { records in
            while dropped < recordCount,
                recordCount - dropped + added > capacity || byteCount - freedText - freedStyles + cost > byteCapacity
            {
                let r = records[slot]
                freedText += r.count + 1
                if r.styled {
                    freedStyles += styleRuns[styleHead + styledLines].count * Self.styleRunCost
                    styledLines += 1
                }
                slot = slot + 1 == records.count ? 0 : slot + 1
                dropped += 1
            }
        }
        guard dropped > 0 else { return }
        if styledLines > 0 {
            for k in styleHead..<(styleHead + styledLines) { styleRuns[k] = [] }
            styleHead += styledLines
            compactStyles()
        }
        firstRecord = slot
        recordCount -= dropped
        droppedLineCount += dropped
        textStart += freedText
        byteCount -= freedText + freedStyles
    }

    private mutating func append(
        text bytes: UnsafeBufferPointer<UInt8>, styles runs: UnsafeBufferPointer<StyleRun>, droppedBytes: Int,
        channel: OutputChannel
    ) {
        var bytes = bytes
        var droppedBytes = droppedBytes
        var runs = runs
        if bytes.count + 1 + runs.count * Self.styleRunCost > byteCapacity {
            // Too large on its own: keep the beginning that fits, unstyled.
            runs = UnsafeBufferPointer(start: nil, count: 0)
            if bytes.count + 1 > byteCapacity {
                let kept = Self.characterBoundary(in: bytes, atMost: byteCapacity - 1)
                droppedBytes += bytes.count - kept
                bytes = UnsafeBufferPointer(rebasing: bytes[..<kept])
            }
        }
        let cost = bytes.count + 1 + runs.count * Self.styleRunCost
        makeRoom(lines: 1, bytes: cost)

        let line = totalLineCount
        let start = textEnd
        storeText(bytes, separator: true)
        reserveRecords(1)
        var s = firstRecord + recordCount
        if s >= records.count { s -= records.count }
        records[s] = Record(start: start, count: bytes.count, droppedBytes: droppedBytes, channel: channel, styled: !runs.isEmpty)
        recordCount += 1
        if !runs.isEmpty {
            styleLines.append(line)
            styleRuns.append(Array(runs))
        }
        byteCount += cost
    }

    /// Forgets the style entries of dropped lines once they are most of the list.
    private mutating func compactStyles() {
        if styleHead >= 64 && styleHead * 2 >= styleLines.count {
            styleLines.removeFirst(styleHead)
            styleRuns.removeFirst(styleHead)
            styleHead = 0
        }
    }

    /// Makes room in the record ring for `added` more records (it never holds more than `capacity`).
    private mutating func reserveRecords(_ added: Int) {
        guard recordCount + added > records.count else { return }
        var size = Swift.max(64, records.count * 2)
        while size < recordCount + added { size *= 2 }
        size = Swift.min(capacity, size)
        var grown: [Record] = []
        grown.reserveCapacity(size)
        for i in 0..<recordCount { grown.append(records[slot(i)]) }
        grown.append(
            contentsOf: repeatElement(
                Record(start: 0, count: 0, droppedBytes: 0, channel: .stdout, styled: false), count: size - recordCount))
        records = grown
        firstRecord = 0
    }

    /// Copies `bytes` (and a NUL after them, with `separator`) to the end of the text ring, growing it
    /// when the kept text and the new bytes do not fit.
    private mutating func storeText(_ bytes: UnsafeBufferPointer<UInt8>, separator: Bool = false) {
        let kept = textEnd - textStart
        let adding = bytes.count + (separator ? 1 : 0)
        if kept + adding > text.count {
            var size = Swift.max(256, text.count)
            while size < kept + adding { size *= 2 }
            var grown = [UInt8](repeating: 0, count: size)
            grown.withUnsafeMutableBufferPointer { to in
                text.withUnsafeBufferPointer { from in Self.copy(from, textStart..<textEnd, to: to) }
            }
            text = grown
        }
        text.withUnsafeMutableBufferPointer { ring in
            let mask = ring.count - 1
            if let base = bytes.baseAddress, !bytes.isEmpty {
                let position = textEnd & mask
                let first = Swift.min(bytes.count, ring.count - position)
                (ring.baseAddress! + position).update(from: base, count: first)
                if first < bytes.count { ring.baseAddress!.update(from: base + first, count: bytes.count - first) }
            }
            if separator { ring[(textEnd + bytes.count) & mask] = 0 }
        }
        textEnd += adding
    }

    /// Copies the bytes `range` (counted as in `text`) of the ring `from` to the same places in the
    /// ring `to`, each wrapping at its own size.
    private static func copy(
        _ from: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to: UnsafeMutableBufferPointer<UInt8>
    ) {
        var at = range.lowerBound
        while at < range.upperBound {
            let source = at & (from.count - 1)
            let target = at & (to.count - 1)
            let n = Swift.min(range.upperBound - at, from.count - source, to.count - target)
            (to.baseAddress! + target).update(from: from.baseAddress! + source, count: n)
            at += n
        }
    }

    /// The longest prefix of `bytes` of at most `limit` bytes that ends between characters (UTF-8
    /// scalars).
    private static func characterBoundary(in bytes: UnsafeBufferPointer<UInt8>, atMost limit: Int) -> Int {
        var end = Swift.min(limit, bytes.count)
        while end > 0 && end < bytes.count && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    // MARK: - Reading

    private func slot(_ position: Int) -> Int {
        let s = firstRecord + position
        return s < records.count ? s : s - records.count
    }

    /// The text of line `position`.
    private func string(_ r: Record) -> String {
        guard r.count > 0 else { return "" }
        return text.withUnsafeBufferPointer { ring in
            let position = r.start & (ring.count - 1)
            if position + r.count <= ring.count {
                return String(decoding: UnsafeBufferPointer(rebasing: ring[position..<(position + r.count)]), as: UTF8.self)
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(r.count)
            bytes += ring[position...]
            bytes += ring[..<(r.count - (ring.count - position))]
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The style runs of the line numbered `line` (counting every line ever appended).
    private func styles(ofLine line: Int) -> [StyleRun] {
        var low = styleHead
        var high = styleLines.count
        while low < high {
            let mid = (low + high) / 2
            if styleLines[mid] < line { low = mid + 1 } else { high = mid }
        }
        return low < styleLines.count && styleLines[low] == line ? styleRuns[low] : []
    }

    /// The lines at `range` (indices as for the subscript), oldest first; the range is clamped to the
    /// lines kept.
    public func lines(in range: Range<Int>) -> [OutputLine] {
        let clamped = range.clamped(to: 0..<recordCount)
        return clamped.map { self[$0] }
    }
}

extension OutputBuffer: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { recordCount }
    public var count: Int { recordCount }

    /// The line at `position`: 0 is the oldest kept, `count - 1` the newest.
    public subscript(position: Int) -> OutputLine {
        precondition(position >= 0 && position < recordCount, "OutputBuffer index out of range")
        let r = records[slot(position)]
        return OutputLine(
            channel: r.channel, text: string(r),
            styles: r.styled ? styles(ofLine: droppedLineCount + position) : [], droppedBytes: r.droppedBytes)
    }
}
