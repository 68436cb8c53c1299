import Foundation
import RunbookTestSupport
import Testing

/// `runbook check` with undeclared variables (issue 11, item 5): a step that needs one without a
/// value is skipped with "needs $VAR", never run empty; `--dry-run --format json` lists it as missing.
@Suite("check: undeclared variables")
struct UndeclaredVariableCLITests {
    static let fixture = PackageRoot.path + "/Tests/Fixtures/variables/undeclared.md"

    func steps(_ run: ProgramRun) throws -> [String: [String: Any]] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let steps = try #require(json["steps"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: steps.map { ($0["id"] as? String ?? "", $0) })
    }

    @Test("--dry-run --format json: the undeclared variable is missing and its step would not run; the rest ask for nothing")
    func dryRun() throws {
        let run = try ProgramRun.run(["check", Self.fixture, "--dry-run", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let byId = try steps(run)
        let undeclared = try #require(byId["uses-undeclared"])
        #expect(undeclared["missing"] as? [String] == ["APP_LABEL"])
        #expect(undeclared["would_run"] as? Bool == false)
        #expect((undeclared["reason"] as? String)?.hasPrefix("needs $APP_LABEL") == true)
        for id in ["not-asked", "assigns-itself", "assigns-cluster", "uses-cluster"] {
            #expect(byId[id]?["missing"] as? [String] == [], "\(id)")
        }
        #expect(byId["spaced-placeholder"]?["missing"] as? [String] == ["ALERT_NAME"])
    }

    @Test("given in the environment or with --set, the step runs with it")
    func given() throws {
        let env = try ProgramRun.run(["check", Self.fixture, "--dry-run", "--format", "json"], environment: ["APP_LABEL": "x"])
        #expect(try steps(env)["uses-undeclared"]?["would_run"] as? Bool == true)
        let set = try ProgramRun.run(["check", Self.fixture, "--entry", "undeclared-variable", "--set", "APP_LABEL=prometheus", "--format", "json"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("app=prometheus") || set.stdout.contains("\"passed\""), "\(set.stdout)")
    }

    @Test("a check skips the step that needs an unset undeclared variable, with the reason, and exits 0")
    func skipped() throws {
        let run = try ProgramRun.run(["check", Self.fixture, "--entry", "undeclared-variable", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let cases = ((report["suites"] as? [[String: Any]]) ?? []).flatMap { ($0["cases"] as? [[String: Any]]) ?? [] }
        let step = try #require(cases.first { $0["id"] as? String == "uses-undeclared" })
        #expect(step["outcome"] as? String == "skipped")
        #expect((step["reason"] as? String)?.hasPrefix("needs $APP_LABEL") == true)
    }
}
