extension DocumentReader {
    // MARK: - Mermaid flowcharts

    /// Every ```` ```mermaid ```` flowchart of the file, read; what could not be read is a warning at its
    /// line. The blocks stay code blocks for the reader.
    mutating func mermaidCharts() -> [MermaidFlowchart] {
        var charts: [MermaidFlowchart] = []
        var stack: [MarkdownBlock] = [document]
        while let block = stack.popLast() {
            stack.append(contentsOf: block.children.reversed())
            guard case .codeBlock(let code) = block.kind,
                code.info.split(separator: " ").first.map({ $0.lowercased() }) == "mermaid"
            else { continue }
            let firstLine = block.location.line + (code.isFenced ? 1 : 0)
            guard let chart = MermaidFlowchart(parsing: code.literal, firstLine: firstLine) else { continue }
            for p in chart.problems {
                report(SourceLocation(line: p.line, column: 1), .warning, p.message)
            }
            charts.append(chart)
        }
        return charts
    }

    /// Most nodes an unfolded flowchart may have: a graph whose paths rejoin unfolds into a tree that
    /// repeats them, and a chart drawn for people never needs more.
    static let maximumFlowchartNodes = 500

    /// The first flowchart with a question (a `{…}` node, or one with two labelled answers) as a tree,
    /// from the node nothing leads to. An answer (a labelled edge) is a node of its own whose one child
    /// is where it leads; a leaf leads to the entry its `click` link or its text names.
    mutating func mermaidTree(_ charts: [MermaidFlowchart]) -> DecisionTree? {
        for chart in charts {
            let questions = chart.nodes.filter { node in
                let out = chart.outgoing(node.id)
                return out.count >= 2 && (node.shape.isDecision || out.filter { $0.label != nil }.count >= 2)
            }
            guard let firstQuestion = questions.first else { continue }
            let incoming = Set(chart.edges.map(\.to))
            var start = chart.nodes.first { !incoming.contains($0.id) && !chart.outgoing($0.id).isEmpty } ?? firstQuestion
            // `Alert fires --> Is X?`: the tree starts at the first question the opening chain leads to.
            var passed: Set<String> = [start.id]
            while !questions.contains(start), let only = chart.outgoing(start.id).first, chart.outgoing(start.id).count == 1,
                let next = chart.node(only.to), passed.insert(next.id).inserted
            {
                start = next
            }
            var budget = Self.maximumFlowchartNodes
            let root = flowchartNode(start.id, in: chart, path: [], questions: Set(questions.map(\.id)), names: entryNames(), budget: &budget)
            return DecisionTree(
                title: "Decision tree (from the flowchart)", location: SourceLocation(line: start.line, column: 1),
                roots: [root], source: .mermaid)
        }
        return nil
    }

    /// Node `id` and what follows it; `path` holds the nodes above it, so a cycle ends as a leaf.
    private mutating func flowchartNode(
        _ id: String, in chart: MermaidFlowchart, path: Set<String>, questions: Set<String>, names: [(anchor: String, title: String)], budget: inout Int
    ) -> TreeNode {
        let node = chart.node(id) ?? MermaidFlowchart.Node(id: id, text: id, shape: .box, line: 1)
        budget -= 1
        let location = SourceLocation(line: node.line, column: 1)
        let out = chart.outgoing(id)
        let link = chart.links[id].flatMap(LinkTarget.init)
        if out.isEmpty || path.contains(id) || budget <= 0 {
            return TreeNode(label: node.text, location: location, target: link ?? entryNamed(node.text, among: names))
        }
        let probe = flowchartProbe(node, out, in: chart)
        var children: [TreeNode] = []
        for edge in out where budget > 0 {
            let next = flowchartNode(edge.to, in: chart, path: path.union([id]), questions: questions, names: names, budget: &budget)
            if let label = edge.label {
                let patterns = probe == nil ? [] : Self.codePatterns(label)
                children.append(TreeNode(label: label, location: SourceLocation(line: edge.line, column: 1), patterns: patterns, children: [next]))
            } else {
                children.append(next)
            }
        }
        // A step on the way (not a question, not the start) that names an entry leads there.
        let target = questions.contains(id) || path.isEmpty ? nil : link ?? entryNamed(node.text, among: names)
        return TreeNode(label: node.text, location: location, probe: probe, target: target, children: children)
    }

    /// A node whose whole text is one command in backticks, whose answers all start with the `text`
    /// its output shows, is a probe. Anything less clear is a question answered by hand.
    private mutating func flowchartProbe(_ node: MermaidFlowchart.Node, _ out: [MermaidFlowchart.Edge], in chart: MermaidFlowchart) -> Step? {
        let t = node.text
        guard t.count > 2, t.hasPrefix("`"), t.hasSuffix("`"), !t.dropFirst().dropLast().contains("`"), out.count >= 2,
            out.allSatisfy({ !Self.codePatterns($0.label ?? "").isEmpty })
        else { return nil }
        let command = String(t.dropFirst().dropLast()).trimmingASCIISpaces()
        guard !command.isEmpty else { return nil }
        let code = CodeBlock(info: "sh", literal: command + "\n", isFenced: true, isClosed: true)
        return makeStep(code, location: SourceLocation(line: node.line, column: 1), role: .probe, scope: "tree")
    }

    /// The backtick spans a label starts with, joined by `or`, `,`, `/` or `|`: `` `Pending` or `Unknown` ``.
    static func codePatterns(_ label: String) -> [String] {
        var out: [String] = []
        var rest = Substring(label)
        while true {
            rest = rest.drop { $0 == " " }
            for joiner in ["or ", ", ", "/ ", "| ", ",", "/", "|"] where !out.isEmpty && rest.hasPrefix(joiner) {
                rest = rest.dropFirst(joiner.count).drop { $0 == " " }
                break
            }
            guard rest.hasPrefix("`"), let close = rest.dropFirst().firstIndex(of: "`") else { return out }
            let code = rest[rest.index(after: rest.startIndex)..<close]
            if !code.isEmpty { out.append(String(code)) }
            rest = rest[rest.index(after: close)...]
        }
    }

    // MARK: - Naming an entry

    private static let stopWords: Set<String> = [
        "a", "an", "the", "to", "of", "and", "or", "is", "are", "in", "on", "for", "see", "go", "goto", "at", "with",
        "check", "follow", "run", "read", "open", "use", "then", "it", "this", "that",
    ]

    /// The words of `text` that say something: lowercased letters and digits, common words left out.
    static func significantWords(_ text: String) -> [String] {
        var words: [String] = []
        var word = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                word.append(c)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.filter { !stopWords.contains($0) }
    }

    /// The entry (else another heading below the title) that `text` names, deterministically: its
    /// anchor exactly, or all of its title's significant words; else a text of two words or more all
    /// found in its title. The best match has the most words in common; a tie goes to the first.
    func entryNamed(_ text: String, among candidates: [(anchor: String, title: String)]) -> LinkTarget? {
        let slug = HeadingSlugger.slug(text)
        if let exact = candidates.first(where: { $0.anchor == slug }) { return LinkTarget(file: nil, anchor: exact.anchor) }
        let words = Set(Self.significantWords(text))
        guard !words.isEmpty else { return nil }
        var best: (score: Int, anchor: String)?
        for c in candidates {
            let title = Set(Self.significantWords(c.title))
            guard !title.isEmpty else { continue }
            let shared = title.intersection(words).count
            let score: Int
            if title.isSubset(of: words) {
                score = 1000 + shared
            } else if words.count >= 2, words.isSubset(of: title) {
                score = shared
            } else {
                continue
            }
            if score > (best?.score ?? 0) { best = (score, c.anchor) }
        }
        return best.map { LinkTarget(file: nil, anchor: $0.anchor) }
    }

    /// What a flowchart's node may name: the entries, then the other headings below the title.
    func entryNames() -> [(anchor: String, title: String)] {
        var candidates: [(anchor: String, title: String)] = entries.map { ($0.anchor, $0.title) }
        var seen = Set(candidates.map(\.anchor))
        var headingStack: [MarkdownBlock] = [document]
        while let block = headingStack.popLast() {
            headingStack.append(contentsOf: block.children.reversed())
            guard case .heading(let level, let inlines) = block.kind, level >= 2, let anchor = anchorByHeading[block.location],
                !Self.isTreeHeading(inlines.plainText), seen.insert(anchor).inserted
            else { continue }
            candidates.append((anchor, inlines.plainText.trimmingASCIISpaces()))
        }
        return candidates
    }
}
