/// An entry: an issue to diagnose and fix, or a procedure. In Markdown, an H2 and what follows it.
public struct Entry: Sendable {
    /// The entry's id: its anchor.
    public var id: String
    public var title: String
    /// GitHub's anchor of its heading.
    public var anchor: String
    public var location: SourceLocation
    public var sections: [Section]
    public var steps: [Step]

    public init(id: String, title: String, anchor: String, location: SourceLocation, sections: [Section] = [],
                steps: [Step] = []) {
        self.id = id
        self.title = title
        self.anchor = anchor
        self.location = location
        self.sections = sections
        self.steps = steps
    }

    /// The text of every section with this role, joined.
    public func text(of role: SectionRole) -> String? {
        let parts = sections.filter { $0.role == role }.map(\.text).filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// The distinct fix options in order (`Option A ...`, `Option B ...`), if the fix offers a choice.
    public var fixOptions: [String] {
        var seen: [String] = []
        for step in steps where step.role == .fix {
            if let o = step.option, !seen.contains(o) { seen.append(o) }
        }
        return seen
    }

    /// The fix option `name` names: its whole title (`Option A: Disable the SSL requirement`), the
    /// part before the colon (`Option A`), or the label after `Option` (`A`), ignoring case.
    public func fixOption(named name: String) -> String? {
        let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard !wanted.isEmpty else { return nil }
        return fixOptions.first { option in
            let title = option.lowercased()
            let head = title.split(separator: ":", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? title
            let label = head.hasPrefix("option ") ? String(head.dropFirst("option ".count)) : head
            return wanted == title || wanted == head || wanted == label
        }
    }
}

/// A recognised part of an entry, such as its symptoms or its verification.
public struct Section: Sendable, Hashable {
    public var role: SectionRole
    /// The heading as written (`Verification steps`); empty for the summary before the first heading.
    public var heading: String
    /// The section's prose as plain text (code blocks included as their text).
    public var text: String
    public var location: SourceLocation

    public init(role: SectionRole, heading: String, text: String, location: SourceLocation) {
        self.role = role
        self.heading = heading
        self.text = text
        self.location = location
    }
}

/// What a section of an entry is for. Headings name it, with synonyms, case-insensitively.
public enum SectionRole: String, Sendable, Hashable, CaseIterable {
    case summary, symptoms, cause, impact, diagnosis, fix, verify, prevention, notes

    /// The headings that name each role (lowercase).
    public static let synonyms: [SectionRole: [String]] = [
        .symptoms: ["symptoms", "symptom", "error symptoms", "meaning", "signs"],
        .cause: ["root cause", "root cause analysis", "root causes", "cause", "causes", "why this happened"],
        .impact: ["impact"],
        .diagnosis: ["diagnosis", "diagnose", "diagnostics", "possible checks", "checks", "investigation"],
        .fix: [
            "fix", "fixes", "solution", "solutions", "complete solution", "mitigation", "resolution",
            "remediation", "workaround",
        ],
        .verify: ["verify", "verification", "verification steps", "validation", "verify the fix"],
        .prevention: ["prevention", "prevention guidance", "how to prevent this", "avoiding this"],
    ]

    /// The role a heading names, or `nil`. `Verification steps:` and `Fix (staging)` name roles too.
    public init?(heading: String) {
        var h = heading.lowercased().trimmingASCIISpaces()
        while let last = h.last, last == ":" || last == "." { h.removeLast() }
        for (role, name, spaced, colon) in Self.headingNames where h == name || h.hasPrefix(spaced) || h.hasPrefix(colon) {
            // "checks" alone is a role; "fix options" too; but "fixed" is not ("fix" + "ed").
            self = role
            return
        }
        return nil
    }

    /// `synonyms` in the order `init?(heading:)` tries them, each with its `name ` and `name:` prefixes
    /// made once rather than for every heading.
    private static let headingNames: [(SectionRole, String, String, String)] = synonyms.flatMap { role, names in
        names.map { (role, $0, $0 + " ", $0 + ":") }
    }
}
