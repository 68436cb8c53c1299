import Foundation
import RunbookTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The input path end to end: the real binary in tmux, with bracketed pastes (`paste-buffer -p`), a
/// terminal below the minimum size, Ctrl-Z and `fg` in an interactive shell, and `--trace`.
@Suite("end to end: pastes, the minimum size, Ctrl-Z, traces", .serialized)
struct InputJourneyTests {
    static let fixture = "Tests/Fixtures/tui/input"

    /// A folder for the marks the fixture's commands leave.
    static func stateFolder() -> String { Paths.temporaryFolder("runbook-input") }

    /// From Home: opens the fixture, then the entry, and selects the step titled `title`.
    static func openStep(_ session: TmuxSession, _ title: String) throws {
        try session.waitFor("Input fixture")
        try session.press("Enter")
        try select(session, "Marks")
        try session.press("Enter")
        try session.waitFor("Show the label")
        try select(session, title)
    }

    /// Presses Down until the selected line (`›`) contains `text`.
    static func select(_ session: TmuxSession, _ text: String) throws {
        for _ in 0..<12 {
            let screen = try session.waitForScreen("a selection") { $0.contains("›") }
            if screen.split(separator: "\n").contains(where: { $0.contains("›") && $0.contains(text) }) { return }
            try session.press("Down")
            try session.waitForScreen("the selection to move") { $0 != screen }
        }
        throw TmuxSession.Failure(description: "no line with “\(text)” could be selected:\n\(try session.screen())")
    }

    @Test("a bracketed paste into a fix confirmation runs nothing and confirms nothing")
    func pasteIntoConfirmation() throws {
        let state = Self.stateFolder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try Self.openStep(session, "Write the mark")
        try session.press("Enter")
        try session.waitFor("Run this fix?")
        try session.paste("yarn install --frozen-lockfile")
        let screen = try session.waitFor("paste ignored: no text field has focus")
        #expect(screen.contains("Run this fix?"), "the question is still open")
        try session.press("n")
        try session.waitFor("not run: write-mark was declined")
        #expect(!FileManager.default.fileExists(atPath: state + "/fixed"))
        #expect(try JourneyTests.leave(session) == 0)
        let story = JourneyTests.story(try JourneyTests.journal(session))
        #expect(!story.contains("decision:fix_confirmed"), "\(story)")
        #expect(story.contains("decision:fix_declined"), "\(story)")
    }

    @Test("a y typed ahead with the Enter that opens a fix confirmation does not confirm it")
    func typeaheadIntoConfirmation() throws {
        let state = Self.stateFolder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try Self.openStep(session, "Write the mark")
        // Enter and y in one write: one read of the terminal, as a paste without bracketed paste.
        try session.type("\ry")
        let screen = try session.waitFor("y ignored: it came with earlier keys")
        #expect(screen.contains("Run this fix?"))
        #expect(!FileManager.default.fileExists(atPath: state + "/fixed"))
        try session.press("y")
        try session.waitUntil("the fix, confirmed by a later y, to run") {
            FileManager.default.fileExists(atPath: state + "/fixed")
        }
        #expect(try JourneyTests.leave(session) == 0)
        let story = JourneyTests.story(try JourneyTests.journal(session))
        #expect(story.filter { $0 == "decision:fix_confirmed" }.count == 1, "\(story)")
    }

    @Test("a paste with a newline into a variable prompt is the value as text: nothing is submitted")
    func pasteIntoVariablePrompt() throws {
        let state = Self.stateFolder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state])
        try Self.openStep(session, "Show the label")
        try session.press("Enter")
        try session.waitFor("needs a value")
        try session.paste("hello\nn\n")
        let typed = try session.waitFor("hello n▏")
        #expect(typed.contains("needs a value"), "still asking: the newline submitted nothing")
        try session.press("Enter")
        let ran = try session.waitFor("label is [hello n]")
        #expect(ran.contains("? answer y/n"), "the manual indicator is not answered by the paste")
    }

    @Test("at 20x6 keys do nothing until the terminal is large enough")
    func tooSmall() throws {
        // The trace tells when runbook has read the keys, before the resize is sent.
        let trace = Paths.temporaryFolder("runbook-trace") + "/trace"
        defer { try? FileManager.default.removeItem(atPath: (trace as NSString).deletingLastPathComponent) }
        let session = try TmuxSession([Self.fixture, "--trace", trace], columns: 20, rows: 6)
        try session.waitFor("terminal too small")
        try session.press("Enter")
        try session.press("j")
        try session.press("Enter")
        try session.paste("input")
        try session.waitUntil("runbook to read the keys and the paste") {
            let text = (try? String(contentsOfFile: trace, encoding: .utf8)) ?? ""
            return text.components(separatedBy: " key ").count - 1 == 3 && text.contains(" paste 5 characters")
        }
        try session.resize(columns: 80, rows: 24)
        let screen = try session.waitFor("type to filter")
        #expect(!screen.contains("Filter:"), "the paste was not typed")
        #expect(!screen.contains("Marks"), "no runbook was opened")
        let sessions = (try? FileManager.default.contentsOfDirectory(atPath: session.folder + "/state/runbook/sessions")) ?? []
        #expect(sessions.isEmpty, "no session started")
        try session.press("q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("Ctrl-Z stops runbook and gives the shell back; the step goes on; fg brings the TUI back")
    func suspendAndResume() throws {
        let state = Self.stateFolder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        // The step waits on this gate until runbook is stopped: then it leaves its mark.
        let gate = try NamedPipe(in: state, name: "gate")
        let session = try TmuxSession([Self.fixture], environment: ["STATE_DIR": state], interactiveShell: true)
        try session.waitForScreen("the shell's prompt") { $0.hasPrefix("$") }
        try session.startInShell()
        try Self.openStep(session, "Mark later")
        try session.press("Enter")
        // `touch` changes a file: the step asks first, in a Diagnosis section too.
        try session.waitFor("it changes something")
        try session.press("y")
        try session.waitFor("running")
        try session.press("C-z")
        try session.waitFor("fg brings it back")
        try session.waitFor("Stopped")
        try session.type("jobs")
        try session.press("Enter")
        try session.waitForScreen("jobs to list runbook as stopped") { screen in
            guard let listed = screen.components(separatedBy: "$ jobs\n").last, screen.contains("$ jobs\n") else { return false }
            return listed.contains("Stopped") && listed.contains("runbook")
        }
        // The step runs on while runbook is stopped.
        #expect(!FileManager.default.fileExists(atPath: state + "/marked"))
        gate.release()
        try session.waitUntil("the step to leave its mark") { FileManager.default.fileExists(atPath: state + "/marked") }
        try session.type("fg")
        try session.press("Enter")
        let back = try session.waitFor("Step mark-later")
        #expect(!back.contains("$ jobs"), "the whole screen is redrawn")
        try session.waitFor("✓ passed")
        try session.press("q")
        try session.press("q")
        try session.press("q")
        try session.press("q")
        try session.waitForScreen("the shell's prompt after runbook") {
            $0.split(separator: "\n").last.map { $0.hasPrefix("$") } == true
        }
    }

    @Test("--trace records keys typed and pasted into a secret as placeholders, never as characters")
    func secretsStayOutOfTraces() throws {
        let trace = Paths.temporaryFolder("runbook-trace") + "/trace"
        defer { try? FileManager.default.removeItem(atPath: (trace as NSString).deletingLastPathComponent) }
        let session = try TmuxSession([Self.fixture, "--trace", trace])
        try Self.openStep(session, "Use the token")
        try session.press("Enter")
        try session.waitFor("needs a value")
        try session.type("XQZW")
        try session.waitFor("••••▏")
        try session.paste("VKUY")
        try session.waitFor("••••••••▏")
        try session.press("Enter")
        try session.waitFor("token-ok")
        #expect(try JourneyTests.leave(session) == 0)
        let text = try String(contentsOfFile: trace, encoding: .utf8)
        for c in "XQZWVKUY" { #expect(!text.contains("character(\"\(c)\")"), "\(c) is in the trace") }
        #expect(!text.contains("XQZW") && !text.contains("VKUY"))
        #expect(text.components(separatedBy: " key •\n").count - 1 >= 4, "\(text)")
        #expect(text.contains(" paste •\n"))
        #expect(text.contains(" key enter\n"), "other keys are traced as ever")
    }
}
