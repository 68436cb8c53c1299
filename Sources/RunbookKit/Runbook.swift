/// A runbook: one Markdown file, read as entries, steps, a decision tree and checklists.
public struct Runbook: Sendable {
    /// Stable id: front matter `id`, else the file name without `.md`.
    public var id: String
    public var title: String
    /// `nil` when the front matter gives none (or gives one that is not semantic versioning).
    public var version: SemanticVersion?
    public var updated: CalendarDate?
    public var reviewBy: CalendarDate?
    public var owner: String?
    /// The shell that runs steps: front matter `shell`, else `/bin/sh` (`nil` here).
    public var shell: String?
    /// Default time limit of a step.
    public var timeout: TimeLimit?
    public var description: String?
    public var variables: [Variable]
    public var entries: [Entry]
    public var decisionTree: DecisionTree?
    public var checklists: [Checklist]
    /// Steps outside any entry, tree or checklist (an introduction before the first entry).
    public var looseSteps: [Step]
    /// The file as given on the command line.
    public var path: String
    /// SHA-256 of the file's bytes.
    public var sha256: String
    /// Every heading anchor of the file, as GitHub makes them.
    public var anchors: Set<String>
    /// Every link of the file, where it stands.
    public var links: [Link]
    /// The parsed Markdown, for showing the runbook as it reads.
    public var document: MarkdownBlock
    /// What loading found: format errors, warnings and notes.
    public var diagnostics: [Diagnostic]
    /// The alerts it answers (front matter `alerts:`).
    public var alerts: [RunbookAlert] = []
    /// Where its commands would land (front matter `context:`).
    public var context: [ContextProbe] = []

    /// Every step in document order: loose steps, entries' steps, tree probes, checklist checks.
    public var allSteps: [Step] {
        var steps = looseSteps + entries.flatMap(\.steps)
        if let tree = decisionTree { steps += tree.probes }
        steps += checklists.flatMap { $0.items.compactMap(\.step) }
        return steps.sorted { $0.location < $1.location }
    }

    /// The entry whose id or anchor is `name`.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.id == name || $0.anchor == name }
    }

    /// The checklist whose id (its heading's slug) is `name`.
    public func checklist(named name: String) -> Checklist? {
        checklists.first { $0.id == name }
    }

    /// Whether `reviewBy` lies before `today`.
    public func isOverdue(today: CalendarDate) -> Bool {
        guard let reviewBy else { return false }
        return reviewBy < today
    }
}

/// A link written in the runbook (`[text](#anchor)`, `[text](other.md#anchor)`, a URL).
public struct Link: Sendable, Hashable {
    public var destination: String
    public var text: String
    public var location: SourceLocation

    public init(destination: String, text: String, location: SourceLocation) {
        self.destination = destination
        self.text = text
        self.location = location
    }

    /// The link's target inside this project: a same-file anchor or a relative Markdown file; `nil` for URLs.
    public var target: LinkTarget? { LinkTarget(destination) }
}

/// Where an internal link leads.
public struct LinkTarget: Sendable, Hashable, CustomStringConvertible {
    /// A relative path to another Markdown file; `nil` for this file.
    public var file: String?
    /// The heading anchor; `nil` for the top of the file.
    public var anchor: String?

    public init(file: String?, anchor: String?) {
        self.file = file
        self.anchor = anchor
    }

    /// Reads `#anchor`, `file.md` or `file.md#anchor`; `nil` for URLs and anything else.
    public init?(_ destination: String) {
        let d = destination.trimmingASCIISpaces()
        guard !d.isEmpty, !d.contains("://"), !d.hasPrefix("mailto:"), !d.hasPrefix("{{") else { return nil }
        if d.hasPrefix("#") {
            let a = String(d.dropFirst())
            guard !a.isEmpty else { return nil }
            self.init(file: nil, anchor: a)
            return
        }
        let parts = d.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let file = String(parts[0])
        guard file.lowercased().hasSuffix(".md") || file.lowercased().hasSuffix(".markdown") else { return nil }
        let anchor = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
        self.init(file: file, anchor: anchor)
    }

    public var description: String {
        switch (file, anchor) {
        case let (f?, a?): "\(f)#\(a)"
        case let (f?, nil): f
        case let (nil, a?): "#\(a)"
        case (nil, nil): ""
        }
    }
}

/// A variable commands read from their environment.
public struct Variable: Sendable, Hashable {
    public enum Origin: String, Sendable, Hashable {
        /// Declared under `variables:` in the front matter.
        case frontMatter = "front_matter"
        /// A `<placeholder>` in a command, to be asked for.
        case placeholder
    }

    public var name: String
    public var defaultValue: String?
    public var description: String?
    /// Masked on screen, in journals and reports.
    public var isSecret: Bool
    public var origin: Origin
    public var location: SourceLocation

    public init(
        name: String, defaultValue: String? = nil, description: String? = nil, isSecret: Bool = false,
        origin: Origin = .frontMatter, location: SourceLocation
    ) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
        self.isSecret = isSecret
        self.origin = origin
        self.location = location
    }

    /// Whether the name alone says the value is secret: it contains PASSWORD, SECRET, TOKEN or KEY,
    /// and its last `_`-separated word does not say it names, points to or identifies one
    /// (``secretNameEndings``: `SECRET_NAME`, `SECRET_REF`, `KEY_ID`, `TOKEN_FILE` are not secret).
    public static func nameLooksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        guard ["PASSWORD", "SECRET", "TOKEN", "KEY"].contains(where: { upper.contains($0) }) else { return false }
        let words = upper.split(separator: "_")
        guard words.count > 1, let last = words.last else { return true }
        return !secretNameEndings.contains(String(last))
    }

    /// Last words of a name that make it the name, reference, id or location of a secret, not a secret.
    public static let secretNameEndings: Set<String> = [
        "NAME", "NAMES", "REF", "REFS", "ID", "IDS", "FILE", "PATH", "DIR", "NAMESPACE", "NS", "KIND", "TYPE",
    ]

    /// A shell variable name: a letter or `_`, then letters, digits and `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first == "_" || (first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }
}
