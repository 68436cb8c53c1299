import ArgumentParser
import CSystem
import Foundation
import RunbookKit
import RunbookRunner
import RunbookTUI

#if canImport(Glibc)
import Glibc
#endif

/// `runbook drill`: practise a runbook in a simulated environment broken in one known way.
struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Practise a runbook in a simulated environment: list the drills, open one, or run a command in it.",
        discussion: """
            A drill is a scenario file (YAML) in the drills folder: by default `drills/` in the first \
            runbooks folder ($RUNBOOK_PATH's first entry, else ./runbooks). It makes a private \
            workspace under $TMPDIR (the scenario's files in repo/, its facts in state/, its \
            simulators and this `runbook` in bin/, a HOME in home/) and opens the interactive view on \
            the scenario's runbook with a DRILL banner, or with `--` runs COMMAND there and exits \
            with its status (128 + the signal when a signal ended it). The steps, or COMMAND, get \
            the drill's environment: bin/ first on PATH, HOME, RUNBOOK_DRILL (the scenario's id), \
            RUNBOOK_DRILL_WORKSPACE, RUNBOOK_DRILL_STATE, BACKEND_REPO, KUBECONFIG, CLOUDSDK_CONFIG, \
            DOCKER_CONFIG. Sessions are journalled as drills. The workspace is removed when the drill \
            ends, also on SIGINT, SIGTERM and SIGHUP, unless --keep is given. A scenario that does \
            not load prints its errors and exits 2. See docs/drills.md.

            Examples:
              runbook drill --list
              runbook drill ssl-required
              runbook drill ssl-required -- runbook check runbooks/gke-staging-troubleshooting.md --triage
              runbook drill healthy -- runbook check runbooks/gke-staging-pre-deploy.md --checklist pre-deploy-checklist
              runbook drill ssl-required --keep -- sh -c 'kubectl get pods; ls "$BACKEND_REPO"'
              runbook drill my-drill --drills ../team-runbooks/drills
              runbook drill ../team-runbooks/drills/my-drill.yaml
            """
    )

    @Flag(help: "List the drills: id, title and the entry drilled (or healthy).")
    var list = false

    @Flag(help: "With --list: print JSON, an array of {id, title, description, entry, runbook, path}.")
    var json = false

    @Option(help: ArgumentHelp("The folder of scenario files (default: drills/ in the first runbooks folder).", valueName: "DIR"))
    var drills: String?

    @Flag(help: "Keep the workspace at the end and print where it is (to debug a drill).")
    var keep = false

    @Argument(help: "A drill's id, or the path of a scenario file (.yaml).")
    var scenario: String?

    @Argument(parsing: .postTerminator, help: ArgumentHelp("After `--`: a command to run in the drill instead of the interactive view.", valueName: "COMMAND"))
    var command: [String] = []

    func validate() throws {
        if list {
            if scenario != nil || !command.isEmpty { throw ValidationError("--list takes no scenario or command") }
            if keep { throw ValidationError("--keep goes with a scenario, not --list") }
        } else {
            if scenario == nil { throw ValidationError("name a drill (runbook drill --list shows them), or give --list") }
            if json { throw ValidationError("--json goes with --list") }
        }
    }

    /// The drills folder: --drills, else `drills/` in the first folder runbooks are opened from.
    var drillsFolder: String {
        if let drills { return drills }
        let first = defaultRunbookPaths().first ?? "runbooks"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory), !isDirectory.boolValue {
            return (first as NSString).deletingLastPathComponent.isEmpty
                ? "drills" : (first as NSString).deletingLastPathComponent + "/drills"
        }
        return (first.hasSuffix("/") ? String(first.dropLast()) : first) + "/drills"
    }

    func run() throws {
        if list { return try listScenarios() }
        guard let scenario else { throw ExitCode(2) }
        if command.isEmpty {
            // Before anything is made: this may start the program again.
            let environment = ProcessInfo.processInfo.environment
            if let reason = TerminalCheck.whyNot(environment: environment) {
                printError(
                    """
                    runbook drill: the interactive view needs a terminal (\(reason)).
                      runbook drill \(scenario) -- COMMAND    runs a command in the drill instead
                    """)
                throw ExitCode(2)
            }
            if environment["SWIFT_BACKTRACE"] == nil { OpenCommand.restartWithQuietCrashReports() }
        }
        let loaded = try load(scenario)

        // Signals are caught from here on, so that the workspace is removed whatever ends the drill.
        let signals: SignalPipe
        do {
            signals = try SignalPipe(signals: SignalPipe.headless)
        } catch {
            printError("runbook drill: \(error)")
            throw ExitCode(2)
        }

        let inherited = ProcessInfo.processInfo.environment
        guard let executable = DrillWorkspace.currentExecutable() else {
            printError("runbook drill: cannot find this program's executable (/proc/self/exe)")
            throw ExitCode(2)
        }
        // Whatever ends this process, SIGKILL included, the watcher stops the drill's processes and
        // removes the workspace.
        let runGuard = startRunGuard(inherited)
        defer { runGuard?.end() }
        let workspace: DrillWorkspace
        do {
            workspace = try DrillWorkspace.create(for: loaded, environment: inherited, executable: executable)
        } catch {
            printError("runbook drill: cannot make the workspace: \(error)")
            throw ExitCode(2)
        }
        if !keep { runGuard?.watchFolder(workspace.root) }
        var environment = workspace.environment(inheriting: inherited)
        if let lab = loaded.lab {
            // The lab's servers carry the run's mark, so that the watcher kills them if this process dies.
            var labEnvironment = environment
            if let folder = runGuard?.folder { labEnvironment["RUNBOOK_RUN"] = folder }
            switch Self.runLab(lab, "start", environment: labEnvironment) {
            case .success(let exported):
                for (name, value) in exported { environment[name] = value }
                // A folder the lab made outside the workspace (the server's socket: its path must be short).
                if !keep, let outside = environment["RUNBOOK_DRILL_LAB_FOLDER"], outside.hasPrefix("/") {
                    runGuard?.watchFolder(outside)
                }
            case .failure(let problem):
                printError("runbook drill: the drill's lab did not start: \(problem)")
                _ = Self.runLab(lab, "stop", environment: labEnvironment)
                finish(workspace)
                throw ExitCode(2)
            }
        }
        let status: Int32
        if let early = signals.drain().first {
            status = 128 + early
        } else if command.isEmpty {
            status = openInteractiveView(loaded, environment: environment, runFolder: runGuard?.folder)
        } else {
            status = runCommand(environment: environment, signalFD: signals.readFD)
        }
        if let lab = loaded.lab { _ = Self.runLab(lab, "stop", environment: environment) }
        finish(workspace)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the scenario's lab script with `action` (`start` or `stop`) in the workspace's
    /// environment; its standard error is this program's. On success, the `NAME=VALUE` lines it
    /// printed (added to the drill's environment); on failure, why.
    static func runLab(_ lab: String, _ action: String, environment: [String: String]) -> Result<[(String, String)], LabFailure> {
        // posix_spawn and waitpid, not Foundation's Process: this process's signal handling leaves
        // Process waiting for an exit it never sees.
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            return .failure(LabFailure(description: "cannot make a pipe: \(String(cString: strerror(errno)))"))
        }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(lab), strdup(action), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, lab, &actions, nil, argv, envp)
        close(pipeFDs[1])
        guard code == 0 else {
            close(pipeFDs[0])
            return .failure(LabFailure(description: "cannot run \(lab): \(String(cString: strerror(code)))"))
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        close(pipeFDs[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard (status & 0x7f) == 0, (status >> 8) & 0xff == 0 else {
            return .failure(LabFailure(description: "`\(lab) \(action)` failed (wait status \(status))"))
        }
        var exported: [(String, String)] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "="), line[..<eq].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }),
                line[..<eq].hasPrefix("RUNBOOK_DRILL_")
            else { continue }
            exported.append((String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        return .success(exported)
    }

    struct LabFailure: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: The list

    func listScenarios() throws {
        let folder = drillsFolder
        let files: [String]
        do {
            files = try DrillScenarioLoader.scenarioFiles(in: folder)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        var scenarios: [DrillScenario] = []
        var failed = false
        let loader = DrillScenarioLoader()
        for file in files {
            do {
                scenarios.append(try loader.load(path: file))
            } catch {
                for d in error.diagnostics { printError(d.description) }
                failed = true
            }
        }
        if json {
            struct Row: Encodable {
                let id: String
                let title: String
                let description: String
                let entry: String?
                let runbook: String
                let path: String
                func encode(to encoder: any Encoder) throws {
                    enum Key: String, CodingKey { case id, title, description, entry, runbook, path }
                    var c = encoder.container(keyedBy: Key.self)
                    try c.encode(id, forKey: .id)
                    try c.encode(title, forKey: .title)
                    try c.encode(description, forKey: .description)
                    try c.encode(entry, forKey: .entry)  // null for the healthy drill, not left out
                    try c.encode(runbook, forKey: .runbook)
                    try c.encode(path, forKey: .path)
                }
            }
            let rows = scenarios.map {
                Row(id: $0.id, title: $0.title, description: $0.description, entry: $0.entry, runbook: $0.runbook, path: $0.path)
            }
            print(try RunbookJSON.encode(rows))
        } else {
            print(Self.table(scenarios, folder: folder))
        }
        if failed { throw ExitCode(2) }
    }

    static func table(_ scenarios: [DrillScenario], folder: String) -> String {
        if scenarios.isEmpty { return "no drills in \(TerminalSafeText.make(folder))" }
        let header = ["ID", "TITLE", "DRILLS"]
        let cells = scenarios.map { [$0.id, $0.title, $0.drills].map(TerminalSafeText.make) }
        return TextTable.render(header: header, rows: cells)
    }

    // MARK: A drill

    func load(_ name: String) throws -> DrillScenario {
        do {
            let file = try DrillScenarioLoader.locate(name, drills: drillsFolder)
            return try DrillScenarioLoader().load(path: file)
        } catch let error as LoadError {
            printError(error.description)
            throw ExitCode(2)
        } catch let error as DrillScenarioError {
            for d in error.diagnostics { printError(d.description) }
            throw ExitCode(2)
        }
    }

    /// `-- COMMAND ARGS...`: found on the drill's PATH, run in the foreground; its exit status.
    func runCommand(environment: [String: String], signalFD: Int32) -> Int32 {
        guard let executable = ForegroundCommand.find(command[0], path: environment["PATH"]) else {
            printError("runbook drill: \(command[0]): command not found on the drill's PATH")
            return 127
        }
        // The terminal, when this process is in its foreground (not started in the background).
        var terminal: Int32?
        if isatty(STDIN_FILENO) != 0, tcgetpgrp(STDIN_FILENO) == getpgrp() { terminal = STDIN_FILENO }
        let run = ForegroundCommand(executable: executable, arguments: command, environment: environment)
        do {
            switch try run.run(terminal: terminal, signalFD: signalFD).status {
            case .exited(let code): return code
            case .signaled(let signal): return 128 + signal
            }
        } catch {
            printError("runbook drill: \(error.message)")
            return error.code == ENOENT || error.code == EACCES ? 126 : 2
        }
    }

    /// The TUI on the scenario runbook's folder, opened on its runbook; its exit status.
    func openInteractiveView(_ scenario: DrillScenario, environment: [String: String], runFolder: String?) -> Int32 {
        let folder = (scenario.runbook as NSString).deletingLastPathComponent
        let library = RunbookLibrary.load([folder.isEmpty ? "." : folder])
        let wanted = Self.canonical(scenario.runbook)
        var options = AppOptions(today: today(), environment: environment)
        options.drill = true
        options.probesContext = true
        options.drillId = scenario.id
        options.drillTitle = scenario.title
        options.initialRunbookPath = library.runbooks.first { Self.canonical($0.path) == wanted }?.path
        options.monochrome = !(environment["NO_COLOR"] ?? "").isEmpty
        let runtime = RuntimeOptions(environment: environment, runFolder: runFolder)
        return TerminalApp.run(library: library, options: options, runtime: runtime)
    }

    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A signal that arrived while the workspace was being made.
    func finish(_ workspace: DrillWorkspace) {
        if keep {
            printError("runbook drill: workspace kept: \(workspace.root) (remove it with `rm -rf` when done)")
            return
        }
        do {
            try workspace.remove()
        } catch {
            printError("runbook drill: cannot remove the workspace: \(error)")
        }
    }
}
