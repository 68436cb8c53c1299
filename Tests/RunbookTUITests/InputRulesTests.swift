import RunbookKit
import Testing

@testable import RunbookTUI

/// The input rules of `update`: pastes, typeahead against questions, the minimum size, Ctrl-Z and
/// secret fields.
@Suite("update: pastes, typeahead, the minimum size, Ctrl-Z")
struct InputRulesTests {
    // MARK: - Pastes

    @Test("a paste into a fix confirmation answers nothing: nothing runs, nothing is journaled, the question stays")
    func pasteIntoConfirmation() {
        var s = Screens.confirmFix()
        #expect(s.isAsking)
        let effects = s.update(.paste("yarn install --frozen-lockfile"))
        #expect(effects.isEmpty)
        #expect(s.isAsking)
        #expect(s.screen.contains("paste ignored: no text field has focus"))
        // y typed afterwards still answers it.
        #expect(s.press(.character("y")).decisionKinds == ["fix_confirmed"])
    }

    @Test("a paste with newlines into a variable prompt is its value, on one line; nothing is submitted")
    func pasteIntoVariablePrompt() throws {
        var s = Screens.entryOptions()
        s.press(.enter)
        #expect(s.screenName == "variables")
        let effects = s.update(.paste("s3cr3t\r\nn\n"))
        #expect(effects.isEmpty, "a newline in a paste submits nothing")
        #expect(s.screenName == "variables")
        #expect(s.focusedTextField == .variable(secret: true))
        // The value is the text (newlines became a space between words, none at the end).
        s.press(.enter)
        #expect(s.isAsking)
        let run = s.press(.character("y"))
        let launch = try #require(run.runs.first?.1)
        #expect(launch.environment["DB_PASSWORD"] == "s3cr3t n")
    }

    @Test("a paste goes into the filter on Home and the search of a step as text, keys and all")
    func pasteIntoFields() {
        var home = Screens.home()
        home.update(.paste("\u{1B}[31mtrouble\tq\n"))
        #expect(home.screen.contains("Filter: [31mtrouble q▏"), "\(home.screen)")
        #expect(home.screenName == "home", "q in a paste does not quit or go back")

        var step = Screens.stepFinished()
        step.press(.character("/"))
        step.update(.paste("health/ready\n200"))
        #expect(step.screen.contains("/health/ready 200▏"), "\(step.screen)")
    }

    @Test("a paste where no field has focus is ignored, with a notice: it never answers a manual indicator")
    func pasteWithoutField() {
        var s = Screens.stepAwaitingAnswer()
        let open = s.openQuestion
        #expect(open != nil)
        let effects = s.update(.paste("n"))
        #expect(effects.isEmpty)
        #expect(s.openQuestion == open, "the indicator is still open")
        #expect(s.screen.contains("paste ignored: no text field has focus"))
    }

    @Test("pasted text is cleaned to one line: newlines between words become a space, controls go")
    func cleaning() {
        #expect(PastedText.clean("abc\n") == "abc")
        #expect(PastedText.clean("\r\n a\r\nb \n\nc\u{2028}d") == " a b c d")
        #expect(PastedText.clean("a\tb\u{7F}\u{1B}[0m\u{85}c\u{202E}d\u{9B}") == "a b[0m cd")
        #expect(PastedText.clean("\n\r\n") == "")
        #expect(PastedText.clean("é漢👍🏽") == "é漢👍🏽")
    }

    // MARK: - Typeahead

    @Test("a confirmation takes no key from the burst that opened it; a later burst answers it")
    func confirmationTypeahead() {
        var s = Screens.entryOptions()
        s.press(.enter)
        s.type("s3cr3t-pw")
        s.update(.inputBurst(1))
        // Enter sets the value and opens the confirmation; the y that came with it is not an answer.
        let same = s.press(.enter, .character("y"))
        #expect(same.runs.isEmpty)
        #expect(!same.decisionKinds.contains("fix_confirmed"))
        #expect(s.isAsking)
        #expect(s.screen.contains("y ignored: it came with earlier keys"), "\(s.screen)")
        // Nor n, Esc or q: the question waits for a key pressed once it shows.
        s.press(.escape, .character("n"))
        #expect(s.isAsking)
        s.update(.inputBurst(2))
        #expect(s.press(.character("y")).decisionKinds == ["fix_confirmed"])
    }

    @Test("a manual indicator takes no y/n from the burst its run started in, and a new one none from the answer's")
    func manualTypeahead() {
        var s = Screens.smallEntry()
        s.update(.inputBurst(7))
        s.press(.end, .enter)
        #expect(s.screenName == "step")
        let open = s.openQuestion
        #expect(open != nil)
        let same = s.press(.character("n"))
        #expect(same.decisionKinds.isEmpty)
        #expect(s.openQuestion == open)
        s.update(.inputBurst(8))
        #expect(s.press(.character("n")).decisionKinds == ["manual_answered"])
    }

    @Test("quitting while a step runs asks, and takes no y that came with the q")
    func quitTypeahead() {
        var s = Screens.stepRunning()
        s.update(.inputBurst(3))
        let same = s.press(.character("q"), .character("q"), .character("q"), .character("q"), .character("y"))
        #expect(!same.contains(.quit(message: nil)))
        #expect(s.isAsking)
        s.update(.inputBurst(4))
        #expect(s.press(.character("y")).contains(.quit(message: nil)))
    }

    @Test("a question that appears after a burst (the next checklist item's confirmation) takes the next burst's key")
    func questionFromOutput() {
        var s = Fixture.state([Fixture.inline(Self.confirmingChecklist)])
        s.update(.inputBurst(1))
        s.press(.enter, .end, .enter, .character("a"))
        #expect(s.isAsking, "the first item asks first")
        s.update(.inputBurst(2))
        let first = s.press(.character("y"))
        #expect(first.runs.count == 1)
        s.exit(RunID(1))
        #expect(s.isAsking, "the second item asks")
        s.update(.inputBurst(3))
        #expect(s.press(.character("y")).runs.count == 1)
    }

    static let confirmingChecklist = """
        ---
        id: confirming
        title: Confirming
        ---

        # Confirming

        ## Before

        - [ ] One

          ```sh {name=one confirm=true}
          true
          ```

        - [ ] Two

          ```sh {name=two confirm=true}
          true
          ```
        """

    // MARK: - The minimum size

    @Test("below the minimum size keys, pastes and the wheel do nothing; q quits")
    func tooSmall() {
        var s = Screens.home()
        s.update(.resize(ScreenSize(columns: 20, rows: 6)))
        #expect(s.screen.hasPrefix("terminal too small\nneed 40x10\nq quits"), "\(s.screen)")
        let effects = s.press(.enter, .character("j"), .enter, .wheelDown, .control("c"), .character("?"))
            + s.update(.paste("trouble"))
        #expect(effects.isEmpty)
        #expect(s.screenNames == ["home"])
        s.update(.resize(Screens.small))
        #expect(s.screen.contains("› Backend staging on GKE: troubleshooting"), "the selection did not move")
        #expect(!s.screen.contains("Filter:"))
        s.update(.resize(ScreenSize(columns: 39, rows: 24)))
        #expect(s.press(.character("q")).contains(.quit(message: nil)))
    }

    @Test("below the minimum size a running step is not cancelled by Ctrl-C; q asks first, y then quits")
    func tooSmallWhileRunning() {
        var s = Screens.stepRunning()
        s.update(.resize(ScreenSize(columns: 40, rows: 9)))
        #expect(s.press(.control("c"), .character("y"), .character("r")).isEmpty)
        #expect(s.runningRuns == [RunID(1)])
        #expect(s.screen.contains("q quits (asks first)"))
        #expect(s.press(.character("q")).isEmpty)
        #expect(s.screen.contains("y cancels it, quits"))
        #expect(s.press(.character("y")).contains(.quit(message: nil)))
    }

    @Test("at the minimum size the step screen keeps its output and the indicator y/n answers")
    func stepAtMinimum() {
        var s = Screens.stepAwaitingAnswer()
        s.update(.resize(AppState.minimumSize))
        let screen = s.screen
        #expect(screen.contains("── Output (32 lines)"))
        #expect(screen.contains("request 30: GET"))
        #expect(screen.contains("▸? answer y/n The application's log"))
        #expect(s.press(.character("y")).decisionKinds == ["manual_answered"])
    }

    // MARK: - Ctrl-Z and secrets

    @Test("Ctrl-Z asks the runtime to suspend, from any screen, a text field or a dialog, and changes nothing else")
    func suspend() {
        var s = Screens.confirmFix()
        #expect(s.press(.control("z")) == [.suspend])
        #expect(s.isAsking)
        var home = Screens.homeFiltered()
        #expect(home.press(.control("z")) == [.suspend])
        #expect(home.screen.contains("Filter: trouble▏"))
    }

    @Test("a secret's value being typed is a secret field; other fields are not")
    func secretField() {
        var s = Screens.variablesAsk()
        #expect(s.isSecretFieldFocused)
        s.press(.enter)
        #expect(!s.isSecretFieldFocused, "the confirmation has no field")
        var v = Screens.variables()
        #expect(!v.isSecretFieldFocused)
        v.press(.enter)
        #expect(v.focusedTextField == .variable(secret: false))
        #expect(!v.isSecretFieldFocused)
        #expect(!Screens.home().isSecretFieldFocused)
    }
}
