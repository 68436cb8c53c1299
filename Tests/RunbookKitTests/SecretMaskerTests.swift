import Testing

@testable import RunbookKit

/// Secret masking: the rule (every byte of every occurrence hidden, overlapping occurrences as one mask),
/// checked on chosen cases and against a plain reference on seeded random inputs, for text, batches of
/// lines and lines still arriving.
@Suite struct SecretMaskerTests {
    let mask = SecretMasker.mask

    // MARK: The rule, case by case

    @Test("every occurrence is masked; a secret containing another is masked whole")
    func containing() {
        let m = SecretMasker(secrets: ["abc", "abcdef", ""])
        #expect(m.mask("x abcdef y abc z") == "x \(mask) y \(mask) z")
        #expect(m.mask("abcabc") == mask + mask, "occurrences side by side are two masks")
        #expect(m.mask("nothing here") == "nothing here")
        #expect(m.mask("") == "")
        #expect(m.secrets == ["abcdef", "abc"])
    }

    @Test("overlapping occurrences become one mask: no byte of either secret shows")
    func overlapping() {
        let m = SecretMasker(secrets: ["abc", "bcd"])
        #expect(m.mask("abcd") == mask)
        #expect(m.mask("xabcdy") == "x\(mask)y")
        #expect(m.mask("abc bcd") == "\(mask) \(mask)")
        // "bcdef" overlaps the end of "abc": leftmost-longest would show "def", longest-first would show "a".
        #expect(SecretMasker(secrets: ["abc", "bcdef"]).mask("abcdef!") == "\(mask)!")
    }

    @Test("a secret that is a prefix or a suffix of another")
    func prefixes() {
        let m = SecretMasker(secrets: ["tok", "token-1234", "1234"])
        #expect(m.mask("tok token-1234 tok-1234") == "\(mask) \(mask) \(mask)-\(mask)")
        #expect(m.mask("token-123") == "\(mask)en-123")
    }

    @Test("repeated characters: overlapping occurrences of one secret")
    func repeated() {
        let m = SecretMasker(secrets: ["aaa"])
        #expect(m.mask("aaaaa") == mask)
        #expect(m.mask("aa aaa aa") == "aa \(mask) aa")
        #expect(m.mask("aaaaaa") == mask, "occurrences at 0 to 3 overlap")
        #expect(SecretMasker(secrets: ["aa"]).mask("aaaa") == mask)
    }

    @Test("multibyte secrets, and a secret before a combining mark")
    func multibyte() {
        let m = SecretMasker(secrets: ["pässwörd", "€€", "😀"])
        #expect(m.mask("user pässwörd ok") == "user \(mask) ok")
        #expect(m.mask("€€€") == mask)
        #expect(m.mask("a😀b😀") == "a\(mask)b\(mask)")
        // The grapheme "c" + U+0301 held the old Character search back; bytes find the secret.
        #expect(SecretMasker(secrets: ["abc"]).mask("abc\u{301}") == "\(mask)\u{301}")
        #expect(SecretMasker(secrets: ["é"]).mask("café") == "caf\(mask)")
    }

    @Test("a secret equal to the whole text, and single-byte secrets")
    func wholeAndShort() {
        #expect(SecretMasker(secrets: ["hunter2"]).mask("hunter2") == mask)
        #expect(SecretMasker(secrets: ["x"]).mask("axbxx") == "a\(mask)b\(mask)\(mask)")
        #expect(SecretMasker(secrets: ["x", "xyz"]).mask("xy xyz") == "\(mask)y \(mask)")
    }

    @Test("secrets are kept once each, longest first, and the order given does not matter")
    func identity() {
        let a = SecretMasker(secrets: ["bb", "a", "ccc", "aa", "bb", ""])
        let b = SecretMasker(secrets: ["aa", "ccc", "a", "bb"])
        #expect(a.secrets == ["ccc", "aa", "bb", "a"])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(SecretMasker(secrets: [""]).isEmpty)
        #expect(SecretMasker(secrets: []).mask("abc") == "abc")
    }

    // MARK: Batches

    func line(_ text: String, bold: Bool = false, channel: OutputChannel = .stdout, dropped: Int = 0) -> OutputLine {
        let styles = bold && !text.isEmpty ? [StyleRun(range: 0..<text.utf8.count, style: TextStyle(bold: true))] : []
        return OutputLine(channel: channel, text: text, styles: styles, droppedBytes: dropped)
    }

    @Test("a batch: changed lines lose their styles, the others keep everything; first and last lines")
    func batch() {
        let m = SecretMasker(secrets: ["s3cr3t"])
        let lines = [
            line("s3cr3t at the start", bold: true), line("plain", bold: true, channel: .stderr, dropped: 3),
            line(""), line("s3cr3t"), line("styled, no secret", bold: true), line("ends with s3cr3t", bold: true, dropped: 7),
        ]
        var batch = OutputLineBatch(lines)
        m.mask(&batch)
        #expect(Array(batch) == [
            line("\(mask) at the start"), line("plain", bold: true, channel: .stderr, dropped: 3), line(""), line(mask),
            line("styled, no secret", bold: true), line("ends with \(mask)", dropped: 7),
        ])
    }

    @Test("a batch without a secret is left exactly as it is; an empty batch too")
    func untouched() {
        let m = SecretMasker(secrets: ["s3cr3t"])
        let lines = [line("one", bold: true), line("two s3cr3"), line("3cr3t")]
        var batch = OutputLineBatch(lines)
        m.mask(&batch)
        #expect(Array(batch) == lines)
        var empty = OutputLineBatch()
        m.mask(&empty)
        #expect(empty.isEmpty)
    }

    @Test("a secret never matches across the end of a line, even one holding a NUL")
    func acrossLines() {
        let m = SecretMasker(secrets: ["b\u{0}c", "bc", "a\u{0}z"])
        var batch = OutputLineBatch([line("ab"), line("cd"), line("a\u{0}z!")])
        m.mask(&batch)
        #expect(batch.map(\.text) == ["ab", "cd", "\(mask)!"])
    }

    @Test("lines from the sanitizer, split over chunks, are masked line by line")
    func sanitizedChunks() {
        let secret = "Zq8vT2mW9xK4pL7nR3sB6yH1cF5gJ0dQ"
        let m = SecretMasker(secrets: [secret, "k4Xy"])
        var sanitizer = OutputSanitizer(channel: .stdout)
        let output = Array("1\n\(secret)\n2 \(secret)k4Xy\n\u{1B}[1mbold\u{1B}[0m \(secret.prefix(10))".utf8)
        var masked: [String] = []
        for chunk in [output[..<5], output[5..<40], output[40...]] {
            var batch = OutputLineBatch()
            sanitizer.feed(Array(chunk), into: &batch)
            m.mask(&batch)
            masked += batch.map(\.text)
        }
        var last = OutputLineBatch()
        sanitizer.finish(into: &last)
        m.mask(&last)
        masked += last.map(\.text)
        #expect(masked == ["1", mask, "2 \(mask)\(mask)", "bold \(secret.prefix(10))"])
    }

    // MARK: Lines still arriving

    @Test("the end of a line that could start a secret is hidden until the rest arrives")
    func pending() {
        let m = SecretMasker(secrets: ["abcd", "bcx", "zz"])
        #expect(m.pendingSecretPrefixLength("xxabc") == 3)
        #expect(m.pendingSecretPrefixLength("xxbc") == 2)
        #expect(m.pendingSecretPrefixLength("xz") == 1)
        #expect(m.pendingSecretPrefixLength("abcd") == 0, "a whole secret is masked, not pending")
        #expect(m.pendingSecretPrefixLength("") == 0)
        #expect(m.maskPending("done: abc") == "done: ")
        #expect(m.maskPending("abcd ok") == "\(mask) ok")
        #expect(m.maskPending("zz z") == "\(mask) ")
        // "bcx" ends before the cut, "abcd" may still follow: the mask shows, the rest waits.
        #expect(m.maskPending("abcx abc") == "a\(mask) ")
        #expect(SecretMasker(secrets: ["€uro"]).pendingSecretPrefixLength("price €") == "€".utf8.count)
        #expect(SecretMasker(secrets: []).maskPending("abc") == "abc")
    }

    // MARK: Against the reference, on random inputs

    @Test("random secrets and texts: mask, batches and pending ends agree with the reference", arguments: 0..<8)
    func randomAgainstReference(seed: UInt64) {
        var rng = SplitMix64(seed: 0x5EC2_E700 + seed)
        for _ in 0..<300 {
            let secrets = Self.randomSecrets(&rng)
            let m = SecretMasker(secrets: secrets)
            var lines: [OutputLine] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let text = Self.randomText(&rng, secrets: secrets)
                lines.append(line(text, bold: Bool.random(using: &rng), channel: Bool.random(using: &rng) ? .stdout : .stderr))
            }
            for l in lines {
                #expect(m.mask(l.text) == MaskingReference.mask(l.text, secrets), "secrets \(secrets), text \(l.text.debugDescription)")
                #expect(m.maskPending(l.text) == MaskingReference.maskPending(l.text, secrets), "secrets \(secrets), text \(l.text.debugDescription)")
            }
            var batch = OutputLineBatch(lines)
            m.mask(&batch)
            let expected = lines.map { l in
                let text = MaskingReference.mask(l.text, secrets)
                return text == l.text ? l : OutputLine(channel: l.channel, text: text, droppedBytes: l.droppedBytes)
            }
            #expect(Array(batch) == expected, "secrets \(secrets)")
            #expect(batch.textByteCount == expected.reduce(0) { $0 + $1.text.utf8.count })
        }
    }

    @Test("long secrets in long lines, with near misses: the skipping search finds every one", arguments: 0..<4)
    func longSecretsAgainstReference(seed: UInt64) {
        var rng = SplitMix64(seed: 0x5EC2_E800 + seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_é€😀").map(String.init)
        for _ in 0..<100 {
            let secrets = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (0..<Int.random(in: 3...90, using: &rng)).map { _ in letters.randomElement(using: &rng) ?? "a" }.joined()
            }
            let m = SecretMasker(secrets: secrets)
            var lines: [OutputLine] = []
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                var text = ""
                for _ in 0..<Int.random(in: 0...12, using: &rng) {
                    let s = secrets.randomElement(using: &rng) ?? ""
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: text += s
                    case 1: text += String(s.dropLast())  // a near miss
                    case 2: text += String(s.dropFirst(Int.random(in: 0..<s.count, using: &rng)))
                    default: text += String(Int.random(in: 0..<1_000_000, using: &rng))
                    }
                }
                lines.append(line(text))
            }
            var batch = OutputLineBatch(lines)
            m.mask(&batch)
            #expect(batch.map(\.text) == lines.map { MaskingReference.mask($0.text, secrets) }, "secrets \(secrets)")
            for l in lines.prefix(3) {
                #expect(m.maskPending(l.text) == MaskingReference.maskPending(l.text, secrets), "secrets \(secrets)")
            }
        }
    }

    /// Pieces that make overlaps likely: few letters, multibyte characters, the mask's own bullet.
    static let alphabet = ["a", "a", "b", "c", "é", "€", "😀", "•", " "]

    static func randomSecrets(_ rng: inout SplitMix64) -> [String] {
        var secrets: [String] = []
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let pick = Int.random(in: 0..<10, using: &rng)
            if pick < 3, let other = secrets.randomElement(using: &rng), other.count > 1 {
                // A prefix, a suffix or a middle of a secret already chosen.
                let chars = Array(other)
                let from = pick == 0 ? 0 : Int.random(in: 0..<chars.count, using: &rng)
                let to = pick == 1 ? chars.count : Int.random(in: (from + 1)...chars.count, using: &rng)
                secrets.append(String(chars[from..<to]))
            } else if pick == 3 {
                secrets.append(String(repeating: "a", count: Int.random(in: 1...4, using: &rng)))
            } else {
                secrets.append((0..<Int.random(in: 1...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" }.joined())
            }
        }
        return secrets
    }

    static func randomText(_ rng: inout SplitMix64, secrets: [String]) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            if Int.random(in: 0..<3, using: &rng) == 0, let s = secrets.randomElement(using: &rng) {
                text += s
            } else {
                text += alphabet.randomElement(using: &rng) ?? "a"
            }
        }
        return text
    }
}

/// The rule written the plain way: every occurrence of every secret found at every byte, the ranges
/// that overlap merged, each range one mask.
enum MaskingReference {
    static func ranges(_ text: [UInt8], _ secrets: [String]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        for start in text.indices {
            for s in secrets where !s.isEmpty {
                let bytes = Array(s.utf8)
                if start + bytes.count <= text.count, Array(text[start..<(start + bytes.count)]) == bytes {
                    found.append(start..<(start + bytes.count))
                }
            }
        }
        var merged: [Range<Int>] = []
        for r in found.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound < last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }

    static func mask(_ text: String, _ secrets: [String]) -> String {
        maskPending(text, secrets, hidingPending: false)
    }

    /// The longest end of `text` that is a proper prefix of a secret, in bytes.
    static func pendingLength(_ text: [UInt8], _ secrets: [String]) -> Int {
        var longest = 0
        for s in secrets where !s.isEmpty {
            let bytes = Array(s.utf8)
            for k in stride(from: min(bytes.count - 1, text.count), through: 1, by: -1)
            where Array(text.suffix(k)) == Array(bytes.prefix(k)) {
                longest = max(longest, k)
                break
            }
        }
        return longest
    }

    static func maskPending(_ text: String, _ secrets: [String], hidingPending: Bool = true) -> String {
        let bytes = Array(text.utf8)
        let cut = bytes.count - (hidingPending ? pendingLength(bytes, secrets) : 0)
        var out: [UInt8] = []
        var from = 0
        for r in ranges(bytes, secrets) where r.lowerBound < cut {
            out += bytes[from..<r.lowerBound] + Array(SecretMasker.mask.utf8)
            from = r.upperBound
        }
        if from < cut { out += bytes[from..<cut] }
        return String(decoding: out, as: UTF8.self)
    }
}
