import Testing

@testable import RunbookKit

/// What `runbook check` may run: it never changes anything.
@Suite("the check policy")
struct CheckPolicyTests {
    static func runbook(version: Bool, step block: String) throws -> Runbook {
        let md = """
            ---
            \(version ? "version: 1.0.0" : "title: Unversioned")
            ---
            # Runbook

            ## Issue

            \(block)
            """
        return try RunbookLoader().load(bytes: Array(md.utf8), path: "policy.md")
    }

    struct Case: Sendable, CustomStringConvertible {
        var block: String
        var versioned = true
        /// nil: it runs; else a word the skip reason holds.
        var skipSays: String?
        var description: String { block.split(separator: "\n").dropFirst(2).first.map(String.init) ?? block }
    }

    static let cases: [Case] = [
        Case(block: "### Diagnosis\n\n```sh\nkubectl get pods -n web\n```", skipSays: nil),
        Case(block: "### Diagnosis\n\n```sh\nkubectl delete pod web-1\n```", skipSays: "`kubectl delete` changes"),
        Case(block: "### Diagnosis\n\n```sh\noc patch node n1 -p '{}'\n```", skipSays: "changes"),
        Case(block: "### Diagnosis\n\n```sh\noc debug node/n1\n```", skipSays: "changes"),
        Case(block: "### Diagnosis\n\n```sh\njournalctl -f -u kubelet\n```", skipSays: "never ends by itself"),
        Case(block: "### Diagnosis\n\n```sh\nping 10.0.0.1\n```", skipSays: "never ends by itself"),
        Case(block: "### Diagnosis\n\n```sh\nkubectl exec -it web-1 -- bash\n```", skipSays: "needs a terminal"),
        Case(block: "### Diagnosis\n\n```sh\nkubectl get pods > pods.txt\n```", skipSays: "changes"),
        Case(block: "### Verify\n\n```sh {confirm=true}\nkubectl get pods\n```", skipSays: "confirm=true"),
        Case(block: "### Fix\n\n```sh\nkubectl get pods\n```", skipSays: "a fix step"),
        Case(block: "### Diagnosis\n\n```sh\n./check-replication.sh\n```", versioned: true, skipSays: nil),
        Case(block: "### Diagnosis\n\n```sh\n./check-replication.sh\n```", versioned: false, skipSays: "declares no version"),
        Case(block: "### Diagnosis\n\n```sh {readonly=true}\noc patch deploy web --dry-run=server -p '{}'\n```", skipSays: nil),
        Case(block: "### Diagnosis\n\n```sh {interactive=true}\nread -r answer\n```", skipSays: "needs a terminal"),
        Case(block: "### Diagnosis\n\n```sh {skip=true}\nkubectl get pods\n```", skipSays: "marked skip"),
    ]

    @Test("each step runs headless, or is skipped with the reason", arguments: cases)
    func policy(_ c: Case) throws {
        let rb = try Self.runbook(version: c.versioned, step: c.block)
        let step = try #require(rb.entries.first?.steps.first)
        let why = CheckPolicy.skipReason(step, in: rb)
        if let expected = c.skipSays {
            #expect(why?.contains(expected) == true, "\(why ?? "runs")")
        } else {
            #expect(why == nil, "\(why ?? "")")
        }
    }
}
