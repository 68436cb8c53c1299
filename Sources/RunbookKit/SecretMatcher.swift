#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds every occurrence of a set of byte strings (the secrets' UTF-8) in a buffer, in one pass that
/// skips most bytes: the search behind ``SecretMasker``.
///
/// The algorithm is Wu–Manber's. A window as long as the shortest secret (at most `maxWindow` bytes)
/// slides over the text; the block of the last two bytes under the window (one, when a secret is a
/// single byte) is looked up in a table of 4,096 shifts indexed by a hash of the block. The shift is how
/// far the window can move before that block could line up with the same block in the first `window`
/// bytes of some secret; it is the window's length less one where the block occurs in no secret. Only
/// a shift of 0 (the block ends the first `window` bytes of some secret) leads to comparing those
/// secrets in full at the window's start.
///
/// Why this one: the secrets that matter are tokens and passwords, 16 to 64 random characters, and the
/// text is program output. Two-byte blocks of such output rarely occur in such a secret, so the window
/// moves by nearly its length at each step: about one table look-up per 30 bytes for a 32-character
/// secret, and the same with five of them, where a scan per secret (the indicators' `ByteSearch`)
/// would read the text once per secret, and Aho–Corasick reads every byte. The table is 4 KiB, cheap to
/// build for every masker. Its weak case, a short secret (one or two bytes), still reads each byte
/// once; the worst case, text made of overlapping copies of a periodic secret (`aaaa…`), compares the
/// secret at each position: O(text × secret length).
///
/// It also answers what the TUI needs for a line still arriving: how long the longest end of the text
/// is that is the start of a secret, with a Knuth–Morris–Pratt automaton per secret run over the last
/// few bytes.
final class SecretMatcher: Sendable {
    /// The window never exceeds this, so every shift fits a byte.
    static let maxWindow = 64
    private static let tableBits: UInt32 = 12

    /// Every pattern's bytes, one after another: pattern `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
    private let bytes: [UInt8]
    private let offsets: [Int]
    /// Knuth–Morris–Pratt failure function of each pattern, laid out as `bytes`: for a prefix of length
    /// `q + 1`, the length of its longest proper prefix that is also its suffix.
    private let failure: [Int32]
    /// Whether pattern `i` holds a NUL byte (and so could match across lines of an `OutputLineBatch`).
    let holdsNUL: [Bool]
    /// Length of the sliding window: the shortest pattern's, at most `maxWindow`.
    let window: Int
    /// Bytes per block: 2, or 1 when the window is a single byte.
    private let block: Int
    private let shifts: [UInt8]
    /// Pattern indices sorted by the hash of the block that ends their first `window` bytes.
    private let candidates: [Int32]
    private let candidateHashes: [UInt16]

    /// A matcher for `patterns`, none of them empty.
    init(patterns: [[UInt8]]) {
        precondition(!patterns.isEmpty && patterns.allSatisfy { !$0.isEmpty }, "SecretMatcher needs non-empty patterns")
        var bytes: [UInt8] = []
        var offsets = [0]
        for p in patterns {
            bytes.append(contentsOf: p)
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
        failure = Self.failureFunctions(bytes, offsets)
        holdsNUL = patterns.map { $0.contains(0) }
        let window = min(patterns.map(\.count).min() ?? 1, Self.maxWindow)
        let block = min(window, 2)
        self.window = window
        self.block = block
        var shifts = [UInt8](repeating: UInt8(window - block + 1), count: 1 << Self.tableBits)
        var ends: [(hash: UInt16, pattern: Int32)] = []
        for (index, p) in patterns.enumerated() {
            // The block ending at q (q from block - 1 to window - 1) can move window - 1 - q further.
            for q in (block - 1)..<window {
                let h = Self.hash(block == 2 ? UInt32(p[q - 1]) | UInt32(p[q]) << 8 : UInt32(p[q]), block: block)
                shifts[h] = min(shifts[h], UInt8(window - 1 - q))
                if q == window - 1 { ends.append((UInt16(h), Int32(index))) }
            }
        }
        ends.sort { ($0.hash, $0.pattern) < ($1.hash, $1.pattern) }
        self.shifts = shifts
        candidates = ends.map(\.pattern)
        candidateHashes = ends.map(\.hash)
    }

    var patternCount: Int { offsets.count - 1 }

    /// The table index of a block: the two bytes as a little-endian number (or the one byte), hashed.
    @inline(__always)
    private static func hash(_ key: UInt32, block: Int) -> Int {
        block == 2 ? Int((key &* 0x9E37_79B1) >> (32 - tableBits)) : Int(key)
    }

    /// Calls `found(start, pattern)` for every occurrence of every pattern in `hay`, overlapping ones
    /// included, in order of `start`.
    func forEachMatch(in hay: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        let n = hay.count
        guard n >= window, let h = hay.baseAddress else { return }
        let window = self.window
        shifts.withUnsafeBufferPointer { shifts in
            bytes.withUnsafeBufferPointer { patterns in
                guard let p = patterns.baseAddress else { return }
                var end = window - 1  // the window's last byte
                if block == 2 {
                    while end < n {
                        let s = shifts[Self.hash(UInt32(h[end - 1]) | UInt32(h[end]) << 8, block: 2)]
                        if s != 0 {
                            end &+= Int(s)
                            continue
                        }
                        verify(at: end - window + 1, hash: UInt32(h[end - 1]) | UInt32(h[end]) << 8, h, n, p, found)
                        end &+= 1
                    }
                } else {
                    while end < n {
                        if shifts[Int(h[end])] == 0 { verify(at: end, hash: UInt32(h[end]), h, n, p, found) }
                        end &+= 1
                    }
                }
            }
        }
    }

    /// Compares, at `start`, each pattern whose first `window` bytes end with the block of `key`.
    @inline(__always)
    private func verify(
        at start: Int, hash key: UInt32, _ h: UnsafePointer<UInt8>, _ n: Int, _ p: UnsafePointer<UInt8>,
        _ found: (Int, Int) -> Void
    ) {
        let wanted = UInt16(Self.hash(key, block: block))
        var i = lowerBound(wanted)
        while i < candidateHashes.count, candidateHashes[i] == wanted {
            let pattern = Int(candidates[i])
            let from = offsets[pattern]
            let count = offsets[pattern + 1] - from
            if start + count <= n, memcmp(h + start, p + from, count) == 0 { found(start, pattern) }
            i += 1
        }
    }

    private func lowerBound(_ hash: UInt16) -> Int {
        var low = 0
        var high = candidateHashes.count
        while low < high {
            let mid = (low + high) / 2
            if candidateHashes[mid] < hash { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The byte ranges of `hay` to hide: every occurrence of every pattern, where occurrences overlap
    /// (share a byte) one range covering all of them; sorted and disjoint. Occurrences that only touch
    /// stay separate ranges. `accept` is asked about each occurrence of a pattern holding a NUL byte.
    func maskedRanges(in hay: UnsafeBufferPointer<UInt8>, accept: (Range<Int>) -> Bool = { _ in true }) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var current: Range<Int>?
        forEachMatch(in: hay) { start, pattern in
            let end = start + offsets[pattern + 1] - offsets[pattern]
            if holdsNUL[pattern], !accept(start..<end) { return }
            if let c = current, start < c.upperBound {
                current = c.lowerBound..<max(c.upperBound, end)
            } else {
                if let c = current { ranges.append(c) }
                current = start..<end
            }
        }
        if let current { ranges.append(current) }
        return ranges
    }

    /// The length of the longest end of `hay` that is a proper prefix of some pattern (a secret whose
    /// rest may follow): 0 when there is none.
    func pendingPrefixLength(of hay: UnsafeBufferPointer<UInt8>) -> Int {
        var longest = 0
        for pattern in 0..<patternCount {
            let from = offsets[pattern]
            let count = offsets[pattern + 1] - from
            // A proper prefix is shorter than the pattern: only the last count - 1 bytes can hold it.
            let tail = max(0, hay.count - (count - 1))
            guard count - 1 > longest else { continue }
            var q = 0  // bytes of the pattern matched by the end of the text read so far
            for i in tail..<hay.count {
                let c = hay[i]
                while q > 0, bytes[from + q] != c { q = Int(failure[from + q - 1]) }
                if bytes[from + q] == c { q += 1 }
                if q == count { q = Int(failure[from + q - 1]) }
            }
            longest = max(longest, q)
        }
        return longest
    }

    private static func failureFunctions(_ bytes: [UInt8], _ offsets: [Int]) -> [Int32] {
        var failure = [Int32](repeating: 0, count: bytes.count)
        for pattern in 0..<(offsets.count - 1) {
            let from = offsets[pattern]
            let count = offsets[pattern + 1] - from
            var k = 0
            for q in 1..<max(count, 1) {
                while k > 0, bytes[from + q] != bytes[from + k] { k = Int(failure[from + k - 1]) }
                if bytes[from + q] == bytes[from + k] { k += 1 }
                failure[from + q] = Int32(k)
            }
        }
        return failure
    }
}
