import Foundation
import RunbookTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The real `runbook` binary in a pane of a private tmux server, for end-to-end tests.
///
/// Each session has its own server (`tmux -L <unique> -f /dev/null`, so no user configuration
/// applies), a fixed size, `LANG=C.UTF-8`, its own `HOME`, `XDG_*` folders and `TMPDIR`, the standard
/// `PATH` (``ProgramEnvironment``), and its own folder for the files the
/// pane script writes: the terminal modes (`stty -g`) before and after `runbook`, then its exit
/// status. Tests send keys and poll `capture-pane` until what they wait for is on the screen; a
/// timeout fails with the last screen in the message. No fixed sleeps. The server is killed when the
/// session goes away.
final class TmuxSession {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let socket: String
    let folder: String
    private let clientEnvironment: [String: String]
    /// `runbook` and its arguments, quoted for a shell.
    let commandLine: String
    private var killed = false

    /// Starts `runbook arguments...` in a new server, `columns` × `rows`, from `workingDirectory`
    /// (the repository by default). `environment` is added to the pane's environment. With
    /// `interactiveShell`, the pane runs an interactive bash (job control on, prompt `$ `) instead,
    /// and `runbook` is typed at its prompt with ``startInShell()``: for Ctrl-Z and `fg`.
    init(
        _ arguments: [String], columns: Int = 80, rows: Int = 24, environment: [String: String] = [:],
        workingDirectory: String = Paths.repository, preamble: String = "", interactiveShell: Bool = false
    ) throws {
        folder = Paths.temporaryFolder("runbook-tui-test")
        socket = "runbook-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Nothing of the developer's environment: HOME, the XDG folders and TMPDIR are the session's own,
        // PATH is the standard one (tests that need more say so).
        var env = try ProgramEnvironment.make(
            in: folder,
            overrides: [
                "TERM": "xterm-256color",
                // Steps' private folders: in the session's folder, so a runbook ended by a signal leaves none in /tmp.
                "XDG_RUNTIME_DIR": folder,
                "TMUX_TMPDIR": folder,
            ])
        env["SWIFT_BACKTRACE"] = nil
        for (k, v) in environment { env[k] = v }
        clientEnvironment = env

        let quoted = ([Paths.binary] + arguments).map(Self.quote).joined(separator: " ")
        commandLine = quoted
        let script = interactiveShell ? """
            cd \(Self.quote(workingDirectory)) || exit 1
            unset SWIFT_BACKTRACE TMUX
            \(preamble)
            PS1='$ ' exec bash --norc --noprofile -i
            """ : """
            cd \(Self.quote(workingDirectory)) || exit 1
            unset SWIFT_BACKTRACE TMUX
            \(preamble)
            stty -g > \(Self.quote(folder + "/stty-before"))
            \(quoted)
            echo $? > \(Self.quote(folder + "/status.partial"))
            stty -g > \(Self.quote(folder + "/stty-after"))
            mv \(Self.quote(folder + "/status.partial")) \(Self.quote(folder + "/status"))
            echo '[runbook exited]'
            exec sleep 100000
            """
        try script.write(toFile: folder + "/run.sh", atomically: true, encoding: .utf8)
        let started = try tmux(
            "new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "-s", "test", "sh \(Self.quote(folder + "/run.sh"))",
            ";", "set-option", "-g", "set-clipboard", "on")
        guard started.status == 0 else {
            throw Failure(description: "tmux new-session failed (\(started.status)): \(started.stderr)")
        }
    }

    deinit { kill() }

    /// Stops the server (the pane gets SIGHUP) and removes the session's folder.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? tmux("kill-server")
        _ = try? FileManager.default.removeItem(atPath: folder)
    }

    // MARK: Driving

    @discardableResult
    func tmux(_ arguments: String...) throws -> Subprocess {
        try Subprocess.run(["tmux", "-L", socket, "-f", "/dev/null"] + arguments, environment: clientEnvironment)
    }

    /// Types the `runbook` command line at the interactive shell's prompt and presses Enter.
    func startInShell() throws {
        try type(commandLine)
        try press("Enter")
    }

    /// Pastes `text` as a terminal does with bracketed paste on (`paste-buffer -p`: the marks are
    /// sent only when the application asked for them).
    func paste(_ text: String) throws {
        try tmux("set-buffer", "--", text)
        try tmux("paste-buffer", "-p", "-t", "test")
    }

    /// Sends keys by tmux name: `"Enter"`, `"Down"`, `"C-c"`, `"q"`.
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "test"] + keys)
    }

    /// Types `text` literally. tmux reads an argument that ends in `;` as the end of a command (and
    /// drops the `;`), so a trailing `;` goes as `\;`, which tmux turns back into `;`.
    func type(_ text: String) throws {
        let argument = text.hasSuffix(";") ? String(text.dropLast()) + "\\;" : text
        try tmux(["send-keys", "-t", "test", "-l", argument])
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> Subprocess {
        try Subprocess.run(["tmux", "-L", socket, "-f", "/dev/null"] + arguments, environment: clientEnvironment)
    }

    /// The pane's text now.
    func screen() throws -> String {
        try tmux("capture-pane", "-p", "-t", "test").stdout
    }

    /// A tmux format evaluated for the pane, e.g. `#{pane_title}`, `#{alternate_on}`.
    func display(_ format: String) throws -> String {
        try tmux("display-message", "-p", "-t", "test", format).stdout.trimmingCharacters(in: .newlines)
    }

    func resize(columns: Int, rows: Int) throws {
        try tmux("resize-window", "-t", "test", "-x", "\(columns)", "-y", "\(rows)")
    }

    // MARK: Waiting

    /// Polls the screen until `predicate` holds on a whole redraw (the same screen in two captures in
    /// a row: a capture can fall in the middle of one, showing half a dialog); returns that screen.
    /// Fails after `timeout` with `what` and the last screen.
    @discardableResult
    func waitForScreen(
        _ what: String, timeout: Duration = .seconds(15), _ predicate: (String) -> Bool
    ) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        var previous: String?
        while true {
            last = try screen()
            if last == previous, predicate(last) { return last }
            previous = last
            if ContinuousClock.now >= deadline {
                throw Failure(description: "timed out waiting for \(what); the screen was:\n\(last)")
            }
            usleep(25_000)  // poll interval of a deadline-bounded wait, not a timing assumption
        }
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(15)) throws -> String {
        try waitForScreen("“\(text)”", timeout: timeout) { $0.contains(text) }
    }

    /// Polls `condition` (not the screen) until it holds; fails after `timeout` with `what`.
    func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            if ContinuousClock.now >= deadline {
                let last = (try? screen()) ?? ""
                throw Failure(description: "timed out waiting for \(what); the screen was:\n\(last)")
            }
            usleep(25_000)  // poll interval of a deadline-bounded wait, not a timing assumption
        }
    }

    /// Waits for `runbook` to exit and returns its status (as the pane's shell saw it: 128 + the
    /// signal when one ended it).
    func waitForExit(timeout: Duration = .seconds(20)) throws -> Int32 {
        let path = folder + "/status"
        try waitUntil("runbook to exit", timeout: timeout) { FileManager.default.fileExists(atPath: path) }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The terminal modes (`stty -g`) before `runbook` started and after it ended.
    func terminalModes() -> (before: String, after: String) {
        func read(_ name: String) -> String {
            ((try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "<missing \(name)>")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (read("stty-before"), read("stty-after"))
    }

    /// The pid of the running `runbook` (a child of the pane's shell), once it is there.
    func runbookPID(timeout: Duration = .seconds(10)) throws -> pid_t {
        let shell = pid_t(try display("#{pane_pid}")) ?? -1
        var found: pid_t?
        try waitUntil("the runbook process", timeout: timeout) {
            found = ProcessTable.snapshot().children(of: shell).first { $0.command == "runbook" }?.pid
            return found != nil
        }
        return found!
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
