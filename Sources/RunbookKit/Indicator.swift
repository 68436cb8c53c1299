/// A success indicator: what the output of a step shows when all is well.
public struct Indicator: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The command exits with this status.
        case exitCode(Int32)
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
            case .exitCode: "exit_code"
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
}

/// Reads one indicator from a list item's inlines.
///
/// A checkable indicator is a keyword and an operand in backticks, then an optional note:
/// `exit 0`, ``contains `text` ``, ``no `text` ``, ``not contains `text` ``, ``matches `regex` ``,
/// ``equals `text` ``. Anything else is manual. An item that begins with `contains`, `not contains`,
/// `matches` or `equals`, or with `exit` and a number, but does not complete the form is an error.
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

        // exit N / exit code N / exits with N: the number is plain text.
        if let exit = parseExit(words) {
            switch exit {
            case .success(let code):
                let note = exitNote(lead, rest: rest)
                return .success(Indicator(kind: .exitCode(code), note: note, text: text, location: location))
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

    private func exitNote(_ lead: String, rest: [Inline]) -> String {
        // Drop "exit [code] N" from the lead; keep what follows as the note.
        var words = lead.split(separator: " ", omittingEmptySubsequences: true)
        if !words.isEmpty { words.removeFirst() }
        if let w = words.first, ["code", "status", "with"].contains(w.lowercased()) { words.removeFirst() }
        if !words.isEmpty { words.removeFirst() }
        let note = (words.joined(separator: " ") + " " + rest.plainText).trimmingASCIISpaces()
        return note
    }

    /// `exit 0`, `exit code 2`, `exits 1`: nil when the text does not start like an exit indicator.
    private func parseExit(_ lowered: String) -> Result<Int32, Failure>? {
        var words = lowered.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first, first == "exit" || first == "exits" else { return nil }
        words.removeFirst()
        if let w = words.first, ["code", "status", "with"].contains(w) { words.removeFirst() }
        guard let n = words.first else { return nil }
        let digits = n.trimmingCharacters(in: [",", ";", ".", ":"])
        guard let c = digits.first, c.isASCIIDigit || c == "-" || c == "+" else { return nil }
        guard let v = Int32(digits), (0...255).contains(v) else {
            return .failure(.malformed("exit status `\(digits)` is not a number from 0 to 255"))
        }
        return .success(v)
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
