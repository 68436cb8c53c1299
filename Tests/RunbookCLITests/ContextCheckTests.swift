import Foundation
import Testing

/// `runbook check` and the front matter's `context:`, with the real binary in the staging drills: the
/// probes run first, their answers are printed, put in the JSON, the JUnit properties and the journal,
/// and a context that does not match stops the check (exit 2) unless `--ignore-context`.
@Suite("check: where the commands would land")
struct ContextCheckTests {
    static let troubleshooting = StagingDrillTests.troubleshooting
    static let entry = "issue-4-cloud-sql-requires-ssl"
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-context-\(UUID().uuidString)").path
        for sub in ["tmp", "state", "bin"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try StagingDrillTests.layLocalTools(into: folder + "/bin")
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    var environment: [String: String] {
        ["TMPDIR": folder + "/tmp", "XDG_STATE_HOME": folder + "/state", "RUNBOOK_PATH": StagingDrillTests.runbooks, "PATH": folder + "/bin"]
    }

    func check(_ scenario: String, _ extra: [String] = []) throws -> ProgramRun {
        try ProgramRun.run(
            ["drill", scenario, "--", "runbook", "check", Self.troubleshooting, "--entry", Self.entry] + extra,
            environment: environment)
    }

    @Test("the staging context matches: both values printed, the checks run")
    func matching() throws {
        defer { cleanUp() }
        let run = try check("ssl-required")
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")  // issue 4's checks fail in this scenario
        #expect(run.stdout.contains("context: kube=gke_coditect-cloud-infra_us-central1_coditect-staging-cluster (matches)"), "\(run.stdout)")
        #expect(run.stdout.contains("context: project=coditect-cloud-infra (matches)"))
        #expect(!run.stdout.contains("nothing checked"))
    }

    @Test("the production context: exit 2, nothing checked, the mismatch spelled out")
    func wrongContext() throws {
        defer { cleanUp() }
        let run = try check("wrong-context")
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("context: kube=gke_coditect-cloud-prod_us-central1_coditect-production-cluster (does not match: expected *staging*)"), "\(run.stdout)")
        #expect(run.stdout.contains("context: project=coditect-cloud-prod (does not match: expected coditect-cloud-infra)"))
        #expect(run.stdout.contains("nothing checked"))
        #expect(!run.stdout.contains("PASS") && !run.stdout.contains("FAIL"))
    }

    @Test("--ignore-context runs the checks and still reports the mismatch")
    func ignored() throws {
        defer { cleanUp() }
        let run = try check("wrong-context", ["--ignore-context"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")  // the checks ran (and issue 4's fail)
        #expect(run.stdout.contains("does not match: expected *staging*"))
        #expect(run.stdout.contains("checked anyway (--ignore-context)"))
        #expect(run.stdout.contains("FAIL"))
    }

    @Test("JSON lists each context; JUnit carries them as properties; the journal and the report record them")
    func reports() throws {
        defer { cleanUp() }
        let json = try check("wrong-context", ["--format", "json"])
        #expect(json.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let context = try #require(object["context"] as? [[String: Any]])
        let kube = try #require(context.first { $0["name"] as? String == "kube" })
        #expect(kube["command"] as? String == "kubectl config current-context")
        #expect(kube["value"] as? String == "gke_coditect-cloud-prod_us-central1_coditect-production-cluster")
        #expect(kube["expect"] as? String == "*staging*")
        #expect(kube["matches"] as? Bool == false)
        #expect(object["context_refused"] as? Bool == true)

        let junit = try check("ssl-required", ["--format", "junit"])
        #expect(junit.stdout.contains("<property name=\"context.kube\" value=\"gke_coditect-cloud-infra_us-central1_coditect-staging-cluster\"/>"), "\(junit.stdout)")
        #expect(junit.stdout.contains("<property name=\"context.project.matches\" value=\"true\"/>"))

        let refused = try check("wrong-context", ["--format", "junit"])
        #expect(refused.stdout.contains("<failure message=\"kube=gke_coditect-cloud-prod"), "\(refused.stdout)")

        // The session of the first run: its journal has the context events, and the report shows them.
        let line = try #require(json.stderr.split(separator: "\n").first { $0.hasPrefix("session ") })
        let id = String(line.dropFirst("session ".count).prefix { $0 != ":" })
        let report = try ProgramRun.run(["report", id], environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Context: **project=coditect-cloud-prod (does not match: expected coditect-cloud-infra)**"), "\(report.stdout)")
        let reportJSON = try ProgramRun.run(["report", id, "--format", "json"], environment: environment)
        #expect(reportJSON.stdout.contains("\"matches\" : false"), "\(reportJSON.stdout)")
    }
}
