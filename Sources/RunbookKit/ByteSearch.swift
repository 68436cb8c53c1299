#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding a byte string in a byte buffer, fast: the search behind `contains` and `not_contains`
/// indicators, run over a whole chunk of output at once rather than line by line.
///
/// Eight positions are tested at a time (SWAR): a position is a candidate when the needle's first byte
/// is there and its last byte is `needle.count - 1` further on; only candidates are compared in full.
/// Runs of text that do not hold both bytes at that distance are skipped at several GB/s.
enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `hay`; 0 for an empty needle; nil when absent.
    static func firstIndex(of needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = needle.count
        guard n > 0 else { return 0 }
        guard n <= hay.count, let h = hay.baseAddress, let p = needle.baseAddress else { return nil }
        let first = p[0]
        let last = p[n - 1]
        let lastStart = hay.count - n  // the last offset a match can start at
        let ones: UInt64 = 0x0101_0101_0101_0101
        let firstBytes = ones &* UInt64(first)
        let lastBytes = ones &* UInt64(last)
        let raw = UnsafeRawPointer(h)
        var i = 0
        while i + 8 <= lastStart + 1 {
            // Bytes i..<i+8 against `first`, bytes i+n-1..<i+n+7 against `last`: both stay in `hay`.
            let a = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ firstBytes
            let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + n - 1, as: UInt64.self)) ^ lastBytes
            var candidates = zeroBytes(a) & zeroBytes(b)
            while candidates != 0 {
                let k = i + candidates.trailingZeroBitCount / 8
                if n <= 2 || memoryEqual(h + k + 1, p + 1, n - 2) { return k }
                candidates &= candidates &- 1
            }
            i += 8
        }
        while i <= lastStart {
            if h[i] == first, h[i + n - 1] == last, n <= 2 || memoryEqual(h + i + 1, p + 1, n - 2) { return i }
            i += 1
        }
        return nil
    }

    /// Whether `needle` occurs in `hay`.
    static func contains(_ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        firstIndex(of: needle, in: hay) != nil
    }

    /// The high bit of each byte of `x` that is zero, and no other bit (exact, no false positives).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    @inline(__always)
    private static func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        memcmp(a, b, count) == 0
    }
}
