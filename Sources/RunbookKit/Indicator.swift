/// A success indicator: what the output of a step shows when all is well.
public struct Indicator: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The command exits with one of these statuses (`exit 0`, `exit 0 or 1`, `exit any`).
        case exit(ExpectedExit)
        /// Some line of output contains the text.
        case contains(String)
        /// No line of output contains the text.
        case notContains(String)
        /// Some line of output matches the POSIX extended regular expression.
        case matches(String)
        /// The whole output, trimmed, is exactly the text.
        case equals(String)
        /// Only the engineer can tell: asked as a yes/no question.
        case manual

        /// The name used in JSON and reports.
        public var name: String {
            switch self {
            case .exit: "exit_code"
            case .contains: "contains"
            case .notContains: "not_contains"
            case .matches: "matches"
            case .equals: "equals"
            case .manual: "manual"
            }
        }
    }

    public var kind: Kind
    /// For a checkable indicator, the words after its operand; for a manual one, the whole text.
    public var note: String
    /// The item as written, as plain text.
    public var text: String
    public var location: SourceLocation

    public init(kind: Kind, note: String, text: String, location: SourceLocation) {
        self.kind = kind
        self.note = note
        self.text = text
        self.location = location
    }

    public var isManual: Bool { kind == .manual }

    /// Whether it is an `exit` indicator.
    public var isExit: Bool {
        if case .exit = kind { return true }
        return false
    }
}

extension Indicator.Kind {
    /// Exactly this exit status: `exit 2`.
    public static func exitCode(_ code: Int32) -> Indicator.Kind { .exit(.status(code)) }
}

/// Reads one indicator from a list item's inlines.
///
/// A checkable indicator is a keyword and an operand in backticks, then an optional note:
/// `exit 0`, `exit 0 or 1`, `exit 0, 1 or 2`, `exit any`, ``contains `text` ``, ``no `text` ``,
/// ``not contains `text` ``, ``matches `regex` ``, ``equals `text` ``. Anything else is manual. An item
/// that begins with `contains`, `not contains`, `matches` or `equals`, or with `exit` and a number or
/// `any`, but does not complete the form is an error.
public struct IndicatorParser: Sendable {
    /// Checks that a `matches` operand is a valid regular expression; returns the problem, or nil.
    public var validateRegex: @Sendable (String) -> String?

    public init(validateRegex: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.validateRegex = validateRegex
    }

    public enum Failure: Error, Equatable {
        case malformed(String)
    }

    public func parse(_ inlines: [Inline], location: SourceLocation) -> Result<Indicator, Failure> {
        let content = inlines.trimmingLeadingSpace()
        let text = content.plainText.trimmingASCIISpaces()
        let manual = Indicator(kind: .manual, note: text, text: text, location: location)
        guard case .text(let lead)? = content.first else { return .success(manual) }
        let words = lead.lowercased()
        let rest = Array(content.dropFirst())

        // The keyword is the whole text before the first code span.
        let keyword = words.trimmingASCIISpaces()
        let endsInSpace = lead.last == " "

        // exit N / exit code N / exits with N / exit 0 or 1 / exit any: plain text.
        if let exit = parseExit(lead) {
            switch exit {
            case .success(let (expected, noteWords)):
                let note = (noteWords.joined(separator: " ") + " " + rest.plainText).trimmingASCIISpaces()
                return .success(Indicator(kind: .exit(expected), note: note, text: text, location: location))
            case .failure(let f):
                return .failure(f)
            }
        }

        let forms: [(String, (String) -> Indicator.Kind)] = [
            ("not contains", { .notContains($0) }),
            ("does not contain", { .notContains($0) }),
            ("contains", { .contains($0) }),
            ("matches", { .matches($0) }),
            ("equals", { .equals($0) }),
            ("no", { .notContains($0) }),
        ]
        for (name, make) in forms {
            let strict = name != "no"
            if keyword == name, endsInSpace, case .code(let operand)? = rest.first {
                guard !operand.isEmpty else {
                    return .failure(.malformed("`\(name)` has an empty operand: write \(name) `text`"))
                }
                if name == "matches", let problem = validateRegex(operand) {
                    return .failure(.malformed("`matches` has an invalid regular expression `\(operand)`: \(problem)"))
                }
                let note = Array(rest.dropFirst()).plainText.trimmingASCIISpaces()
                return .success(Indicator(kind: make(operand), note: note, text: text, location: location))
            }
            if strict, words.hasPrefix(name + " ") || words == name {
                if name == "matches" || name == "equals" || name == "contains" || name == "not contains"
                    || name == "does not contain"
                {
                    return .failure(
                        .malformed(
                            "indicator `\(name)` needs its operand in backticks, as in: \(name) `text`; "
                                + "write it differently if it is meant for a person to judge"))
                }
            }
        }
        return .success(manual)
    }

    /// Reads `exit`/`exits`, an optional `code`, `status` or `with`, then the statuses: `0`, `0 or 1`,
    /// `0, 1 or 2`, `0, 1, or 2`, `any`. Returns the expectation and the words after it (the note), or
    /// nil when the text does not start like an exit indicator (`exit cleanly` is manual).
    private func parseExit(_ lead: String) -> Result<(ExpectedExit, [Substring]), Failure>? {
        let words = lead.split(separator: " ", omittingEmptySubsequences: true)
        let lowered = words.map { $0.lowercased() }
        guard let first = lowered.first, first == "exit" || first == "exits" else { return nil }
        var i = 1
        if i < words.count, ["code", "status", "with"].contains(lowered[i]) { i += 1 }
        guard i < words.count else { return nil }
        let punctuation: Set<Character> = [",", ";", ".", ":"]
        func bare(_ k: Int) -> String { lowered[k].trimmingCharacters(in: punctuation) }
        func looksLikeStatus(_ k: Int) -> Bool {
            guard k < words.count, let c = bare(k).first else { return false }
            return c.isASCIIDigit || c == "-" || c == "+"
        }

        if bare(i) == "any" {
            i += 1
            if i < words.count, bare(i) == "or" || looksLikeStatus(i) {
                return .failure(.malformed("`exit any` accepts every exit status: name no other status beside it"))
            }
            return .success((.any, Array(words[i...])))
        }
        guard looksLikeStatus(i) else { return nil }

        var statuses: [Int32] = []
        var commaList = false
        var sawOr = false
        while true {
            let token = bare(i)
            guard let v = Int32(token), (0...255).contains(v), looksLikeStatus(i) else {
                if statuses.isEmpty || looksLikeStatus(i) {
                    return .failure(.malformed("exit status `\(token)` is not a number from 0 to 255"))
                }
                return .failure(
                    .malformed("`or` in an exit indicator is followed by a status, as in: exit 0 or 1 (found `\(words[i])`)"))
            }
            guard !statuses.contains(v) else {
                return .failure(.malformed("exit status \(v) is named twice"))
            }
            statuses.append(v)
            i += 1
            // The list goes on after `,` only when a status or `or` follows (`exit code 0, good` has a note).
            if lowered[i - 1].hasSuffix(","), looksLikeStatus(i) {
                commaList = true
                continue
            }
            if i < words.count, lowered[i] == "or" {
                sawOr = true
                i += 1
                guard i < words.count else {
                    return .failure(.malformed("`or` in an exit indicator is followed by a status, as in: exit 0 or 1"))
                }
                continue
            }
            break
        }
        if commaList, !sawOr {
            return .failure(.malformed("a list of exit statuses ends with `or`, as in: exit 0, 1 or 2"))
        }
        return .success((.statuses(statuses.sorted()), Array(words[i...])))
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
