/// The most recent lines of a step's output, at most `capacity` of them: appending to a full buffer
/// drops the oldest line and counts it in `droppedLineCount`.
///
/// A ring: appending is O(1), reading line `i` is O(1), and memory is bounded by `capacity` lines (each
/// line by `OutputSanitizer.Limits.maxLineBytes`). Indices run from 0 (the oldest line kept) to
/// `count - 1` (the newest); line `i` is line number `droppedLineCount + i` of the whole output,
/// counting from 0.
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
    /// How many of the oldest lines were dropped to make room.
    public private(set) var droppedLineCount = 0
    /// Lines in storage order; once full, the oldest is at `head`.
    private var storage: [OutputLine] = []
    private var head = 0

    /// A buffer keeping at most `capacity` lines (at least 1).
    public init(capacity: Int = 10_000) {
        self.capacity = Swift.max(1, capacity)
    }

    /// Adds a line after the newest, dropping the oldest when the buffer is full.
    public mutating func append(_ line: OutputLine) {
        if storage.count < capacity {
            storage.append(line)
        } else {
            storage[head] = line
            head = head + 1 == capacity ? 0 : head + 1
            droppedLineCount += 1
        }
    }

    /// Adds lines in order, as `append(_:)` one by one.
    public mutating func append(contentsOf lines: some Sequence<OutputLine>) {
        for line in lines { append(line) }
    }

    /// Every line ever appended, kept or dropped.
    public var totalLineCount: Int { droppedLineCount + storage.count }

    /// The lines at `range` (indices as for the subscript), oldest first; the range is clamped to the
    /// lines kept.
    public func lines(in range: Range<Int>) -> [OutputLine] {
        let clamped = range.clamped(to: 0..<storage.count)
        return clamped.map { self[$0] }
    }
}

extension OutputBuffer: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    public var count: Int { storage.count }

    /// The line at `position`: 0 is the oldest kept, `count - 1` the newest.
    public subscript(position: Int) -> OutputLine {
        precondition(position >= 0 && position < storage.count, "OutputBuffer index out of range")
        let slot = head + position
        return storage[slot < capacity ? slot : slot - capacity]
    }
}
