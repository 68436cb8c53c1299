/// Turns text (a runbook's lines, a pasted log chunk) into the words search compares, the same way
/// on both sides, so that a line a tool printed finds the runbook's copy of it although the details
/// differ: IP addresses (v4 and v6, with ports), timestamps (ISO 8601, syslog, klog), UUIDs, hex
/// hashes, generated suffixes of pod names (`-7d9f8c6b5-x2k4p`) and long numbers (ports, process ids)
/// are dropped, and of a file's path only its last part is kept; what is left is split into lowercase words at every character that is not a letter or
/// a digit, common English words are dropped, and plural and past endings are cut (`rejects`,
/// `rejected` and `reject` are one word).
///
/// Numbers of up to three digits are kept: they tell apart `statuscode: 400` from `500`, `403
/// Forbidden`, `[Errno 13]`.
public enum SearchText {
    /// The words of `text`, in order.
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var chunk = ""
        func flush() {
            if !chunk.isEmpty { appendChunk(chunk, to: &out) }
            chunk = ""
        }
        for c in text {
            if c.isWhitespace || Self.chunkBreaks.contains(c) { flush() } else { chunk.append(c) }
        }
        flush()
        return out
    }

    /// The words of a query, each with how much its line says: in a pasted log chunk the line with the
    /// error says more than the lines around it (``lineWeight(_:)``). A word weighs as its heaviest line.
    public static func queryWords(_ text: String) -> (words: [String], weights: [String: Double]) {
        var words: [String] = []
        var weights: [String: Double] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let w = lineWeight(line)
            for word in Self.words(String(line)) {
                words.append(word)
                weights[word] = max(weights[word] ?? 0, w)
            }
        }
        return (words, weights)
    }

    /// How much a line of a log says about the failure: a line with an error word (`error`, `fatal`,
    /// `failed`, `denied`, `refused`, `invalid`, `exception`, ...) 1.5; a stack frame or traceback
    /// header 0.25; a line logged at INFO or DEBUG 0.4; any other line 1.
    static func lineWeight(_ line: Substring) -> Double {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("File \""), trimmed.contains(", line ") { return 0.25 }
        if trimmed.hasPrefix("Traceback ") || trimmed.hasPrefix("at ") || trimmed.hasPrefix("goroutine ") { return 0.25 }
        let lower = trimmed.lowercased()
        if errorWords.contains(where: { lower.contains($0) }) { return 1.5 }
        if infoMarks.contains(where: { trimmed.contains($0) }) || lower.contains("level=info") || lower.contains("level=debug") {
            return 0.4
        }
        return 1
    }

    static let errorWords = [
        "error", "fatal", "fail", "denied", "refused", "invalid", "exception", "cannot", "unable", "forbidden",
        "panic", "killed", "exceeded", "backoff", "not found", "unauthorized", "no such", "crash",
    ]
    static let infoMarks = ["INFO", "DEBUG", "TRACE", "[info]", "[debug]"]

    /// Characters that end a chunk (a run of text looked at as one token: `10.4.2.17:5432`).
    static let chunkBreaks: Set<Character> = ["\"", "'", "`", "(", ")", "[", "]", "{", "}", "<", ">", ",", ";", "|", "=", "\\"]

    /// Common English words, which say nothing about which entry is meant.
    static let stopWords: Set<String> = [
        "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "and", "or", "is", "are", "was", "were", "be",
        "been", "it", "its", "as", "with", "from", "this", "that", "these", "those", "if", "then", "than", "so",
        "you", "your", "we", "our", "i", "can", "may", "will", "do", "has", "have", "had", "but", "into", "which",
        "when", "what", "there", "their", "they", "them", "he", "she", "his", "her", "also", "just", "only",
    ]

    static func appendChunk(_ raw: String, to out: inout [String]) {
        var chunk = trimPunctuation(Substring(raw))
        guard !chunk.isEmpty, !isNoise(chunk) else { return }
        // A file's path: its folders are where this system installed it (`/usr/bin` or `/usr/local/bin`,
        // `/app` or `/srv`), its last part is what it is (`gunicorn`, `manage.py`).
        if raw.hasPrefix("/") || raw.hasPrefix("~/"), chunk.contains("/"), let slash = chunk.lastIndex(of: "/") {
            chunk = trimPunctuation(chunk[chunk.index(after: slash)...])
            guard !chunk.isEmpty else { return }
        }
        // A URL, a path, `key:value`, `user@host`: look at each part on its own.
        let parts = chunk.split(whereSeparator: { $0 == "/" || $0 == "@" || $0 == ":" })
        for part in parts {
            let p = trimPunctuation(part)
            guard !p.isEmpty, !isNoise(p) else { continue }
            for segment in withoutGeneratedSuffix(p) {
                appendWords(segment, to: &out)
            }
        }
    }

    /// Splits a part into its words (at every character that is not a letter or digit).
    static func appendWords(_ part: Substring, to out: inout [String]) {
        var word = ""
        func flush() {
            if !word.isEmpty, let w = normalised(word) {
                out.append(w)
                // `KubePodCrashLooping`, `CrashLoopBackOff`: its words too, as prose writes them.
                let parts = camelCaseParts(word)
                if parts.count > 1 { out += parts.compactMap(normalised) }
            }
            word = ""
        }
        for c in part {
            if c.isLetter || c.isNumber { word.append(c) } else { flush() }
        }
        flush()
    }

    /// The words of a camel-case word: a new word starts at a capital after a lower-case letter, and
    /// at the last capital of a run before a lower-case letter (`HTTPServer` → `HTTP`, `Server`).
    static func camelCaseParts(_ word: String) -> [String] {
        let chars = Array(word)
        guard chars.count > 3, chars.contains(where: \.isUppercase), chars.contains(where: \.isLowercase) else { return [word] }
        var parts: [String] = []
        var current = ""
        for (i, c) in chars.enumerated() {
            let previous = i > 0 ? chars[i - 1] : nil
            let next = i + 1 < chars.count ? chars[i + 1] : nil
            let startsWord = c.isUppercase && ((previous?.isLowercase ?? false)
                || ((previous?.isUppercase ?? false) && (next?.isLowercase ?? false)))
            if startsWord, !current.isEmpty {
                parts.append(current)
                current = ""
            }
            current.append(c)
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// A word as compared, or nil when it carries nothing.
    static func normalised(_ word: String) -> String? {
        let w = word.lowercased()
        if stopWords.contains(w) { return nil }
        let digits = w.filter(\.isNumber).count
        if digits == w.count { return w.count <= 3 ? w : nil }
        if digits > 0, looksGenerated(w) { return nil }
        return stem(w)
    }

    /// Cuts a plural or past ending: `rejects`, `rejected` → `reject`; `failed` → `fail`.
    static func stem(_ w: String) -> String {
        guard w.count > 4, !unstemmed.contains(w), w.allSatisfy({ $0.isASCII && $0.isLetter }) else { return w }
        for suffix in ["ing", "ed", "es", "s"] where w.hasSuffix(suffix) {
            if suffix == "s", w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { return w }
            let stemmed = String(w.dropLast(suffix.count))
            if stemmed.count >= 3 { return stemmed }
        }
        return w
    }

    /// Words whose `s` is not a plural: `https` must stay apart from `http`.
    static let unstemmed: Set<String> = ["https", "status", "redis", "postgres", "kubernetes", "always", "process"]

    static func trimPunctuation(_ s: Substring) -> Substring {
        let edge: Set<Character> = [".", ":", "!", "?", "*", "#", "~", "-", "_", "/", "@"]
        var t = s
        while let f = t.first, edge.contains(f) { t = t.dropFirst() }
        while let l = t.last, edge.contains(l) { t = t.dropLast() }
        return t
    }

    // MARK: - What is dropped

    /// Whether a whole chunk is an address, a time, an id or a long number.
    static func isNoise(_ s: Substring) -> Bool {
        isIPv4(s) || isIPv6(s) || isTimestamp(s) || isUUID(s) || isHexHash(s) || isKlogHeader(s)
            || (s.allSatisfy(\.isNumber) && s.count > 3)
    }

    /// `10.4.2.17`, `10.4.2.17:5432`, `10.8.0.0/14`.
    static func isIPv4(_ s: Substring) -> Bool {
        var host = s
        if let colon = host.firstIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            host = host[..<colon]
        }
        if let slash = host.firstIndex(of: "/") { host = host[..<slash] }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }

    /// `fe80::1`, `2001:db8::8a2e:370:7334`, `[::1]:8000` (brackets are chunk breaks).
    static func isIPv6(_ s: Substring) -> Bool {
        guard s.filter({ $0 == ":" }).count >= 2, s.count >= 3 else { return false }
        return s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" } && s.contains(where: \.isHexDigit)
    }

    /// `2026-12-06T04:12:33.123Z`, `2026-12-06`, `04:12:33`, `04:12:33.123456`, `+00:00`, `2026/12/06`.
    static func isTimestamp(_ s: Substring) -> Bool {
        guard let first = s.first, first.isNumber || first == "+" else { return false }
        let separators = s.filter { $0 == "-" || $0 == ":" || $0 == "/" }.count
        guard separators >= 1 else { return false }
        let allowed: Set<Character> = ["-", ":", "/", ".", "T", "Z", "+", ","]
        guard s.allSatisfy({ $0.isNumber || allowed.contains($0) }) else { return false }
        // `1/2` or `3-4` alone is not a time; dates and times have at least two separators or a colon.
        return separators >= 2 || s.contains(":")
    }

    /// `123e4567-e89b-12d3-a456-426614174000`.
    static func isUUID(_ s: Substring) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// A git or image digest: seven or more hex digits with at least one digit (`sha256` prefixes are split off).
    static func isHexHash(_ s: Substring) -> Bool {
        s.count >= 7 && s.allSatisfy(\.isHexDigit) && s.contains(where: \.isNumber)
    }

    /// klog's `I1206` / `E1206` line header.
    static func isKlogHeader(_ s: Substring) -> Bool {
        guard s.count == 5, let f = s.first, "IWEF".contains(f) else { return false }
        return s.dropFirst().allSatisfy(\.isNumber)
    }

    /// Drops the generated end of a name: a pod's `-7d9f8c6b5-x2k4p`, a job's `-28391234`, a
    /// StatefulSet's `-0` stays (short numbers are kept as words elsewhere, and harmless).
    static func withoutGeneratedSuffix(_ s: Substring) -> [Substring] {
        guard s.contains("-") else { return [s] }
        var segments = s.split(separator: "-")
        while segments.count > 1, let last = segments.last, isGeneratedSegment(String(last).lowercased()) || isHexHash(last) {
            segments.removeLast()
        }
        return segments
    }

    /// The end of a generated name: five letters of the generated alphabet (a pod's own suffix, digits
    /// or not), or a longer run of them with a digit (a ReplicaSet's pod-template hash).
    static func isGeneratedSegment(_ w: String) -> Bool {
        guard w.count >= 5, w.allSatisfy({ generatedAlphabet.contains($0) }) else { return false }
        return w.count == 5 || w.contains(where: \.isNumber)
    }

    /// Kubernetes' generated names use the alphabet `bcdfghjklmnpqrstvwxz2456789` (no vowels, so no
    /// words): a word of five or more of those letters with two digits or more among them is generated
    /// (`x2k4p`, `7d9f8c6b5`; not `http2`).
    static func looksGenerated(_ w: String) -> Bool {
        guard w.count >= 5 else { return false }
        var digits = 0
        for c in w {
            guard generatedAlphabet.contains(c) else { return false }
            if c.isNumber { digits += 1 }
        }
        return digits >= 2 && digits < w.count
    }

    static let generatedAlphabet = Set("bcdfghjklmnpqrstvwxz0123456789")
}
