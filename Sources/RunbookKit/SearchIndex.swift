/// Every entry of a set of runbooks, ready to be ranked against a query (``SearchIndex/search(_:limit:prefix:)``):
/// one document per entry (a runbook without entries is one document), each made of the entry's
/// lines as written, each line with its file line number, its field and its words (``SearchText``).
///
/// Fields weigh differently: an entry's title, its symptoms and the decision-tree branches that lead to
/// it say most; example output and indicators next; commands, code and prose least. A tree branch
/// (`` `pg_hba.conf rejects`: [Issue 4](#issue-4-…) ``) counts for the entry it links to, and the
/// answers above it on the way there count for it too, less.
///
/// Plain values only (Codable): the index can be saved and loaded again without the runbooks.
public struct SearchIndex: Sendable, Hashable, Codable {
    /// Where a line stands in its entry, which decides how much a matching word weighs.
    public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
        case title, symptoms, tree, treePath, output, indicator, command, code, text, runbook

        public var weight: Double {
            switch self {
            case .title: 3.0
            case .symptoms: 3.0
            case .tree: 2.5
            case .treePath: 1.0
            case .output: 2.0
            case .indicator: 1.5
            case .command: 1.0
            case .code: 0.8
            case .text: 0.6
            case .runbook: 1.0
            }
        }
    }

    /// One line of an entry.
    public struct Line: Sendable, Hashable, Codable {
        public var line: Int
        public var text: String
        public var field: Field
        /// Word ids (into ``SearchIndex/vocabulary``), in order.
        public var terms: [Int]
    }

    /// One entry (or a runbook without entries).
    public struct Document: Sendable, Hashable, Codable {
        public var file: String
        public var runbook: String
        public var runbookTitle: String
        /// The entry's id; nil for a runbook without entries.
        public var entry: String?
        public var title: String
        public var anchor: String?
        /// The entry's heading line (1 for a whole runbook).
        public var line: Int
        public var lines: [Line]
        /// Each word's count, weighted by its fields.
        public var weights: [Int: Double]
        /// The sum of ``weights``.
        public var length: Double
    }

    public private(set) var vocabulary: [String: Int] = [:]
    /// How many documents hold each word, by word id.
    public private(set) var documentFrequency: [Int] = []
    public private(set) var documents: [Document] = []
    public private(set) var averageLength: Double = 1

    public init(runbooks: [Runbook]) {
        for rb in runbooks { add(rb) }
        // Tree branches count for the entries they lead to, in their runbook or another one.
        var byAnchor: [String: Int] = [:]
        for (i, d) in documents.enumerated() { if let a = d.anchor { byAnchor[d.file + "#" + a] = i } }
        for rb in runbooks {
            guard let tree = rb.decisionTree else { continue }
            // Depth first, with the answers (branches with patterns) on the way down.
            var stack = tree.roots.reversed().map { ($0, [TreeNode]()) }
            while let (node, above) = stack.popLast() {
                let path = node.patterns.isEmpty ? above : above + [node]
                stack += node.children.reversed().map { ($0, path) }
                guard let target = node.target, let anchor = target.anchor else { continue }
                let file = target.file.map { RunbookLinter.join(RunbookLinter.folder(of: rb.path), $0) } ?? rb.path
                guard let i = byAnchor[file + "#" + anchor] else { continue }
                var doc = documents[i]
                append(node.label, line: node.location.line, field: .tree, to: &doc)
                // The answers that lead here count too, less (`ImagePullBackOff` for the pull errors).
                for a in above { append(a.label, line: a.location.line, field: .treePath, to: &doc) }
                documents[i] = doc
            }
        }
        for d in documents {
            for term in d.weights.keys { documentFrequency[term] += 1 }
        }
        let total = documents.reduce(0) { $0 + $1.length }
        averageLength = documents.isEmpty ? 1 : max(1, total / Double(documents.count))
    }

    /// The id of a word, added to the vocabulary if new.
    mutating func termID(_ word: String) -> Int {
        if let id = vocabulary[word] { return id }
        let id = documentFrequency.count
        vocabulary[word] = id
        documentFrequency.append(0)
        return id
    }

    mutating func add(_ rb: Runbook) {
        let source = SourceLines(rb.document)
        let entries = rb.entries.sorted { $0.location < $1.location }
        var docs: [Document] = []
        if entries.isEmpty {
            var doc = Document(
                file: rb.path, runbook: rb.id, runbookTitle: rb.title, entry: nil, title: rb.title, anchor: nil, line: 1,
                lines: [], weights: [:], length: 0)
            for l in source.lines { append(l.text, line: l.line, field: l.heading ? .title : (l.code == nil ? .text : .code), to: &doc) }
            docs.append(doc)
        }
        for entry in entries {
            let end = source.boundary(after: entry.location.line)
            var doc = Document(
                file: rb.path, runbook: rb.id, runbookTitle: rb.title, entry: entry.id, title: entry.title,
                anchor: entry.anchor, line: entry.location.line, lines: [], weights: [:], length: 0)
            let sections = entry.sections.sorted { $0.location < $1.location }
            let stepLines = Set(entry.steps.map(\.location.line))
            let indicatorLines = Set(entry.steps.flatMap(\.indicators).map(\.location.line))
            for l in source.lines where l.line >= entry.location.line && l.line < end {
                let role = sections.last { $0.location.line <= l.line }?.role
                let field: Field
                if l.line == entry.location.line {
                    field = .title
                } else if let code = l.code {
                    if stepLines.contains(code.start) {
                        field = code.language == "console" && !l.text.hasPrefix("$ ") ? .output : .command
                    } else if Self.outputLanguages.contains(code.language) {
                        field = role == .symptoms ? .symptoms : .output
                    } else {
                        field = .code
                    }
                } else if indicatorLines.contains(l.line) {
                    field = .indicator
                } else {
                    field = role == .symptoms ? .symptoms : .text
                }
                append(l.text, line: l.line, field: field, to: &doc)
            }
            append(rb.title, line: entry.location.line, field: .runbook, to: &doc)
            docs.append(doc)
        }
        documents += docs
    }

    mutating func append(_ text: String, line: Int, field: Field, to doc: inout Document) {
        let terms = SearchText.words(text).map { termID($0) }
        doc.lines.append(Line(line: line, text: text, field: field, terms: terms))
        for t in terms { doc.weights[t, default: 0] += field.weight }
        doc.length += Double(terms.count) * field.weight
    }

    /// Code languages whose blocks show what a program printed.
    static let outputLanguages: Set<String> = ["", "text", "txt", "log", "plaintext", "output", "console", "none", "stderr"]
}

/// The lines of a parsed Markdown document as written, with their file line numbers: headings,
/// paragraph lines, table cells, code lines (with the block they belong to).
struct SourceLines {
    struct Code: Hashable {
        /// The block's first line (its fence).
        var start: Int
        var language: String
    }

    struct Line {
        var line: Int
        var text: String
        var heading: Bool = false
        var level: Int = 0
        var code: Code?
    }

    var lines: [Line] = []

    init(_ root: MarkdownBlock) {
        walk(root)
        lines.sort { $0.line < $1.line }
    }

    /// The line of the next heading of level 1 or 2 after `line`, or past the end.
    func boundary(after line: Int) -> Int {
        lines.first { $0.heading && $0.level <= 2 && $0.line > line }?.line ?? Int.max
    }

    mutating func walk(_ block: MarkdownBlock) {
        switch block.kind {
        case .heading(let level, let inlines):
            lines.append(Line(line: block.location.line, text: inlines.plainText, heading: true, level: level))
        case .paragraph(let inlines), .tableCell(let inlines):
            var line = block.location.line
            var text = ""
            for inline in inlines {
                switch inline {
                case .softBreak, .lineBreak:
                    if !text.isEmpty { lines.append(Line(line: line, text: text)) }
                    text = ""
                    line += 1
                default:
                    [inline].appendPlainText(to: &text)
                }
            }
            if !text.isEmpty { lines.append(Line(line: line, text: text)) }
        case .codeBlock(let c):
            let language = c.info.split(whereSeparator: { $0 == " " || $0 == "{" }).first.map { $0.lowercased() } ?? ""
            let first = block.location.line + (c.isFenced ? 1 : 0)
            let code = Code(start: block.location.line, language: language)
            for (i, text) in c.literal.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !text.trimmingASCIISpaces().isEmpty {
                lines.append(Line(line: first + i, text: String(text), code: code))
            }
        case .htmlBlock, .thematicBreak:
            break
        default:
            for child in block.children { walk(child) }
        }
    }
}
