/// Judges `contains`, `not_contains` and `matches` on one stream's lines that are too long to keep,
/// from their overflow (``LineOverflow``), in bounded memory: the line passes through a window.
///
/// The window holds up to `2 × overlap` bytes of the line (plus the character before them, read as
/// context only). Each time it is full, every pattern still to find is searched in it; then all but
/// its last `overlap` bytes are dropped. So every stretch of the line of up to `overlap` bytes is
/// searched whole at least once: a literal of up to `overlap` bytes is found anywhere in the line, and
/// so is a match of a regular expression of up to that length. A regular expression sees the line's
/// real start (`^`) only in its first window and the line's real end (`$`) only in its last; a match
/// that an assertion after it might undo (`\>`, `\b`) is not trusted at a window's cut end. When in
/// doubt, it is not found: `contains` and `matches` fail rather than pass wrongly; `not_contains`
/// only ever fails on text that is there.
///
/// What is found is decided when the line ends (`endLine`), as for a short line, and forgotten when a
/// carriage return rewrites the line (`abandonLine`).
struct LongLineMatcher: Sendable {
    enum Pattern: Sendable {
        case literal([UInt8])
        case regex(PosixRegex)
    }

    /// A pattern to look for, by the index of its indicator.
    struct Check: Sendable {
        var index: Int
        var pattern: Pattern
    }

    /// The longest stretch of the line that is always searched whole.
    let overlap: Int
    /// Bytes of the line's beginning kept to show as the deciding line.
    let headLimit: Int
    private var window: [UInt8] = []
    /// Bytes at the window's start that precede the searched part (the character before it).
    private var context = 0
    private var atLineStart = true
    /// Where the window's text not yet searched for literals begins (a literal is looked for only
    /// where it could end in new text).
    private var literalsFrom = 0
    /// The beginning of the line, up to `headLimit` bytes.
    private(set) var head: [UInt8] = []
    /// The indices of the checks found in the line so far.
    private(set) var found: Set<Int> = []
    private(set) var isOpen = false

    init(overlap: Int, headLimit: Int) {
        self.overlap = max(1, overlap)
        self.headLimit = headLimit
    }

    /// More text of the line.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, checks: [Check]) {
        isOpen = true
        if head.count < headLimit { head.append(contentsOf: bytes.prefix(headLimit - head.count)) }
        var rest = bytes[...]
        while !rest.isEmpty {
            let take = min(rest.count, context + 2 * overlap - window.count)
            window.append(contentsOf: UnsafeBufferPointer(rebasing: rest.prefix(take)))
            rest = rest.dropFirst(take)
            if window.count >= context + 2 * overlap {
                search(checks, atLineEnd: false)
                slide()
            }
        }
    }

    /// The line ends: the last window is searched, and the checks found in the line are returned.
    mutating func endLine(checks: [Check]) -> Set<Int> {
        guard isOpen else { return [] }
        search(checks, atLineEnd: true)
        let result = found
        self = LongLineMatcher(overlap: overlap, headLimit: headLimit)
        return result
    }

    /// A carriage return rewrites the line: nothing found in it counts.
    mutating func abandonLine() {
        self = LongLineMatcher(overlap: overlap, headLimit: headLimit)
    }

    /// The head as text, cut at a character boundary.
    var headText: String {
        var end = head.count
        var lead = end
        while lead > 0, end - lead < 4, head[lead - 1] & 0xC0 == 0x80 { lead -= 1 }
        if lead > 0, head[lead - 1] >= 0xC0 {
            let length = head[lead - 1] < 0xE0 ? 2 : head[lead - 1] < 0xF0 ? 3 : 4
            if end - (lead - 1) < length { end = lead - 1 }  // the last character was cut short
        }
        return String(decoding: head[..<end], as: UTF8.self)
    }

    private mutating func search(_ checks: [Check], atLineEnd: Bool) {
        window.withUnsafeBufferPointer { text in
            for check in checks where !found.contains(check.index) {
                let hit: Bool
                switch check.pattern {
                case .literal(let needle):
                    let from = max(0, literalsFrom - max(0, needle.count - 1))
                    hit = needle.withUnsafeBufferPointer { ByteSearch.contains($0, in: UnsafeBufferPointer(rebasing: text[from...])) }
                case .regex(let regex):
                    hit = regex.matches(window: text, from: context, atLineStart: atLineStart, atLineEnd: atLineEnd)
                }
                if hit { found.insert(check.index) }
            }
        }
        literalsFrom = window.count
    }

    /// Keeps the window's last `overlap` bytes (from a character's start) and the character before them.
    private mutating func slide() {
        var cut = window.count - overlap
        while cut < window.count, window[cut] & 0xC0 == 0x80 { cut += 1 }
        var start = max(0, cut - 1)
        while start > 0, window[start] & 0xC0 == 0x80 { start -= 1 }
        window.removeSubrange(..<start)
        literalsFrom -= start
        context = cut - start
        atLineStart = false
    }
}
