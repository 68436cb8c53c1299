extension DocumentReader {
    // MARK: - Trees written for people

    /// When the runbook declares no tree, the one its author drew or wrote: a Mermaid flowchart of
    /// questions, else runs of `If …` headings, else lists of `If …` items. Each is built only when the
    /// text is clearly a tree (two branches at least); one `If` alone is prose.
    mutating func inferTree() {
        let charts = mermaidCharts()
        guard tree == nil else { return }
        if let t = mermaidTree(charts) {
            tree = t
        } else if let t = headingsTree() {
            tree = t
        } else if let t = listTree() {
            tree = t
        }
    }

    /// `If the pod is Pending` → `the pod is Pending`; `When X, do Y` → `X`; `Otherwise …` → `Otherwise`.
    /// Nil when the text does not start with `If` or `When` (or `Otherwise`, when `otherwise` is true).
    static func condition(_ text: String, otherwise: Bool = false) -> String? {
        let t = text.trimmingASCIISpaces()
        let lower = t.lowercased()
        if otherwise, lower.hasPrefix("otherwise") || lower.hasPrefix("else") { return "Otherwise" }
        guard let word = ["if ", "when "].first(where: { lower.hasPrefix($0) }) else { return nil }
        var rest = Substring(t.dropFirst(word.count)).drop { $0 == " " }
        for cut in [", ", ": ", " — ", " - ", " then "] {
            if let r = rest.range(of: cut) { rest = rest[..<r.lowerBound] }
        }
        while let last = rest.last, ".:,?!;".contains(last) { rest.removeLast() }
        let condition = rest.trimmingASCIISpaces()
        return condition.isEmpty ? nil : condition
    }

    /// The runbook's title, for a question with nothing better above it.
    var fallbackQuestion: String { frontMatter.title ?? firstH1?.text ?? fileStem }

    // MARK: - Headings

    /// Runs of two or more sibling `If …` / `When …` headings, each with something under it: one
    /// question per run (the paragraph just before the run, else the parent heading), one branch per
    /// heading, leading to the heading's anchor.
    func headingsTree() -> DecisionTree? {
        let blocks = document.children
        var headings: [(index: Int, level: Int, text: String)] = []
        for (i, block) in blocks.enumerated() {
            if case .heading(let level, let inlines) = block.kind {
                headings.append((i, level, inlines.plainText.trimmingASCIISpaces()))
            }
        }
        var roots: [TreeNode] = []
        var h = 0
        while h < headings.count {
            let first = headings[h]
            guard Self.condition(first.text) != nil else {
                h += 1
                continue
            }
            // The run: siblings at this level (deeper headings between them belong to the branches).
            var run: [Int] = []
            var k = h
            while k < headings.count {
                let next = headings[k]
                if next.level < first.level { break }
                if next.level == first.level {
                    guard Self.condition(next.text) != nil else { break }
                    run.append(k)
                }
                k += 1
            }
            h = max(k, h + 1)
            var branches: [TreeNode] = []
            for r in run {
                let heading = headings[r]
                let end = headings.dropFirst(r + 1).first { $0.level <= heading.level }?.index ?? blocks.count
                // It leads to something: steps, text or sub-headings under it.
                guard end > heading.index + 1, let condition = Self.condition(heading.text) else { continue }
                let block = blocks[heading.index]
                let anchor = anchorByHeading[block.location] ?? HeadingSlugger.slug(heading.text)
                branches.append(
                    TreeNode(label: condition, location: block.location, target: LinkTarget(file: nil, anchor: anchor)))
            }
            guard branches.count >= 2, let firstIndex = run.first else { continue }
            let start = headings[firstIndex].index
            let parent = headings[..<firstIndex].last { $0.level < first.level }
            var question = parent?.text ?? fallbackQuestion
            if start > 0, case .paragraph(let inlines) = blocks[start - 1].kind, (parent?.index ?? -1) < start - 1 {
                question = inlines.plainText.trimmingASCIISpaces()
            }
            let location = parent.map { blocks[$0.index].location } ?? blocks[start].location
            roots.append(TreeNode(label: question, location: location, children: branches))
        }
        guard let top = roots.first else { return nil }
        return DecisionTree(title: "Decision tree (from the If headings)", location: top.location, roots: roots, source: .headings)
    }

    // MARK: - Lists

    /// Lists with two or more items that start with `If …` / `When …` and lead somewhere (a link to an
    /// entry or heading, a nested list or block). One question per list: the paragraph just before it,
    /// else the heading above it. A branch leads to its item's link, else to the heading above the list.
    func listTree() -> DecisionTree? {
        var roots: [TreeNode] = []
        var heading: (text: String, anchor: String)?
        // Lists in document order, inside block quotes and list items too, each with the block before it.
        func visit(_ blocks: [MarkdownBlock]) {
            var before: MarkdownBlock?
            for block in blocks {
                defer { before = block }
                if case .heading(_, let inlines) = block.kind {
                    let text = inlines.plainText.trimmingASCIISpaces()
                    heading = (text, anchorByHeading[block.location] ?? HeadingSlugger.slug(text))
                } else if isList(block), let node = listQuestion(block, before: before, heading: heading) {
                    roots.append(node)
                } else {
                    visit(block.children)
                }
            }
        }
        visit(document.children)
        guard let top = roots.first else { return nil }
        return DecisionTree(title: "Decision tree (from the If lists)", location: top.location, roots: roots, source: .list)
    }

    private func isList(_ block: MarkdownBlock) -> Bool {
        if case .list = block.kind { return true }
        return false
    }

    /// The question a list of `If …` items asks, or nil when it is not such a list.
    private func listQuestion(_ list: MarkdownBlock, before: MarkdownBlock?, heading: (text: String, anchor: String)?) -> TreeNode? {
        var branches: [TreeNode] = []
        var conditions = 0
        for item in list.children {
            guard case .item(task: nil) = item.kind, case .paragraph(let inlines)? = item.children.first?.kind else { continue }
            let text = inlines.plainText
            let isCondition = Self.condition(text) != nil
            guard let label = Self.condition(text, otherwise: conditions >= 1) else { continue }
            let link = inlines.links.lazy.compactMap { LinkTarget($0.destination) }.first
            // It leads somewhere: a link, or a block after its first paragraph.
            guard link != nil || item.children.count > 1 else { continue }
            if isCondition { conditions += 1 }
            let target = link ?? heading.map { LinkTarget(file: nil, anchor: $0.anchor) }
            branches.append(TreeNode(label: label, location: item.location, target: target))
        }
        guard conditions >= 2 else { return nil }
        var question = heading?.text ?? fallbackQuestion
        if let before, case .paragraph(let inlines) = before.kind { question = inlines.plainText.trimmingASCIISpaces() }
        return TreeNode(label: question, location: before?.location ?? list.location, children: branches)
    }
}
