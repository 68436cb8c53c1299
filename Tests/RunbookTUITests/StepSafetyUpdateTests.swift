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

/// Output honesty on screen: a line the sanitizer cut says so, and how much was cut.
@Suite("update: cut lines are marked")
struct CutLineTests {
    @Test("a line cut by the sanitizer ends with a mark saying how many bytes were cut")
    func cutMark() throws {
        var s = Screens.stepRunning()
        let long = OutputLine(channel: .stdout, text: "{\"items\": [", droppedBytes: 5_000_000)
        s.update(s.outputEvent(RunID(1), lines: [long], partial: nil))
        #expect(s.screen.contains("⋯ 5000000 more bytes cut"), "\(s.screen)")
        s.output(RunID(1), "a whole line")
        #expect(!s.screen.contains("a whole line ⋯"))
    }

    @Test("a style that changes inside a grapheme cluster does not split it: the cluster is drawn whole")
    func styleInsideACluster() throws {
        var s = Screens.stepRunning()
        // As the sanitizer reads `xe ESC[31m U+0301 y`: the accent alone is red.
        let red = TextStyle(foreground: .ansi(1))
        let line = OutputLine(
            channel: .stdout, text: "xe\u{301}y", styles: [StyleRun(range: 2..<4, style: red)])
        s.update(s.outputEvent(RunID(1), lines: [line], partial: nil))
        let grid = s.view(s.size)
        let cells = grid.cells.filter { $0.text.unicodeScalars.contains("\u{301}") }
        #expect(cells.map(\.text) == ["e\u{301}"], "\(s.screen)")
        #expect(s.screen.contains("xe\u{301}y"))
    }

    @Test("a cut line keeps its colours on screen; its mark is drawn plain")
    func styledCutLine() throws {
        var s = Screens.stepRunning()
        let red = TextStyle(foreground: .ansi(1))
        let line = OutputLine(
            channel: .stdout, text: "QQQ plain", styles: [StyleRun(range: 0..<3, style: red)], droppedBytes: 70_000)
        s.update(s.outputEvent(RunID(1), lines: [line], partial: nil))
        let grid = s.view(s.size)
        let q = try #require(grid.cells.first { $0.text == "Q" })
        let mark = try #require(grid.cells.first { $0.text == "⋯" })
        #expect(q.style.foreground != nil, "\(s.screen)")
        #expect(mark.style.foreground == nil)
        #expect(s.screen.contains("QQQ plain ⋯ 70000 more bytes cut"))
    }
}
