/// Walks a decision tree by its probes, the way `runbook check --triage` does it headless.
///
/// It starts at the first top-level node that has a probe. At a node with a probe it runs it and follows
/// the first child with a pattern found in a line of the output. A node without a probe but with one
/// child leads to that child; with several, their patterns are matched against the last probe's
/// output. It stops at a node that links to an entry, or says why it could not go on.
public struct TriageWalk: Sendable {
    public var path: [TreeNode]
    public var target: LinkTarget?
    /// Why the walk stopped short of an entry.
    public var reason: String?
    /// Which line of which probe's output suggested each step of the path (parallel to `path`; nil for
    /// nodes reached without a match).
    public var evidence: [String?]

    /// `skipReason`: why a probe may not run here (``CheckPolicy`` for `runbook check`), or nil.
    public static func walk(
        _ tree: DecisionTree, skipReason: (Step) -> String? = { _ in nil }, runProbe: (Step) -> [String]?
    ) -> TriageWalk {
        var walk = TriageWalk(path: [], target: nil, reason: nil, evidence: [])
        let byHand = "choose its branches by hand in the TUI (`runbook FILE`, then t)"
        guard let start = tree.roots.first(where: { $0.probe != nil }) ?? (tree.roots.count == 1 ? tree.roots.first : nil)
        else {
            walk.reason = "no question of the tree has a probe to run: " + byHand
            return walk
        }
        var node = start
        walk.path.append(node)
        walk.evidence.append(nil)
        var lastOutput: [String]?
        for _ in 0..<256 {
            if let target = node.target {
                walk.target = target
                return walk
            }
            if let probe = node.probe {
                guard probe.isRunnable, !probe.handsOverTerminal else {
                    walk.reason = "the probe `\(probe.id)` cannot run headless"
                    return walk
                }
                if let why = skipReason(probe) {
                    walk.reason = "the probe `\(probe.id)` is not run here: \(why)"
                    return walk
                }
                guard let output = runProbe(probe) else {
                    walk.reason = "the probe `\(probe.id)` could not run"
                    return walk
                }
                lastOutput = output
            }
            if node.children.isEmpty {
                walk.reason = "the branch `\(node.label)` leads to no entry"
                return walk
            }
            if node.probe == nil && node.children.count == 1 {
                node = node.children[0]
                walk.path.append(node)
                walk.evidence.append(nil)
                continue
            }
            guard let output = lastOutput else {
                walk.reason = "`\(node.label)` has no probe: " + byHand
                return walk
            }
            guard let (child, line) = Self.suggest(node.children, output: output) else {
                walk.reason = "no branch of `\(node.label)` matches the probe's output"
                return walk
            }
            node = child
            walk.path.append(node)
            walk.evidence.append(line)
        }
        walk.reason = "the tree is too deep"
        return walk
    }

    /// The first child with a pattern in some line of `output`, and that line.
    public static func suggest(_ children: [TreeNode], output: [String]) -> (TreeNode, String)? {
        for child in children where !child.patterns.isEmpty {
            if let line = output.first(where: { child.isSuggested(byLine: Substring($0)) }) {
                return (child, line)
            }
        }
        return nil
    }
}
