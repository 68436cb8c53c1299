import Testing
@testable import RunbookKit

/// Labelled example outputs: how labels read, where examples attach, and how `runbook test` judges them.
@Suite("labelled examples")
struct LabelledExampleTests {
    func load(_ markdown: String) throws -> Runbook {
        try RunbookLoader().load(bytes: Array(markdown.utf8), path: "examples.md")
    }

    @Test("labels: healthy or failing, an optional note and exit status in parentheses, any case")
    func labels() throws {
        func read(_ text: String) -> LabelledExample.Heading? { try? LabelledExample.heading(text)?.get() }
        #expect(read("Example output when healthy:") == .init(label: .healthy, end: .exited(0), note: ""))
        #expect(read("Expected output when failing:") == .init(label: .failing, end: .exited(0), note: ""))
        #expect(read("example output WHEN Failing (exit 1):") == .init(label: .failing, end: .exited(1), note: ""))
        #expect(
            read("Example output when failing (wrong password, exit 2):")
                == .init(label: .failing, end: .exited(2), note: "wrong password"))
        #expect(read("Example output when failing (OOM; signal 9):") == .init(label: .failing, end: .signaled(9), note: "OOM"))
        #expect(read("Example output when healthy (proxy in place):") == .init(label: .healthy, end: .exited(0), note: "proxy in place"))
        // Not labelled: the unlabelled example output keeps its meaning; no colon, no example at all.
        #expect(LabelledExample.heading("Example output:") == nil)
        #expect(LabelledExample.heading("Expected output (abridged):") == nil)
        #expect(LabelledExample.heading("Example output when healthy is below.") == nil)
        // Started like a label but broken.
        #expect(LabelledExample.heading("Example output when broken:") == .failure(.unknownLabel("broken")))
        #expect(LabelledExample.heading("Example output when failing (exit 300):") == .failure(.badStatus("exit 300")))
        #expect(LabelledExample.heading("Example output when failing (exit one):") == .failure(.badStatus("exit one")))
        #expect(LabelledExample.heading("Example output when failing (exit 1, exit 2):") == .failure(.twoStatuses))
        #expect(LabelledExample.heading("Example output when failing badly:") == .failure(.trailingText(.failing)))
    }

    static let runbook = """
        ---
        version: 1.0.0
        ---
        # T

        ## Pods

        ### Verify

        ```sh {name=pods}
        kubectl get pods
        ```

        Success indicators:

        - contains `Running`

        Example output when healthy:

        ```text
        backend-0   1/1   Running
        ```

        Example output when failing (no cluster, exit 1):

        ```text
        The connection to the server localhost:8080 was refused
        ```

        ```sh {name=unlabelled}
        kubectl get nodes
        ```

        Example output when healthy:

        ```text
        node-1   Ready
        ```

        Example output:

        ```text
        shown beside live output
        ```
        """

    @Test("examples attach to their step with label, status, text and line; the healthy one is shown unless there is another")
    func attach() throws {
        let r = try load(Self.runbook)
        #expect(r.diagnostics.filter { $0.severity == .error }.isEmpty, "\(r.diagnostics)")
        let pods = try #require(r.allSteps.first { $0.id == "pods" })
        #expect(pods.indicators.count == 1)
        #expect(pods.examples.map(\.label) == [.healthy, .failing])
        try #require(pods.examples.count > 1)
        #expect(pods.examples[1].end == .exited(1))
        #expect(pods.examples[1].note == "no cluster")
        #expect(pods.examples[1].output == "The connection to the server localhost:8080 was refused")
        #expect(pods.examples[0].location.line == 18)
        #expect(pods.exampleOutput == "backend-0   1/1   Running")
        let unlabelled = try #require(r.allSteps.first { $0.id == "unlabelled" })
        #expect(unlabelled.examples.count == 1)
        #expect(unlabelled.exampleOutput == "shown beside live output")
        // Neither example block became a step.
        #expect(r.allSteps.count == 2)
    }

    @Test("a broken label is an error at its line, and the block is neither an example nor a step")
    func brokenLabel() throws {
        let r = try load("# T\n\n## E\n\n### Verify\n\n```sh\ntrue\n```\n\nExample output when fine:\n\n```sh\nrm -rf /\n```\n")
        let errors = r.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 11)
        #expect(errors.first?.message.contains("`when fine` is unknown") == true)
        #expect(r.allSteps.count == 1)
        #expect(r.allSteps.first?.examples.isEmpty == true)
    }

    func judge(_ indicators: String, _ example: LabelledExample) throws -> ExampleJudgement {
        let r = try load("# T\n\n## E\n\n### Verify\n\n```sh\nx\n```\n\n\(indicators)\n")
        let step = try #require(r.allSteps.first)
        return ExampleJudgement(step: step, example: example)
    }

    func example(_ label: LabelledExample.Label, _ output: String, _ end: StepEnd = .exited(0)) -> LabelledExample {
        LabelledExample(label: label, end: end, output: output, location: SourceLocation(line: 1, column: 1))
    }

    @Test("judging goes through the runner's judge: line checks, equals, the implied exit 0")
    func judging() throws {
        let ind = "- contains `Running`\n- no `CrashLoopBackOff`"
        let healthy = try judge(ind, example(.healthy, "NAME STATUS\nweb-0 Running"))
        #expect(healthy.outcome == .passed)
        #expect(healthy.agrees)
        #expect(healthy.verdicts.map(\.state) == [.passed, .passed, .passed])
        #expect(healthy.verdicts.last?.implied == true)
        let crash = try judge(ind, example(.failing, "web-0 CrashLoopBackOff\nweb-1 Running"))
        #expect(crash.outcome == .failed)
        #expect(crash.agrees)
        try #require(crash.verdicts.count > 1)
        #expect(crash.verdicts[1].decidingLine == "web-0 CrashLoopBackOff")
        // A failing example the indicators cannot tell from a healthy one differs from its label.
        let missed = try judge(ind, example(.failing, "web-0 Running (but 40 restarts)"))
        #expect(missed.outcome == .passed)
        #expect(!missed.agrees)
        // equals compares the whole output, trimmed.
        #expect(try judge("- equals `RUNNABLE`", example(.healthy, "RUNNABLE\n")).agrees)
        #expect(try judge("- equals `RUNNABLE`", example(.failing, "SUSPENDED")).agrees)
        #expect(!(try judge("- equals `RUNNABLE`", example(.healthy, "RUNNABLE\nmore")).agrees))
    }

    @Test("the exit status is part of the example: a failed command never passes, unless an exit indicator names it")
    func exitStatus() throws {
        // The output alone would pass; exit 1 fails it through the implied exit 0.
        let failed = try judge("- no `ERROR`", example(.healthy, "", .exited(1)))
        #expect(failed.outcome == .failed)
        #expect(!failed.agrees)
        #expect(failed.verdicts.last?.reason == "exit 1, expected exit 0")
        #expect(try judge("- no `ERROR`", example(.failing, "", .exited(1))).agrees)
        #expect(try judge("- no `ERROR`", example(.failing, "", .signaled(9))).agrees)
        // grep -c that counts 0 exits 1: healthy when the indicator says so.
        #expect(try judge("- exit 0 or 1\n- equals `0`", example(.healthy, "0", .exited(1))).agrees)
        #expect(try judge("- exit 0 or 1\n- equals `0`", example(.failing, "", .exited(2))).agrees)
    }

    @Test("manual indicators: open on a healthy example (agrees); a failing one that only a manual answer would catch differs")
    func manual() throws {
        let ind = "Success indicators:\n\n- exit 0\n- The pod looks fine"
        let healthy = try judge(ind, example(.healthy, "ok"))
        #expect(healthy.outcome == .needsAnswers)
        #expect(healthy.agrees)
        let failing = try judge(ind, example(.failing, "not ok"))
        #expect(failing.outcome == .needsAnswers)
        #expect(!failing.agrees)
    }

    @Test("judgeAll judges every example of every step, in document order")
    func judgeAll() throws {
        let r = try load(Self.runbook)
        let all = ExampleJudgement.judgeAll(r)
        #expect(all.map(\.step.id) == ["pods", "pods", "unlabelled"])
        #expect(all.filter { !$0.agrees }.isEmpty)
    }

    @Test("lint warns about a check with indicators but without a healthy and a failing example")
    func lint() throws {
        let r = try load(
            Self.runbook + "\n\n```sh {name=half}\nkubectl get ns\n```\n\nSuccess indicators:\n\n- exit 0\n\n"
                + "Example output when healthy:\n\n```text\ndefault   Active\n```\n"
                + "\n```sh {name=bare}\nkubectl get svc\n```\n\n- exit 0\n")
        let findings = RunbookLinter(today: CalendarDate(year: 2026, month: 1, day: 1)!).lint(r) { _ in nil }
            .filter { $0.message.contains("example output labelled") }
        // `pods` has both; `unlabelled` has no indicator to prove (lint warns about that for verify steps
        // already); `bare` has neither example; `half` only a healthy one.
        #expect(findings.count == 2, "\(findings)")
        #expect(findings.contains { $0.message.hasPrefix("verify step `bare` has no example output labelled healthy or failing") })
        #expect(findings.contains { $0.message.hasPrefix("verify step `half` has no example output labelled failing: add `Example output when failing:`") })
        #expect(findings.filter { $0.severity != .warning }.isEmpty)
    }
}
