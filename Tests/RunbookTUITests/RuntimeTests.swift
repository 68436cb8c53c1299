import Foundation
import RunbookTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The runtime end to end: the real binary in tmux, driving steps of a fixture runbook
/// (Tests/Fixtures/tui/runtime) through the keys a person would press.
@Suite("end to end: running steps in the TUI", .serialized)
struct RuntimeTests {
    static let fixture = "Tests/Fixtures/tui/runtime"

    /// The fixture's entries, in the order the runbook screen lists them (after Walkthrough and
    /// Variables).
    enum FixtureEntry: Int {
        case streams = 0, hostile, forever, interactive, interactiveAssigns, longLines

        var title: String {
            switch self {
            case .streams: "Streams"
            case .hostile: "Hostile output"
            case .forever: "Never ends"
            case .interactive: "Interactive"
            case .interactiveAssigns: "Interactive assigns"
            case .longLines: "Long lines"
            }
        }
    }

    /// Opens the fixture runbook, then `entry`, and runs its step with Enter.
    static func runStep(_ entry: FixtureEntry, in session: TmuxSession, waitForHome: Bool = true) throws {
        if waitForHome { try session.waitFor("type to filter") }
        try session.press("Enter")
        try session.waitFor("Entries (6)")
        for _ in 0..<(2 + entry.rawValue) { try session.press("Down") }
        try session.press("Enter")
        try session.waitFor("› \(entry.title)")
        try session.press("Enter")
    }

    @Test("Home lists the runbooks of runbooks/ at 80x24")
    func home() throws {
        let session = try TmuxSession(["runbooks"])
        let screen = try session.waitFor("type to filter")
        #expect(screen.contains("3 runbooks"))
        #expect(screen.contains("Backend staging on GKE: troubleshooting"))
        #expect(screen.contains("Backend staging on GKE: onboarding"))
        #expect(screen.contains("Backend staging on GKE: pre-deploy"))
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.allSatisfy { $0.count <= 80 })
        // tmux sends End and Home as `ESC [ 4 ~` and `ESC [ 1 ~`, which xterm's terminfo entry does not
        // list: they still move, and nothing reaches the filter as text.
        try session.press("End")
        let end = try session.waitFor("› Backend staging on GKE: troubleshooting")
        #expect(!end.contains("Filter:"))
        try session.press("Home")
        let home = try session.waitFor("› Backend staging on GKE: onboarding")
        #expect(!home.contains("Filter:"))
        try session.press("q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("with no path, runbook opens $RUNBOOK_PATH")
    func runbookPath() throws {
        let session = try TmuxSession([], environment: ["RUNBOOK_PATH": Paths.repository + "/" + Self.fixture])
        let screen = try session.waitFor("type to filter")
        #expect(screen.contains("Runtime fixture"))
        try session.press("q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("Ctrl-C cancels a step and leaves no process of its group, background jobs included")
    func cancel() throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(.forever, in: session)
        try session.waitFor("forever-started")
        let pid = try session.runbookPID()
        let groups = Set(ProcessTable.snapshot().stepChildren(of: pid).map(\.group))
        try #require(groups.count == 1, "one step runs, in a group of its own")
        let group = groups.first!
        #expect(group != getpgid(pid), "the step is not in the TUI's group")
        // The shell and both sleeps.
        try session.waitUntil("the step's processes") { ProcessTable.snapshot().living(inGroup: group).count >= 3 }

        try session.press("C-c")
        try session.waitFor("cancelled")
        try session.waitUntil("every process of the group to end", timeout: .seconds(5)) {
            ProcessTable.snapshot().living(inGroup: group).isEmpty
        }
        // The TUI itself is still there.
        #expect(kill(pid, 0) == 0)
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("kill -9 of runbook while a step runs, or while an interactive step has the terminal: no survivor, no run folder",
          arguments: [FixtureEntry.forever, .interactive])
    func killedTUI(_ entry: FixtureEntry) throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(entry, in: session)
        if entry == .interactive {
            try session.waitFor("type a word:")
        } else {
            try session.waitFor("forever-started")
        }
        let pid = try session.runbookPID()
        let group = try #require(ProcessTable.snapshot().stepChildren(of: pid).first { $0.group != getpgid(pid) }?.group)
        let tmp = session.folder + "/tmp"
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).contains { $0.hasPrefix("runbook-run-") })
        kill(pid, SIGKILL)
        try session.waitUntil("every process of the step's group to end", timeout: .seconds(2)) {
            ProcessTable.snapshot().living(inGroup: group).isEmpty
        }
        try session.waitUntil("the run folder to be removed", timeout: .seconds(2)) {
            (try FileManager.default.contentsOfDirectory(atPath: tmp)).isEmpty
        }
    }

    @Test("an unwritable state folder: a NOT RECORDED banner from the start, and the TUI goes on working")
    func unrecorded() throws {
        let blocker = Paths.temporaryFolder("runbook-unrecorded") + "/state-is-a-file"
        try "".write(toFile: blocker, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: (blocker as NSString).deletingLastPathComponent) }
        let session = try TmuxSession([Self.fixture], environment: ["XDG_STATE_HOME": blocker])
        let home = try session.waitFor("NOT RECORDED")
        #expect(home.contains("session not recorded: cannot record sessions"))
        try Self.runStep(.streams, in: session, waitForHome: false)
        let screen = try session.waitFor("passed")
        #expect(screen.contains("NOT RECORDED"), "the banner stays")
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
        #expect(try session.screen().contains("cannot record"), "said again at exit")
    }

    @Test("quitting while a step runs cancels it and waits for its group")
    func quitWhileRunning() throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(.forever, in: session)
        try session.waitFor("forever-started")
        let pid = try session.runbookPID()
        let group = try #require(ProcessTable.snapshot().stepChildren(of: pid).first?.group)
        try session.press("q", "q", "q")
        try session.waitFor("type to filter")
        try session.press("q")
        try session.waitFor("cancel the run and quit")
        try session.press("y")
        #expect(try session.waitForExit() == 0)
        #expect(ProcessTable.snapshot().living(inGroup: group).isEmpty)
        try TerminalRestoreTests.expectRestored(session)

        // The journal says what happened, in order: the quit, the step's end as cancelled, then the
        // session's end, last.
        let records = try JourneyTests.journal(session)
        let types = records.compactMap { $0["type"] as? String }
        #expect(types.last == "session_ended")
        let quit = try #require(records.firstIndex { ($0["decision"] as? [String: Any])?["kind"] as? String == "quit" })
        let finished = try #require(records.firstIndex { $0["type"] as? String == "step_finished" })
        #expect(quit < finished)
        let finish = try #require(records[finished]["finish"] as? [String: Any])
        #expect(finish["step"] as? String == "forever")
        #expect(finish["result"] as? String == "cancelled")
        #expect(finish["end"] as? String == "cancelled")
        #expect(!types.contains("decision") || records.allSatisfy { ($0["decision"] as? [String: Any])?["kind"] as? String != "step_cancelled" })
        #expect(records.last?["result"] as? String == "ended (a step was cancelled by leaving)")

        // The hint is printed once, with the session's id; the report tells the same story.
        let ids = try FileManager.default.contentsOfDirectory(atPath: session.folder + "/state/runbook/sessions")
        let id = try #require(ids.first)
        let screen = try session.screen()
        #expect(screen.components(separatedBy: "runbook report").count == 2, "one hint: \(screen)")
        #expect(screen.contains("session \(id) recorded\nits report: runbook report \(id)\n"))
        let report = try Subprocess.runbook(["report", id], environment: ["XDG_STATE_HOME": session.folder + "/state"])
        #expect(report.status == 0)
        #expect(report.stdout.contains("- Result: ended (a step was cancelled by leaving)"))
        #expect(report.stdout.contains("**quit** (`forever`): the engineer quit while forever ran: cancelled"))
        #expect(report.stdout.contains("diagnosis `forever`: Never ends — **cancelled**") || report.stdout.contains("`forever`") && report.stdout.contains("**cancelled**"))
        #expect(report.stdout.contains("cancelled after"))
    }

    @Test("an interactive step hands the variables it assigns on to the steps after it")
    func interactiveAssigns() throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(.interactiveAssigns, in: session)
        try session.waitFor("pick a word:")
        try session.type("zebra")
        try session.press("Enter")
        try session.waitForScreen("the TUI back, the step passed") { $0.contains("Step pick-word") && $0.contains("passed") }
        try session.press("q")
        try session.waitFor("› Interactive assigns")
        try session.press("Down", "Enter")
        let screen = try session.waitFor("the word was zebra")
        #expect(screen.contains("Step use-word"))
        try session.waitFor("passed")
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
        // The journal records where the value came from, and no capture folder is left behind.
        let records = try JourneyTests.journal(session)
        let started = records.compactMap { $0["step"] as? [String: Any] }.first { $0["step"] as? String == "use-word" }
        #expect((started?["variables"] as? [String: String])?["WORD"] == "zebra")
    }

    @Test("a long output line wraps at the pane's edge, its continuations marked ↪, nothing cut")
    func longLinesWrap() throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(.longLines, in: session)
        let screen = try session.waitForScreen("the step to pass") { $0.contains("after-long-line") && $0.contains("passed") }
        let rows = screen.split(separator: "\n").map(String.init)
        let first = try #require(rows.firstIndex { $0.hasPrefix("│ begin col1=v1") })
        let continued = rows[(first + 1)...].prefix { $0.hasPrefix("│↪") }
        #expect(continued.count >= 3, "about 300 characters take four or five rows at 80 columns")
        #expect(continued.last?.contains("LINE-END") == true, "the end of the line is on screen")
        #expect(rows.allSatisfy { $0.count <= 80 })
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("/ in the walkthrough finds text, marks the match and n moves to the next")
    func walkthroughSearch() throws {
        let session = try TmuxSession([Self.fixture])
        try session.waitFor("type to filter")
        try session.press("Enter")
        try session.waitFor("Entries (6)")
        try session.press("w")
        try session.waitFor("Walkthrough")
        try session.press("/")
        try session.type("LINE-END")
        try session.press("Enter")
        // The mark shows while typing already; Enter ends typing and n/N take over the key line.
        let screen = try session.waitForScreen("the match marked, typing ended") { s in
            s.split(separator: "\n").contains { $0.hasPrefix("»") && $0.contains("LINE-END") } && s.contains("n/N next/prev")
        }
        #expect(screen.contains("/LINE-END"))
        #expect(!screen.contains("/LINE-END▏"))
        try session.press("n")
        try session.waitFor("no more matches below")
        try session.press("q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("resizing while output streams keeps the step running and redraws at the new size")
    func resizeWhileStreaming() throws {
        // The step stops half way on this gate until the first resize is drawn: it is running then,
        // whatever the machine's speed.
        let gate = try NamedPipe(in: TemporaryFolder("runbook-stream"), name: "gate")
        let session = try TmuxSession([Self.fixture], environment: ["STREAM_GATE": gate.path])
        try Self.runStep(.streams, in: session)
        try session.waitFor("stream line 5")
        try session.resize(columns: 110, rows: 32)
        let wide = try session.waitForScreen("a redraw at 110 columns") { screen in
            screen.split(separator: "\n").contains { $0.count > 100 && $0.hasPrefix("└") }
        }
        #expect(!wide.contains("STREAM-FINISHED"), "the step was still running when the size changed")
        gate.release()
        try session.resize(columns: 60, rows: 20)
        try session.waitForScreen("a redraw at 60 columns") { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("└") && $0.count == 60 }
        }
        // The last line can reach the screen a frame before the step's end does: wait for both.
        let done = try session.waitForScreen("the step to finish and pass", timeout: .seconds(20)) { screen in
            screen.contains("STREAM-FINISHED") && screen.contains("passed")
        }
        #expect(done.contains("stream line 300"))
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("hostile output neither retitles the pane, clears the screen, nor writes the clipboard")
    func hostileOutput() throws {
        let session = try TmuxSession([Self.fixture])
        try session.waitFor("type to filter")
        let title = try session.display("#{pane_title}")
        try Self.runStep(.hostile, in: session)
        let screen = try session.waitFor("visible-after-hostile")
        try session.waitFor("passed")
        #expect(try session.display("#{pane_title}") == title)
        #expect(!screen.contains("EVIL"))
        // The frame around the output is intact: nothing cleared or moved the screen.
        #expect(screen.hasPrefix(" runbook › Runtime fixture › Hostile output"))
        #expect(screen.contains("┌─ Output"))
        // OSC 52 would have made a tmux buffer (set-clipboard is on in these sessions).
        #expect(try session.tmux("list-buffers").stdout.isEmpty)
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
    }

    @Test("an interactive step gets the real terminal, then the TUI comes back")
    func interactiveStep() throws {
        let session = try TmuxSession([Self.fixture])
        try Self.runStep(.interactive, in: session)
        try session.waitFor("type a word:")
        #expect(try session.display("#{alternate_on}") == "0", "the TUI gave the terminal up")
        try session.type("hello")
        try session.press("Enter")
        let back = try session.waitFor("passed")
        #expect(try session.display("#{alternate_on}") == "1")
        #expect(back.contains("Step ask"))
        try session.press("q", "q", "q", "q")
        #expect(try session.waitForExit() == 0)
        try TerminalRestoreTests.expectRestored(session)
        #expect(try session.screen().contains("you typed hello"))
    }

    @Test("colours and wheel reporting by default; NO_COLOR and RUNBOOK_MOUSE=off turn them off")
    func colourAndMouse() throws {
        /// Whether the captured screen (with its attributes) sets a foreground or background colour:
        /// an SGR parameter 30-38, 40-48, 90-97 or 100-107 (39 and 49 are the defaults).
        func hasColour(_ screen: String) -> Bool {
            screen.split(separator: "\u{1B}").contains { sequence in
                guard sequence.hasPrefix("["), let end = sequence.firstIndex(of: "m") else { return false }
                let parameters = sequence[sequence.index(after: sequence.startIndex)..<end].split(separator: ";")
                return parameters.compactMap { Int($0) }.contains {
                    (30...38).contains($0) || (40...48).contains($0) || (90...97).contains($0) || (100...107).contains($0)
                }
            }
        }
        let plain = try TmuxSession(["runbooks"])
        try plain.waitFor("type to filter")
        #expect(try plain.display("#{mouse_any_flag}") == "1")
        #expect(hasColour(try plain.tmux("capture-pane", "-p", "-e", "-t", "test").stdout))
        try plain.press("q")
        #expect(try plain.waitForExit() == 0)

        let bare = try TmuxSession(["runbooks"], environment: ["NO_COLOR": "1", "RUNBOOK_MOUSE": "off"])
        try bare.waitFor("type to filter")
        #expect(try bare.display("#{mouse_any_flag}") == "0")
        #expect(!hasColour(try bare.tmux("capture-pane", "-p", "-e", "-t", "test").stdout))
        try bare.press("q")
        #expect(try bare.waitForExit() == 0)
    }

    @Test("--trace writes the monotonic time of every key and frame")
    func trace() throws {
        let folder = Paths.temporaryFolder("runbook-trace")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/trace.log"
        let session = try TmuxSession(["--trace", file, Self.fixture])
        try session.waitFor("type to filter")
        try session.press("Enter")
        try session.waitFor("Entries (6)")
        try session.press("q")
        try session.waitFor("type to filter")
        try session.press("q")
        #expect(try session.waitForExit() == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let keys = lines.filter { $0.contains(" key ") }
        let frames = lines.filter { $0.contains(" frame ") }
        #expect(keys.count == 3)
        #expect(keys.first?.hasSuffix("key enter") == true)
        #expect(lines.first?.hasSuffix(" start") == true, "`start` comes first, before the first frame")
        #expect(frames.count >= 3, "a frame after each key, and the first")
        let times = lines.compactMap { $0.split(separator: " ").first.flatMap { Int64($0) } }
        #expect(times.count == lines.count)
        #expect(times == times.sorted(), "monotonic")
        // Each key is drawn before the next one is read.
        func time(_ line: Substring) -> Int64? { line.split(separator: " ").first.flatMap { Int64($0) } }
        for key in keys.dropLast() {
            let t = try #require(time(key), "no time in \(key)")
            #expect(frames.contains { (time($0) ?? .min) >= t })
        }
    }

    @Test("without a terminal, runbook explains where to go and exits 2")
    func notATerminal() throws {
        let run = try Subprocess.runbook([Paths.repository + "/runbooks"], environment: ["TERM": "xterm"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("needs a terminal"))
        #expect(run.stderr.contains("runbook list"))
        #expect(run.stderr.contains("runbook check"))
        // Subcommands still work without a terminal.
        let list = try Subprocess.runbook(["list", Paths.repository + "/runbooks"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("gke-staging-troubleshooting"))
    }

    @Test("with TERM=dumb, runbook does not touch the terminal and exits 2")
    func dumbTerminal() throws {
        let session = try TmuxSession(["runbooks"], preamble: "export TERM=dumb")
        #expect(try session.waitForExit() == 2)
        let screen = try session.screen()
        #expect(screen.contains("needs a terminal (TERM is dumb)"))
        try TerminalRestoreTests.expectRestored(session)
    }
}
