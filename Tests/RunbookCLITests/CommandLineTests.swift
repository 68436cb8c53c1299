import Foundation
import RunbookTestSupport
import Testing

/// The real `runbook` binary: list, show and lint on real files, their output and exit codes.
@Suite("runbook command line")
struct CommandLineTests {
    let repo = ProgramRun.repository
    var runbooks: String { repo + "/runbooks" }

    /// Made for each test, removed after it.
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-cli")
    }

    /// An empty folder of this test's own.
    func temporaryFolder() throws -> String {
        let dir = temporary.path + "/" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return dir
    }

    @Test("lint runbooks/ exits 0 with no errors")
    func lintStagingRunbooks() throws {
        let run = try ProgramRun.run(["lint", runbooks])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(!run.stdout.contains(": error: "))
        #expect(run.stderr.contains("3 files checked: 0 errors"))
    }

    @Test("lint exits 1 on an error and prints file:line:col: severity: message")
    func lintFailsOnError() throws {
        let dir = try temporaryFolder()
        let file = dir + "/bad.md"
        try "---\nversion: 1.0\n---\n# Bad\n\nSee [x](#nowhere).\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(["lint", file])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(file):2:10: error: version `1.0` is not a semantic version: write MAJOR.MINOR.PATCH, such as `1.0.0`"))
        #expect(lines.contains("\(file):6:1: error: link `#nowhere` names no heading in this file"))
        let json = try ProgramRun.run(["lint", file, "--json"])
        #expect(json.status == 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect(parsed?.first?["severity"] as? String == "error")
        #expect(parsed?.first?["line"] as? Int == 2)
        #expect(parsed?.first?["column"] as? Int == 10)
    }

    @Test("lint reports a binary file as an error instead of crashing")
    func lintBinaryFile() throws {
        let dir = try temporaryFolder()
        let file = dir + "/binary.md"
        FileManager.default.createFile(atPath: file, contents: Data([0x23, 0x20, 0x41, 0x0A, 0x00, 0xFF]))
        let run = try ProgramRun.run(["lint", file])
        #expect(run.status == 1)
        #expect(run.stdout.contains("\(file):2:1: error: file is binary"))
    }

    @Test("list shows every runbook with id, version, dates and the overdue flag")
    func listStagingRunbooks() throws {
        let run = try ProgramRun.run(["list", runbooks, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? String } == ["gke-staging-onboarding", "gke-staging-pre-deploy", "gke-staging-troubleshooting"])
        for row in rows {
            #expect(Set(row.keys) == ["id", "title", "version", "updated", "review_by", "overdue", "path"])
            // Minor versions bumped for BACKEND_REPO (troubleshooting, pre-deploy) and the verdict rule
            // (troubleshooting, onboarding); 2.0.0 for the checks proven on real output (2026-12-06).
            let versions = [
                // Patch releases for the context: each declares its cluster and project.
                "gke-staging-onboarding": ("1.1.1", "2025-12-01", "2026-01-01"),
                "gke-staging-pre-deploy": ("2.0.1", "2026-12-06", "2027-06-06"),
                "gke-staging-troubleshooting": ("2.0.1", "2026-12-06", "2027-06-06"),
            ]
            let expected = versions[row["id"] as? String ?? ""]
            #expect(row["version"] as? String == expected?.0)
            #expect(row["updated"] as? String == expected?.1)
            #expect(row["review_by"] as? String == expected?.2)
        }
        let text = try ProgramRun.run(["list", runbooks])
        #expect(text.stdout.hasPrefix("ID "))
        #expect(text.stdout.contains("gke-staging-troubleshooting"))
    }

    @Test("list with no path reads $RUNBOOK_PATH")
    func listDefaultPath() throws {
        let run = try ProgramRun.run(["list", "--json"], environment: ["RUNBOOK_PATH": runbooks])
        #expect(run.status == 0)
        #expect(run.stdout.contains("\"gke-staging-pre-deploy\""))
        let missing = try ProgramRun.run(["list"], environment: ["RUNBOOK_PATH": "/nonexistent-runbooks"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent-runbooks:1:1: error: no such file or folder"))
    }

    @Test("show --json has the stable keys and seven entries all reached by the tree")
    func showTroubleshootingJSON() throws {
        let run = try ProgramRun.run(["show", runbooks + "/gke-staging-troubleshooting.md", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        for key in ["id", "title", "version", "updated", "review_by", "path", "sha256", "variables", "entries", "decision_tree", "checklists"] {
            #expect(root[key] != nil, "missing key \(key)")
        }
        let entries = try #require(root["entries"] as? [[String: Any]])
        let issues = entries.filter { ($0["title"] as? String)?.hasPrefix("Issue ") == true }
        #expect(issues.count == 7)
        for entry in entries {
            #expect(Set(["id", "title", "anchor", "line", "sections", "steps"]).isSubset(of: entry.keys))
        }
        let step = try #require((issues.first?["steps"] as? [[String: Any]])?.first)
        #expect(Set(["id", "role", "language", "command", "line", "attributes", "example_output", "indicators"]).isSubset(of: step.keys))
        #expect(["fix", "verify", "diagnose", "probe", "walkthrough"].contains(step["role"] as? String ?? ""))

        // Every target in the tree, collected recursively.
        var targets = Set<String>()
        var stack = try #require(root["decision_tree"] as? [[String: Any]])
        while let node = stack.popLast() {
            #expect(Set(["label", "line", "probe", "pattern", "target", "children"]).isSubset(of: node.keys))
            if let t = node["target"] as? String { targets.insert(t) }
            stack += node["children"] as? [[String: Any]] ?? []
        }
        for issue in issues {
            #expect(targets.contains("#" + (issue["anchor"] as? String ?? "")), "\(issue["title"] ?? "") is not reached")
        }
        let sha = try #require(root["sha256"] as? String)
        #expect(sha.count == 64)
    }

    @Test("show prints an outline, and a clear error for a missing file")
    func showText() throws {
        let run = try ProgramRun.run(["show", runbooks + "/gke-staging-pre-deploy.md"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Checklist: "))
        let missing = try ProgramRun.run(["show", "/no/such/runbook.md"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("/no/such/runbook.md:1:1: error: cannot read file"))
    }

    @Test("control characters in a runbook never reach the terminal")
    func outputIsSanitized() throws {
        let dir = try temporaryFolder()
        let file = dir + "/hostile.md"
        try "---\ntitle: \"evil \\e]0;pwned\\a title\"\nversion: 1.0.0\n---\n# x\n".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(["list", file])
        #expect(run.status == 0)
        #expect(!run.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(run.stdout.contains("evil \u{FFFD}]0;pwned\u{FFFD} title"))
    }
}
