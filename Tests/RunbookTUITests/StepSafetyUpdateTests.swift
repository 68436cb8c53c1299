import RunbookKit
import Testing

@testable import RunbookTUI

/// The TUI and command safety: a step that changes something asks first in any section, with the
/// reason; a command that needs the terminal gets it; a follow command says it runs until Ctrl-C.
@Suite("update: command safety in the TUI")
struct StepSafetyUpdateTests {
    static let runbook = """
        ---
        id: safety
        version: 1.0.0
        ---
        # Safety

        ## Pods are stuck

        ### Diagnosis

        ```sh {name=delete-pod}
        kubectl delete pod web-1
        ```

        ```sh {name=follow}
        kubectl logs -f web-1
        ```

        ```sh {name=list}
        kubectl get pods
        ```

        The shell comes last: the steps after it in this section would be typed in it (remote steps).

        ```sh {name=shell-in}
        kubectl exec -it web-1 -- bash
        ```
        """

    /// Home → the runbook → the entry → the step at `index`, Enter.
    static func run(step index: Int) -> (AppState, [AppEffect]) {
        var s = Fixture.state([Fixture.inline(runbook)])
        s.press(.enter)  // the runbook
        s.press(.down, .down, .down, .enter)  // past Walkthrough and Variables: the entry
        for _ in 0..<index { s.press(.down) }
        let effects = s.press(.enter)
        return (s, effects)
    }

    @Test("a diagnosis step that changes something asks first, and the dialog says why")
    func changesAskFirst() throws {
        var (s, effects) = Self.run(step: 0)
        #expect(effects.runs.isEmpty, "nothing ran without a confirmation")
        #expect(s.isAsking)
        #expect(s.screen.contains("Run this step?"))
        #expect(s.screen.contains("it changes something: `kubectl delete` changes"))
        let yes = s.press(.character("y"))
        #expect(yes.runs.first?.1.step.id == "delete-pod")
    }

    @Test("a command that needs a terminal is handed it; a follow command runs in the pane until Ctrl-C")
    func terminalAndFollow() throws {
        let (_, interactive) = Self.run(step: 3)
        #expect(interactive.interactiveRuns.first?.1.step.id == "shell-in")
        #expect(interactive.runs.isEmpty)
        let (s, follow) = Self.run(step: 1)
        #expect(follow.runs.first?.1.step.id == "follow")
        #expect(s.screen.contains("runs until you stop it: Ctrl-C"))
        let (_, list) = Self.run(step: 2)
        #expect(list.runs.first?.1.step.id == "list", "a read-only diagnosis runs at once")
    }
}
