import RunbookTestSupport
import Testing
@testable import RunbookKit

/// `runbook lint --compat` counts (issue 11, item 8): how foreign runbooks were read.
@Suite("compatibility report")
struct CompatibilityReportTests {
    static let folder = PackageRoot.path + "/Tests/Fixtures/compat"

    func report() throws -> CompatibilityReport {
        var report = CompatibilityReport()
        for name in ["clean.md", "foreign.md"] { report.add(try RunbookLoader().load(path: Self.folder + "/" + name)) }
        report.add(failed: "gone.md", reason: "cannot read gone.md")
        return report
    }

    @Test("files, entries, steps by role and safety, shown-only kinds, remote steps and prompts are counted")
    func counts() throws {
        let r = try report()
        #expect(r.files == 3)
        #expect(r.failed.map(\.path) == ["gone.md"])
        #expect(r.steps == 8)
        #expect(r.entries == 2)
        #expect(r.byRole == [.fix: 3, .verify: 2, .diagnose: 3])
        #expect(r.bySafety == [.readOnly: 4, .unknown: 2, .interactive: 1, .changes: 1])
        #expect(r.runnable == 5)
        #expect(r.typedInto == ["psql": 1])
        #expect(r.byRole.values.reduce(0, +) == r.steps)
        #expect(r.bySafety.values.reduce(0, +) == r.steps)
        #expect(r.runnable + r.shownOnly.values.reduce(0, +) == r.steps)
        #expect(r.shownOnly[.notACommand] == 1)
        #expect(r.shownOnly[.remote] == 2, "chroot and the psql line after `oc debug node` are typed there")
        #expect(r.remoteSteps == 2)
        #expect(r.shellOpeners == 1)
        #expect(r.stepsWithPrompts == 2)
        #expect(r.promptLines == 2)
        #expect(r.trees == 0)
    }

    @Test("variables asked for: placeholders and undeclared names, per file")
    func variables() throws {
        let r = try report()
        #expect(r.variablesAsked == ["NAMESPACE": 1, "NODE_NAME": 1])
        #expect(r.placeholders == 1)
        #expect(r.undeclared == 1)
    }

    @Test("only the foreign file needs annotations, with why")
    func annotations() throws {
        let r = try report()
        let note = try #require(r.needsAnnotations.first)
        #expect(r.needsAnnotations.count == 1)
        #expect(note.path.hasSuffix("foreign.md"))
        #expect(note.reasons.contains { $0.hasPrefix("1 step not run: \"not a command\"") })
        #expect(note.reasons.contains { $0.contains("classed unknown") })
        #expect(note.reasons.contains { $0.hasPrefix("asks for undeclared $NAMESPACE") })
        #expect(r.text.contains("Files that need annotations (1 of 3):"))
        #expect(r.text.contains("Files that did not load (1):"))
    }
}
