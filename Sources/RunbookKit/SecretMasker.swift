/// Replaces secret values with a mask wherever text is shown or written: output lines, commands,
/// journals and reports.
///
/// The rule: every byte that lies inside an occurrence of some secret is hidden. Each occurrence becomes
/// one ``mask``, and occurrences that overlap (share at least one byte) become a single mask covering
/// all of them, so a secret containing another is masked whole, and neither of two overlapping secrets
/// shows a byte:
///
/// ```swift
/// let m = SecretMasker(secrets: ["abc", "bcd", "aaa"])
/// m.mask("x abcd y")     // "x •••••• y": "abc" and "bcd" overlap
/// m.mask("abcabc")       // "••••••••••••": two occurrences side by side, two masks
/// m.mask("aaaaa")        // "••••••": occurrences at 0, 1 and 2 overlap
/// ```
///
/// Secrets are compared as UTF-8 bytes (not by canonical equivalence): a secret is found wherever its
/// bytes are, even before a combining mark. The search is ``SecretMatcher``'s, over a whole
/// ``OutputLineBatch`` at once; a line that holds no secret is not touched.
public struct SecretMasker: Sendable, Hashable {
    public static let mask = "••••••"
    static let maskBytes = Array(mask.utf8)
    /// Secret values, longest first (equal lengths in byte order), each once.
    public private(set) var secrets: [String]
    private let matcher: SecretMatcher?

    public init(secrets: [String]) {
        var seen = Set<[UInt8]>()
        let distinct = secrets.filter { !$0.isEmpty && seen.insert(Array($0.utf8)).inserted }
        let sorted = distinct.map { Array($0.utf8) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1)
        }
        self.secrets = sorted.map { String(decoding: $0, as: UTF8.self) }
        matcher = sorted.isEmpty ? nil : SecretMatcher(patterns: sorted)
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public static func == (a: SecretMasker, b: SecretMasker) -> Bool { a.secrets == b.secrets }

    public func hash(into hasher: inout Hasher) { hasher.combine(secrets) }

    public func mask(_ text: String) -> String {
        guard let matcher else { return text }
        var text = text
        let masked: String? = text.withUTF8 { bytes in
            let ranges = matcher.maskedRanges(in: bytes)
            guard !ranges.isEmpty else { return nil }
            return Self.replacing(ranges, in: bytes, upTo: bytes.count)
        }
        return masked ?? text
    }

    /// Masks every line of `batch` that shows a secret, as `mask(_:)` does its text; a line that
    /// changes loses its styles (they no longer fit its text). Lines without a secret stay as they are.
    ///
    /// The batch's text is searched once for all the secrets; when none is found, nothing is copied.
    public func mask(_ batch: inout OutputLineBatch) {
        guard let matcher else { return }
        let ranges = batch.text.withUnsafeBufferPointer { text in
            // Lines end with a NUL: only a secret that holds one could match across lines.
            matcher.maskedRanges(in: text) { batch.lineIndex(holding: $0) != nil }
        }
        guard !ranges.isEmpty else { return }
        batch.replace(ranges, with: Self.maskBytes)
    }

    /// The number of UTF-8 bytes at the end of `text` that could be the start of a secret whose rest
    /// has not arrived yet: the longest end of `text` that is a proper prefix of some secret, 0 when
    /// there is none. It is whole characters' worth of bytes (a secret's prefix that ends `text`).
    public func pendingSecretPrefixLength(_ text: String) -> Int {
        guard let matcher else { return 0 }
        var text = text
        return text.withUTF8 { matcher.pendingPrefixLength(of: $0) }
    }

    /// Masks `text`, a line still arriving, and hides its end where that could be the start of a
    /// secret (``pendingSecretPrefixLength(_:)``): what the line may show now without showing any byte
    /// of a secret, whatever follows. A secret that overlaps the hidden end is shown as a mask.
    public func maskPending(_ text: String) -> String {
        guard let matcher else { return text }
        var text = text
        let shown: String? = text.withUTF8 { bytes in
            let ranges = matcher.maskedRanges(in: bytes)
            let cut = bytes.count - matcher.pendingPrefixLength(of: bytes)
            guard !ranges.isEmpty || cut < bytes.count else { return nil }
            return Self.replacing(ranges, in: bytes, upTo: cut)
        }
        return shown ?? text
    }

    /// `bytes[..<end]` with each of `ranges` (sorted, disjoint) replaced by the mask; a range that
    /// starts before `end` is masked whole, one that starts at or after it is dropped.
    private static func replacing(_ ranges: [Range<Int>], in bytes: UnsafeBufferPointer<UInt8>, upTo end: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(end + ranges.count * maskBytes.count)
        var from = 0
        for r in ranges where r.lowerBound < end {
            out.append(contentsOf: bytes[from..<r.lowerBound])
            out.append(contentsOf: maskBytes)
            from = r.upperBound
        }
        if from < end { out.append(contentsOf: bytes[from..<end]) }
        return String(decoding: out, as: UTF8.self)
    }
}
