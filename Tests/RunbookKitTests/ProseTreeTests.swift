import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Decision trees written for people: `If …` headings, lists of `If …` items, Mermaid flowcharts.
@Suite("trees from prose and diagrams")
struct ProseTreeTests {
    static func fixture(_ name: String) throws -> Runbook {
        let path = PackageRoot.path + "/Tests/Fixtures/trees/\(name).md"
        return try RunbookLoader().load(path: path)
    }

    static func load(_ md: String, path: String = "t.md") throws -> Runbook {
        try RunbookLoader().load(bytes: Array(md.utf8), path: path)
    }

    // MARK: - Headings

    @Test("an alert runbook's sibling If/When headings become one question with a branch per heading")
    func ifHeadings() throws {
        let rb = try Self.fixture("alert-if-headings")
        let tree = try #require(rb.decisionTree)
        #expect(tree.source == .headings)
        #expect(tree.roots.count == 1)
        let question = try #require(tree.roots.first)
        // The paragraph just before the run asks the question.
        #expect(question.label == "What the pod's state says decides what to do.")
        #expect(question.children.map(\.label) == ["the pod is Pending", "the leader is missing", "the disk is full"])
        #expect(question.children.map { $0.target?.description } == [
            "#if-the-pod-is-pending", "#if-the-leader-is-missing", "#when-the-disk-is-full",
        ])
        #expect(question.children.allSatisfy { $0.probe == nil && $0.children.isEmpty })
        // The steps stay where they were: in the one entry.
        #expect(rb.entries.count == 1)
        #expect(rb.entries.first?.steps.count == 4)
    }

    @Test("without a paragraph before the run, the parent heading is the question; one If alone is prose")
    func headingQuestionAndSingleIf() throws {
        let md = """
            # Runbook
            ## Diagnosis
            ### If the queue is stuck
            Restart it.
            ### If the queue is empty
            Nothing to do.
            ## Mitigation
            ### If the host is down
            Reboot it.
            """
        let tree = try #require(try Self.load(md).decisionTree)
        #expect(tree.roots.map(\.label) == ["Diagnosis"])
        #expect(tree.roots.first?.children.map(\.label) == ["the queue is stuck", "the queue is empty"])

        let single = """
            # Runbook
            ## Diagnosis
            ### If the queue is stuck
            Restart it.
            ### Other checks
            Look around.
            ### If the queue is empty
            Nothing to do.
            """
        #expect(try Self.load(single).decisionTree == nil, "the If headings are not siblings in one run")
    }

    @Test("an If heading with nothing under it leads nowhere and is no branch")
    func emptyHeadings() throws {
        let md = """
            # Runbook
            ## If the queue is stuck
            ## If the queue is empty
            """
        #expect(try Self.load(md).decisionTree == nil)
    }

    // MARK: - Lists

    @Test("a list of If items linking to anchors becomes a question; Otherwise is a branch too")
    func ifList() throws {
        let rb = try Self.fixture("if-list-anchors")
        let tree = try #require(rb.decisionTree)
        #expect(tree.source == .list)
        let question = try #require(tree.roots.first)
        #expect(question.label == "Look at the node's state in the dashboard first.")
        #expect(question.children.map(\.label) == ["the node is unreachable", "memory is above 90%", "replication lags", "Otherwise"])
        #expect(question.children.map { $0.target?.description } == [
            "#node-unreachable", "#evict-the-cache", "#restart-the-replica", "#overview",
        ])
        // Entries read as before.
        #expect(rb.entries.map(\.id) == ["where-to-start", "node-unreachable", "evict-the-cache", "restart-the-replica", "overview"])
    }

    @Test("If items that lead to a nested block lead to the heading above the list; items that lead nowhere are prose")
    func ifListNested() throws {
        let md = """
            # R
            ## Recover the queue
            - If the queue is stuck:
              ```sh
              queue restart
              ```
            - If the queue is empty
              - wait for traffic
            """
        let tree = try #require(try Self.load(md).decisionTree)
        #expect(tree.roots.first?.label == "Recover the queue")
        #expect(tree.roots.first?.children.map { $0.target?.description } == ["#recover-the-queue", "#recover-the-queue"])

        let prose = """
            # R
            ## Notes
            - If the queue is stuck, restart it.
            - If the queue is empty, wait.
            """
        #expect(try Self.load(prose).decisionTree == nil, "sentences that lead to no step or link are prose")
    }

    // MARK: - Declared trees win

    @Test("a declared tree keeps its place: If headings and flowcharts are not read then")
    func declaredWins() throws {
        let md = """
            # R
            ## Decision tree
            - Is it up?
              - Yes: [Up](#up)
              - No: [Down](#down)
            ## Up
            ### If the page is slow
            Look.
            ### If the page is blank
            Look again.
            ## Down
            ```mermaid
            graph TD
              A{Down?} -->|x| B
              A -->|y| C
            ```
            """
        let tree = try #require(try Self.load(md).decisionTree)
        #expect(tree.source == .declared)
        #expect(tree.roots.map(\.label) == ["Is it up?"])
    }

    // MARK: - Mermaid

    @Test("a GitLab-style flowchart: questions with labelled answers, leaves linked to entries by click or by name")
    func mermaidTree() throws {
        let rb = try Self.fixture("gitlab-mermaid")
        #expect(rb.diagnostics.filter { $0.severity != .note }.isEmpty, "\(rb.diagnostics)")
        let tree = try #require(rb.decisionTree)
        #expect(tree.source == .mermaid)
        let root = try #require(tree.roots.first)
        // The opening `Alert fires -->` is passed: the tree starts at the first question.
        #expect(root.label == "Are the Sidekiq pods running?")
        #expect(root.children.map(\.label) == ["No", "Yes"])
        let no = try #require(root.children.first?.children.first)
        #expect(no.label == "Pods crash looping")
        #expect(no.target?.description == "#pods-crash-looping")
        let growing = try #require(root.children.last?.children.first)
        #expect(growing.label == "Is the queue growing?")
        #expect(growing.children.map(\.label) == ["Yes", "No"])
        let dominant = try #require(growing.children.first?.children.first)
        #expect(dominant.label == "Is one job class dominant?")
        let leaves = dominant.children.compactMap(\.children.first)
        #expect(leaves.map(\.label) == ["Throttle the job class", "Scale the workers"])
        // A click link wins; a name matches the entry's title words.
        #expect(leaves.map { $0.target?.description } == ["#throttle-a-job-class", "#scale-the-workers"])
        // The stale branch passes through `Alert is stale` to the entry it leads to.
        let stale = try #require(growing.children.last?.children.first)
        #expect(stale.children.first?.target?.description == "#silence-the-alert")
        // The block stays a code block, and no step.
        #expect(rb.allSteps.allSatisfy { $0.language != "mermaid" })
    }

    @Test("a cycle ends as a leaf; the walk over a tree without probes says to choose by hand")
    func mermaidCycle() throws {
        let md = """
            # R
            ```mermaid
            flowchart LR
              A{Retry?} -->|yes| B[Try again] --> A
              A -->|no| C[Give up]
            ```
            """
        let tree = try #require(try Self.load(md).decisionTree)
        let root = try #require(tree.roots.first)
        let again = try #require(root.children.first?.children.first)
        #expect(again.label == "Try again")
        #expect(again.children.map(\.label) == ["Retry?"])
        #expect(again.children.first?.children.isEmpty == true)
        let walk = TriageWalk.walk(tree) { _ in [] }
        #expect(walk.target == nil)
        #expect(walk.reason == "`Retry?` has no probe: choose its branches by hand in the TUI (`runbook FILE`, then t)")
    }

    @Test("a node holding one command in backticks, whose answers start with code, is a probe the walk runs")
    func mermaidProbe() throws {
        let md = """
            # R
            ```mermaid
            graph TD
              P["`kubectl get pods -n app`"] -->|`Pending`| Q[Pending pods]
              P -->|`CrashLoopBackOff` or `Error`| R[Crashing pods]
            ```
            ## Pending pods
            Text.
            ## Crashing pods
            Text.
            """
        let rb = try Self.load(md)
        let tree = try #require(rb.decisionTree)
        let root = try #require(tree.roots.first)
        let probe = try #require(root.probe)
        #expect(probe.command == "kubectl get pods -n app")
        #expect(probe.role == .probe)
        #expect(root.children.map(\.patterns) == [["Pending"], ["CrashLoopBackOff", "Error"]])
        let walk = TriageWalk.walk(tree) { _ in ["web-1 0/1 CrashLoopBackOff"] }
        #expect(walk.target?.description == "#crashing-pods")
        #expect(walk.evidence.contains("web-1 0/1 CrashLoopBackOff"))
    }

    @Test("a malformed statement is a warning at its file line; the rest of the chart is read")
    func mermaidMalformed() throws {
        let md = """
            # R
            ```mermaid
            graph TD
              A{Up?} -->|yes| B[Fine]
              A -->|no| C[Down
              A -->|maybe| D[Unsure]
            ```
            """
        let rb = try Self.load(md)
        let warning = try #require(rb.diagnostics.first { $0.message.contains("Mermaid") })
        #expect(warning.location.line == 5)
        #expect(warning.severity == .warning)
        let tree = try #require(rb.decisionTree)
        #expect(tree.roots.first?.children.map(\.label) == ["yes", "maybe"])
    }

    @Test("a chart whose paths rejoin unfolds to a bounded tree")
    func mermaidBounded() throws {
        // Ten layers of five nodes, each linked to every node of the next: 5^10 paths.
        var lines = ["graph TD", "  Q{Start?} -->|a| N0_0", "  Q -->|b| N0_1"]
        for layer in 0..<10 {
            for i in 0..<5 {
                for j in 0..<5 { lines.append("  N\(layer)_\(i) --> N\(layer + 1)_\(j)") }
            }
        }
        let md = "# R\n```mermaid\n" + lines.joined(separator: "\n") + "\n```\n"
        let tree = try #require(try Self.load(md).decisionTree)
        let labels = tree.allNodes.filter { !["a", "b"].contains($0.label) }
        #expect(labels.count <= 500)
        #expect(labels.count > 100)
    }

    @Test("other diagrams, and flowcharts without a question, make no tree")
    func mermaidNoTree() throws {
        let md = """
            # R
            ```mermaid
            sequenceDiagram
              A->>B: hi
            ```
            ```mermaid
            graph LR
              A --> B --> C
            ```
            """
        let rb = try Self.load(md)
        #expect(rb.decisionTree == nil)
        #expect(rb.diagnostics.isEmpty)
    }

    @Test("the flowchart reader: shapes, quotes, edges of every kind, chains, &, click, comments")
    func flowchartSyntax() throws {
        let text = """
            %%{init: {"theme": "dark"}}%%
            flowchart RL
              A[box] --- B(round) ; B -.-> C([stadium])
              C ==> D((circle)) & E>flag]
              F{{hex}} -- a label --> G["quoted [text]"]
              H{decision} -->|"yes"| I & J
              K:::warn --x L
              direction TB
              linkStyle 0 stroke:#f00
              click I "other.md#x" "tooltip"
              click J call callback()
            """
        let chart = try #require(MermaidFlowchart(parsing: text, firstLine: 10))
        #expect(chart.problems.isEmpty, "\(chart.problems)")
        #expect(chart.nodes.map(\.id) == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"])
        #expect(chart.nodes.map(\.text).prefix(8) == ["box", "round", "stadium", "circle", "flag", "hex", "quoted [text]", "decision"])
        #expect(chart.node("F")?.shape == .hexagon)
        #expect(chart.node("H")?.shape == .diamond)
        #expect(chart.edges.map { "\($0.from)>\($0.to)" } == ["A>B", "B>C", "C>D", "C>E", "F>G", "H>I", "H>J", "K>L"])
        #expect(chart.outgoing("F").first?.label == "a label")
        #expect(chart.outgoing("H").map(\.label) == ["yes", "yes"])
        #expect(chart.links == ["I": "other.md#x"])
        #expect(chart.node("A")?.line == 12)
    }

    // MARK: - The corpus

    /// The prometheus-operator runbooks were written for people: every one still loads without an
    /// error, and the trees now read from them are counted (their prose branches in paragraphs, which
    /// stay prose: none has two sibling `If …` headings, a list of `If …` items that lead somewhere, or
    /// a flowchart).
    @Test(
        .enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func corpusTrees() throws {
        let content = try CorpusFolder.prometheusOperator.folder().content
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: content)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".md") { files.append(content + "/" + relative) }
        }
        #expect(files.count >= 100)
        var withTree: [String: [String]] = [:]
        for file in files.sorted() {
            let rb = try RunbookLoader().load(path: file)
            let errors = rb.diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(file): \(errors)")
            if let tree = rb.decisionTree {
                withTree[tree.source.rawValue, default: []].append(file)
                #expect(tree.roots.allSatisfy { $0.children.count >= 2 }, "\(file)")
            }
        }
        let count = withTree.values.reduce(0) { $0 + $1.count }
        print("corpus: \(files.count) files, \(count) with a tree: \(withTree)")
        #expect(withTree["declared"] == nil)
        #expect(count == 0, "\(withTree)")
    }
}
