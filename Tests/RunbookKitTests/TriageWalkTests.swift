import Testing
@testable import RunbookKit

@Suite("headless triage through the decision tree")
struct TriageWalkTests {
    let tree: DecisionTree

    init() throws {
        let md = """
            # T

            ## Decision tree

            - What state is the pod in?

              ```sh {name=status}
              status-probe
              ```

              - `ImagePullBackOff` or `ErrImagePull`: cannot pull
                - Which error?

                  ```sh {name=pull}
                  pull-probe
                  ```

                  - `no match for platform`: [Platform](#platform)
                  - `gcr.io/`: [GCR](#gcr)
              - `CrashLoopBackOff`: [Crash](#crash)
            - I only need a command: [Quick](#quick)

            ## Platform
            ## GCR
            ## Crash
            ## Quick
            """
        tree = try #require(try RunbookLoader().load(bytes: Array(md.utf8), path: "t.md").decisionTree)
    }

    @Test("probes lead through two questions to the entry, recording the lines that decided")
    func reachesEntry() {
        var ran: [String] = []
        let walk = TriageWalk.walk(tree) { probe in
            ran.append(probe.id)
            return probe.id == "status" ? ["web-1 ErrImagePull"] : ["Image: gcr.io/x", "Failed to pull"]
        }
        #expect(ran == ["status", "pull"])
        #expect(walk.target == LinkTarget(file: nil, anchor: "gcr"))
        #expect(walk.path.map(\.label) == ["What state is the pod in?", "ImagePullBackOff or ErrImagePull: cannot pull", "Which error?", "gcr.io/: GCR"])
        #expect(walk.evidence == [nil, "web-1 ErrImagePull", nil, "Image: gcr.io/x"])
        #expect(walk.reason == nil)
    }

    @Test("the first matching branch wins, in document order")
    func firstBranch() throws {
        let walk = TriageWalk.walk(tree) { $0.id == "status" ? ["a CrashLoopBackOff", "b ImagePullBackOff"] : [] }
        // ImagePullBackOff comes first in the tree, so it is taken even though its line comes second.
        #expect(walk.path.count >= 2)
        try #require(walk.path.count > 1)
        #expect(walk.path[1].patterns == ["ImagePullBackOff", "ErrImagePull"])
    }

    @Test("no matching branch, or a probe that cannot run, stops with a reason")
    func stops() {
        let none = TriageWalk.walk(tree) { _ in ["all good"] }
        #expect(none.target == nil)
        #expect(none.reason == "no branch of `What state is the pod in?` matches the probe's output")
        let failed = TriageWalk.walk(tree) { _ in nil }
        #expect(failed.reason == "the probe `status` could not run")
    }
}
