/// Where a line of UTF-8 text may be cut without splitting a grapheme cluster (what a reader sees as
/// one character: a letter and its combining marks `é`, a flag `🇫🇷`, a ZWJ emoji sequence `👩‍👩‍👧`).
enum GraphemeBoundary {
    /// How many bytes of `kept` to keep when the text goes on with `next` (valid UTF-8 both, `kept`
    /// whole scalars): all of them when `next` starts a new cluster, else up to where the cluster that
    /// `next` continues begins (0 when `kept` is all one cluster).
    ///
    /// Only the end of `kept` is read, from its last ASCII byte within 32 bytes of the end (an ASCII
    /// character starts a cluster, but after a rare prepended mark such as U+0600, so the clusters are
    /// read from there as from the start), further back while there is none (a run of flags or marks).
    static func cut(_ kept: UnsafeBufferPointer<UInt8>, before next: UnsafeBufferPointer<UInt8>) -> Int {
        guard !kept.isEmpty, !next.isEmpty else { return kept.count }
        let nextScalar = next[..<Swift.min(next.count, scalarLength(next[0]))]
        var start = Swift.max(0, kept.count - 32)
        while start > 0, kept[start] >= 0x80 { start -= 1 }
        let text = String(decoding: Array(kept[start...]) + Array(nextScalar), as: UTF8.self)
        let boundary = kept.count - start  // where `next` begins in `text`
        var offset = 0
        for character in text {
            let end = offset + character.utf8.count
            // The character holding `next`'s first byte starts at the boundary, or before it when
            // `next` continues it.
            if end > boundary { return start + offset }
            offset = end
        }
        return kept.count
    }

    /// Bytes of the UTF-8 sequence a lead byte starts.
    private static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}
