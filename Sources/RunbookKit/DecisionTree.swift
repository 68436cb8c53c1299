/// The decision tree: questions and observations that lead from what you see to the right entry.
public struct DecisionTree: Sendable, Hashable {
    /// The heading of the tree's section (`Decision tree`).
    public var title: String
    public var location: SourceLocation
    public var roots: [TreeNode]
    /// What the tree was read from: declared under a tree heading, or inferred (see ``TreeSource``).
    public var source: TreeSource

    public init(title: String, location: SourceLocation, roots: [TreeNode], source: TreeSource = .declared) {
        self.title = title
        self.location = location
        self.roots = roots
        self.source = source
    }

    /// Every node, depth first, in document order.
    public var allNodes: [TreeNode] {
        var out: [TreeNode] = []
        var stack = Array(roots.reversed())
        while let node = stack.popLast() {
            out.append(node)
            stack.append(contentsOf: node.children.reversed())
        }
        return out
    }

    /// The probe steps of the tree, in document order.
    public var probes: [Step] { allNodes.compactMap(\.probe) }
}

/// Where a decision tree comes from. A declared tree always wins; the others are inferred only when a
/// runbook declares none (see DocumentReader+ProseTree and DocumentReader+MermaidTree).
public enum TreeSource: String, Sendable, Hashable {
    /// A nested list under a `Decision tree` or `Triage` heading.
    case declared
    /// A run of sibling `If …` / `When …` headings.
    case headings
    /// A list whose items start with `If …` / `When …` and lead somewhere.
    case list
    /// A Mermaid `graph` / `flowchart` whose nodes are questions with labelled answers.
    case mermaid
}

/// One item of the decision tree.
public struct TreeNode: Sendable, Hashable {
    /// The item's first line as plain text.
    public var label: String
    public var location: SourceLocation
    /// A read-only command whose output suggests one of the children.
    public var probe: Step?
    /// The texts, any of which in a line of the parent's probe output suggests this node.
    public var patterns: [String]
    /// The entry (or other runbook) this node leads to.
    public var target: LinkTarget?
    public var children: [TreeNode]

    public init(
        label: String, location: SourceLocation, probe: Step? = nil, patterns: [String] = [],
        target: LinkTarget? = nil, children: [TreeNode] = []
    ) {
        self.label = label
        self.location = location
        self.probe = probe
        self.patterns = patterns
        self.target = target
        self.children = children
    }

    /// Whether a line of probe output suggests this node.
    public func isSuggested(byLine line: Substring) -> Bool {
        patterns.contains { line.contains($0) }
    }
}
