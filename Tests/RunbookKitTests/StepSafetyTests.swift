import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// Safety on loaded steps: `readonly=true`, lint, `show --json`, the staging runbooks and a real corpus.
@Suite("step safety")
struct StepSafetyTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    func load(_ md: String) throws -> Runbook { try RunbookLoader().load(bytes: Array(md.utf8), path: "spec.md") }

    func lint(_ r: Runbook) -> [Diagnostic] {
        RunbookLinter(today: CalendarDate(year: 2025, month: 6, day: 1)!).lint(r) { _ in nil }
    }

    static let vouched = """
        ---
        version: 1.0.0
        ---
        # Runbook
        ## Issue: stuck
        ### Diagnosis
        ```sh {readonly=true}
        oc patch deploy web --dry-run=server -p '{}'
        ```
        ```sh {readonly=true}
        kubectl get pods
        ```
        ```sh
        kubectl delete pod web-0
        ```
        ```sh {confirm=true}
        kubectl get pods
        ```
        ### Fix
        ```sh {confirm=true}
        kubectl delete pod web-0
        ```
        """

    @Test("readonly=true makes the step read-only and keeps the table's class and reason")
    func vouchedStep() throws {
        let steps = try load(Self.vouched).allSteps
        #expect(steps.count == 5)
        try #require(steps.count > 4)
        #expect(steps[0].attributes.readonly)
        #expect(steps[0].safety.safety == .readOnly)
        #expect(steps[0].safety.reason == "vouched read-only by the author (readonly=true)")
        #expect(steps[0].safety.vouchedOver == .changes)
        #expect(steps[0].safety.vouchedOverReason == "`oc patch` changes cluster objects")
        #expect(steps[2].safety.safety == .changes && steps[2].safety.vouchedOver == nil)
        #expect(steps[4].safety.safety == .changes)
    }

    @Test("readonly takes true or false; anything else is an error at its column")
    func readonlyAttributeErrors() throws {
        let r = try load("# T\n\n```sh {readonly=maybe}\nls\n```\n")
        let errors = r.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.message) == ["`readonly=maybe` must be true or false"])
        #expect(errors.first?.location == SourceLocation(line: 3, column: 8))
        #expect(r.allSteps.first?.attributes.readonly == false)
        #expect(StepAttributes.known.contains("readonly"))
    }

    @Test("interactive=true also asks for the terminal hand-over")
    func interactiveAttribute() throws {
        let step = try #require(try load("# T\n\n```sh {interactive}\nkubectl get pods\n```\n").allSteps.first)
        #expect(step.safety.needsTerminal && step.safety.safety == .readOnly)
    }

    @Test("lint warns about checks that change or ask for confirmation, and notes vouched steps")
    func lintRules() throws {
        let findings = lint(try load(Self.vouched)).filter { $0.message.contains("step `") }
        #expect(
            findings.map { "\($0.location.line) \($0.severity) \($0.message)" } == [
                "7 note step `issue-stuck-1`: the table says changes: `oc patch` changes cluster objects; the author vouches it is read-only",
                "10 note step `issue-stuck-2`: the table agrees it is read-only: `kubectl get` only reads cluster objects; the author vouches it is read-only",
                "13 warning diagnose step `issue-stuck-3` changes something (`kubectl delete` changes cluster objects): move it to a Fix section, or add {readonly=true} if the table is wrong",
                "16 warning diagnose step `issue-stuck-4` has confirm=true: a step that must be confirmed belongs in a Fix section",
            ])
    }

    @Test("show --json gives every step safety and safety_reason, and the readonly attribute")
    func json() throws {
        let text = try RunbookJSON.encode(try load(Self.vouched))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entries = try #require(root["entries"] as? [[String: Any]])
        let steps = try #require(entries.first?["steps"] as? [[String: Any]])
        #expect(steps.map { $0["safety"] as? String } == ["read-only", "read-only", "changes", "read-only", "changes"])
        try #require(steps.count > 2)
        #expect(steps[2]["safety_reason"] as? String == "`kubectl delete` changes cluster objects")
        #expect(steps[0]["vouched_over"] as? String == "changes")
        #expect(steps[0]["needs_terminal"] as? Bool == false && steps[0]["runs_until_interrupted"] as? Bool == false)
        #expect((steps[0]["attributes"] as? [String: Any])?["readonly"] as? Bool == true)
        #expect(steps[0]["command"] != nil && steps[0]["confirm"] != nil)
    }

    // MARK: - The staging runbooks

    /// Checks (verify, diagnose, probe) in the staging runbooks the table does not call read-only. None is
    /// `changes`, which `runbook lint` would warn about (StagingRunbooksTests.lintClean).
    static let stagingChecksNotReadOnly: Set<String> = [
        "gke-staging-troubleshooting.md qr-follow-logs interactive",  // kubectl logs -f
        "gke-staging-troubleshooting.md container-imports-django unknown",  // python -c
        "gke-staging-troubleshooting.md django-database-check unknown",  // manage.py shell -c: connects and prints
    ]

    /// Checks the authors vouch for with `{readonly=true}` over the table's class: each says why in the
    /// runbook. A new one is a decision to review, not a way to quiet lint.
    static let stagingVouchedChecks: Set<String> = [
        "gke-staging-troubleshooting.md run-image-locally changes",  // docker run --rm --network none, no mounts
        "gke-staging-troubleshooting.md image-imports-django changes",  // the same
    ]

    @Test("the staging runbooks load, every step gets a class, and the checks that are not read-only are known")
    func stagingRunbooks() throws {
        var notReadOnly = Set<String>()
        var vouched = Set<String>()
        for name in ["gke-staging-troubleshooting.md", "gke-staging-pre-deploy.md", "gke-staging-onboarding.md"] {
            let r = try RunbookLoader().load(path: Self.packageRoot + "/runbooks/" + name)
            #expect(!r.allSteps.isEmpty)
            for step in r.allSteps {
                #expect(!step.safety.reason.isEmpty && !step.safety.reason.contains("too deeply"), "\(step.id)")
                if [.verify, .diagnose, .probe].contains(step.role), step.isRunnable, step.safety.safety != .readOnly {
                    notReadOnly.insert("\(name) \(step.id) \(step.safety.safety.rawValue)")
                }
                if let over = step.safety.vouchedOver {
                    vouched.insert("\(name) \(step.id) \(over.rawValue)")
                }
            }
        }
        #expect(notReadOnly == Self.stagingChecksNotReadOnly)
        #expect(vouched == Self.stagingVouchedChecks)
    }

    // MARK: - A real corpus

    /// Words that no read-only step of the corpus may contain: each would change something or never end.
    static let forbidden: [String] = [
        "patch", "delete", "apply", "debug", "edit", "drain", "cordon", "taint", "scale", "rsh", "port-forward",
        "-f", "-F", "--follow", "--watch", "-it", "rm", "restart", "chroot", "ssh", "defrag", ">",
    ]

    @Test(
        "every read-only step of the prometheus-operator runbooks is free of changing and following words",
        .enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func corpusReadOnlySteps() throws {
        let folder = try CorpusFolder.prometheusOperator.folder().root
        let files = (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".md") }
        var counts: [SafetyClass: Int] = [:]
        var byFile: [String: [Step]] = [:]
        for file in files {
            let r = try RunbookLoader().load(path: folder + "/" + file)
            byFile[(file as NSString).lastPathComponent] = r.allSteps
            for step in r.allSteps where step.isRunnable {
                counts[step.safety.safety, default: 0] += 1
                guard step.safety.safety == .readOnly else { continue }
                let words = step.command.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
                let hits = words.filter(Self.forbidden.contains)
                #expect(hits.isEmpty, "\(file): `\(step.command)` is read-only but has \(hits)")
            }
        }
        print("corpus: \(files.count) files; steps by class: \(counts.map { "\($0.key.rawValue) \($0.value)" }.sorted())")
        // Steps typed in a shell that an earlier step opened (`oc debug node/…`, `kubectl exec`) are remote
        // and never run: they are not counted.
        #expect((counts[.readOnly] ?? 0) >= 20)
        #expect(byFile["KubeletDown.md"]?.contains { $0.safety.runsUntilInterrupted && $0.safety.safety == .interactive } == true)
        #expect(byFile["NodeRAIDDegraded.md"]?.contains { $0.safety.safety == .changes && $0.safety.needsTerminal } == true)
        #expect(byFile["etcdMembersDown.md"]?.contains { $0.safety.safety == .interactive && $0.safety.needsTerminal } == true)
    }
}
