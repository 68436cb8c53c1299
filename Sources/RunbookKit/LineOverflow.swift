/// The text of cut lines as it streamed past the sanitizer's line cap: what lets the indicators judge a
/// whole line (5 MB of it, say) although only its first 16 KiB are kept.
///
/// For each line that reaches the cap, the sanitizer sends its whole text here, piece by piece as it
/// arrives: first the kept beginning together with the first bytes that do not fit, then every later
/// piece, then the line's end (`.ended`: the line, cut, is also in the batch) or, when a carriage return
/// rewrites it, `.abandoned`. A batch holds only the pieces of one feed, so memory stays bounded by
/// the size of a chunk; whoever reads them keeps what it needs (``LongLineMatcher``: a window).
public struct LineOverflow: Sendable {
    public enum Event: Sendable, Hashable {
        /// More text of the current cut line: `text[range]`.
        case text(Range<Int>)
        /// The cut line ended.
        case ended
        /// A carriage return started the cut line again: its text so far does not count.
        case abandoned
    }

    public struct Piece: Sendable, Hashable {
        public var channel: OutputChannel
        public var event: Event
    }

    /// The text of every `.text` piece, in order.
    public private(set) var text: [UInt8] = []
    public private(set) var pieces: [Piece] = []

    public init() {}

    public var isEmpty: Bool { pieces.isEmpty }

    /// Adds text to the channel's cut line (merged with the previous piece when it is one).
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, channel: OutputChannel) {
        guard !bytes.isEmpty else { return }
        let start = text.count
        text.append(contentsOf: bytes)
        if let last = pieces.last, last.channel == channel, case .text(let range) = last.event,
            range.upperBound == start
        {
            pieces[pieces.count - 1].event = .text(range.lowerBound..<text.count)
        } else {
            pieces.append(Piece(channel: channel, event: .text(start..<text.count)))
        }
    }

    mutating func endLine(_ channel: OutputChannel) { pieces.append(Piece(channel: channel, event: .ended)) }

    mutating func abandonLine(_ channel: OutputChannel) {
        pieces.append(Piece(channel: channel, event: .abandoned))
    }

    mutating func append(contentsOf other: LineOverflow) {
        if isEmpty {
            self = other
            return
        }
        let base = text.count
        text.append(contentsOf: other.text)
        for piece in other.pieces {
            if case .text(let range) = piece.event {
                pieces.append(Piece(channel: piece.channel, event: .text((range.lowerBound + base)..<(range.upperBound + base))))
            } else {
                pieces.append(piece)
            }
        }
    }

    mutating func removeAll() {
        text.removeAll(keepingCapacity: true)
        pieces.removeAll(keepingCapacity: true)
    }
}
