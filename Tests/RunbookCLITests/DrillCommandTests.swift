import Foundation
import RunbookTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `runbook drill` with the real binary, on the fixture drills in Tests/Fixtures/drills: the list,
/// the environment and workspace a `--` command sees, exit statuses, clean-up on every way out,
/// every kind of bad scenario, and the drill-marked journal of `runbook check` run inside a drill.
@Suite("runbook drill")
struct DrillCommandTests {
    let repo = ProgramRun.repository
    var runbooks: String { repo + "/Tests/Fixtures/drills/runbooks" }
    var drills: String { runbooks + "/drills" }
    /// A private folder per test: TMPDIR (so leftover workspaces are seen) and XDG_STATE_HOME.
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-drill-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        ["TMPDIR": folder + "/tmp", "XDG_STATE_HOME": folder + "/state", "RUNBOOK_PATH": runbooks]
    }

    func drill(_ args: [String], environment extra: [String: String] = [:]) throws -> ProgramRun {
        try ProgramRun.run(["drill"] + args, environment: environment.merging(extra) { _, b in b })
    }

    /// Workspaces left in the private TMPDIR.
    func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/tmp")) ?? []).filter { $0.hasPrefix("runbook-drill-") }
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    /// Whether `pid` has ended: no such process, or a zombie waiting to be reaped.
    static func isGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    // MARK: The list

    @Test("--list shows id, title and the entry drilled, from drills/ beside $RUNBOOK_PATH's runbooks")
    func listText() throws {
        defer { cleanUp() }
        let run = try drill(["--list"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout == """
                ID              TITLE               DRILLS
                widget-down     The widget is down  widget-down
                widget-healthy  A healthy widget    healthy

                """)
        let given = try drill(["--list", "--drills", drills], environment: ["RUNBOOK_PATH": "/nonexistent"])
        #expect(given.stdout == run.stdout)
        let none = try drill(["--list"], environment: ["RUNBOOK_PATH": folder])
        #expect(none.status == 2)
        #expect(none.stderr.contains("\(folder)/drills:1:1: error: no drills folder here: give one with --drills DIR"))
    }

    @Test("--list --json has the stable keys, entry null for the healthy drill")
    func listJSON() throws {
        defer { cleanUp() }
        let run = try drill(["--list", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows { #expect(Set(row.keys) == ["id", "title", "description", "entry", "runbook", "path"]) }
        try #require(rows.count > 1)
        #expect(rows[0]["id"] as? String == "widget-down")
        #expect(rows[0]["entry"] as? String == "widget-down")
        #expect(rows[0]["runbook"] as? String == runbooks + "/widget.md")
        #expect(rows[0]["path"] as? String == drills + "/widget-down.yaml")
        #expect(rows[1]["id"] as? String == "widget-healthy")
        #expect(rows[1]["entry"] is NSNull)
    }

    @Test("--list still lists the good scenarios when one is bad, prints its errors and exits 2")
    func listWithBadScenario() throws {
        defer { cleanUp() }
        let bad = folder + "/drills"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: drills + "/widget-healthy.yaml", toPath: bad + "/ok.yaml")
        try "title: x\n".write(toFile: bad + "/broken.yaml", atomically: true, encoding: .utf8)
        try "# not a scenario\n".write(toFile: bad + "/notes.txt", atomically: true, encoding: .utf8)
        // ok.yaml names its paths relative to itself: give it the fixture's through absolute paths.
        let okText = try String(contentsOfFile: bad + "/ok.yaml", encoding: .utf8)
            .replacingOccurrences(of: "../widget.md", with: runbooks + "/widget.md")
            .replacingOccurrences(of: "simulators/widget", with: drills + "/simulators/widget")
        try okText.write(toFile: bad + "/ok.yaml", atomically: true, encoding: .utf8)
        let run = try drill(["--list", "--drills", bad])
        #expect(run.status == 2)
        #expect(run.stdout.contains("ok  A healthy widget  healthy"))
        #expect(run.stderr.contains("\(bad)/broken.yaml:1:1: error: `description` is missing"))
    }

    // MARK: A command in the drill

    @Test("-- sh -c sees the contract's environment, the files and facts laid out, simulators first on PATH")
    func commandEnvironment() throws {
        defer { cleanUp() }
        let script = """
            set -u
            printf 'drill=%s\\n' "$RUNBOOK_DRILL"
            printf 'ws=%s\\n' "$RUNBOOK_DRILL_WORKSPACE"
            printf 'home=%s\\n' "$HOME"
            printf 'state=%s\\n' "$RUNBOOK_DRILL_STATE"
            printf 'repo=%s\\n' "$BACKEND_REPO"
            printf 'kube=%s\\n' "$KUBECONFIG"
            printf 'gcloud=%s\\n' "$CLOUDSDK_CONFIG"
            printf 'docker=%s\\n' "$DOCKER_CONFIG"
            printf 'path=%s\\n' "$PATH"
            printf 'pwd=%s\\n' "$(pwd)"
            printf 'mode=%s\\n' "$(stat -c %a "$RUNBOOK_DRILL_WORKSPACE")"
            printf 'fact=[%s]\\n' "$(cat "$RUNBOOK_DRILL_STATE/widget_state")"
            printf 'bytes=%s\\n' "$(wc -c < "$RUNBOOK_DRILL_STATE/restarts")"
            printf 'conf=%s\\n' "$(cat "$BACKEND_REPO/config/widget.conf")"
            printf 'dockerfile=%s\\n' "$(cat "$BACKEND_REPO/Dockerfile")"
            printf 'widgetctl=%s\\n' "$(command -v widgetctl)"
            printf 'curl=%s\\n' "$(command -v curl)"
            printf 'exec=%s\\n' "$(stat -c %a "$RUNBOOK_DRILL_WORKSPACE/bin/widgetctl")"
            printf 'runbook=%s\\n' "$(readlink -f "$(command -v runbook)")"
            widgetctl status
            curl -s https://example.com/ 2>&1; printf 'curl-status=%s\\n' "$?"
            """
        let run = try drill(["widget-down", "--", "sh", "-c", script])
        #expect(run.status == 0, "\(run.stderr)")
        var values: [String: String] = [:]
        for line in run.stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        let ws = try #require(values["ws"])
        #expect(ws.hasPrefix(folder + "/tmp/runbook-drill-widget-down-"))
        #expect(values["drill"] == "widget-down")
        #expect(values["home"] == ws + "/home")
        #expect(values["state"] == ws + "/state")
        #expect(values["repo"] == ws + "/repo")
        #expect(values["kube"] == ws + "/home/.kube/config")
        #expect(values["gcloud"] == ws + "/home/.config/gcloud")
        #expect(values["docker"] == ws + "/home/.docker")
        #expect(values["path"] == ws + "/bin:" + ProgramEnvironment.standardPath, "the drill's bin, then the PATH runbook got")
        #expect(values["pwd"] == FileManager.default.currentDirectoryPath, "the working directory is not changed")
        #expect(values["mode"] == "700")
        #expect(values["fact"] == "[down]")
        #expect(values["bytes"] == "1", "a fact's file has no trailing newline")
        #expect(values["conf"] == "port = 8080")
        #expect(values["dockerfile"] == "FROM scratch")
        #expect(values["widgetctl"] == ws + "/bin/widgetctl")
        #expect(values["curl"] == ws + "/bin/curl", "the simulator comes before the real curl")
        #expect(values["exec"] == "755")
        let binary = URL(fileURLWithPath: ProgramRun.binary).resolvingSymlinksInPath().path
        #expect(values["runbook"] == binary, "`runbook` in the drill is this build")
        #expect(run.stdout.contains("\nwidget: down\n"))
        #expect(run.stdout.contains("curl: not simulated in this drill: -s https://example.com/"))
        #expect(values["curl-status"] == "3")
        #expect(leftovers().isEmpty, "the workspace is removed after a normal exit")
        #expect(!FileManager.default.fileExists(atPath: ws))
    }

    @Test("the command's exit status is passed through, 128 + the signal when one killed it")
    func exitStatus() throws {
        defer { cleanUp() }
        #expect(try drill(["widget-down", "--", "sh", "-c", "exit 7"]).status == 7)
        #expect(try drill(["widget-down", "--", "true"]).status == 0)
        #expect(try drill(["widget-down", "--", "sh", "-c", "kill -KILL $$"]).status == 137)
        #expect(try drill(["widget-down", "--", "widgetctl", "frobnicate"]).status == 3)
        let missing = try drill(["widget-down", "--", "no-such-command-anywhere"])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("runbook drill: no-such-command-anywhere: command not found on the drill's PATH"))
        #expect(leftovers().isEmpty)
    }

    /// Starts `runbook drill widget-down -- sh -c …` whose command reports its workspace, its shell's
    /// pid and a background job's pid, then waits; returns them once reported.
    func startWaitingCommand() throws -> (StartedProgram, workspace: String, pids: [pid_t]) {
        let marker = folder + "/started"
        let script = """
            printf '%s %s\\n' "$RUNBOOK_DRILL_WORKSPACE" "$$" > \(marker).partial
            sleep 300 &
            printf '%s\\n' "$!" >> \(marker).partial
            mv \(marker).partial \(marker)
            wait
            """
        let started = try StartedProgram.start(
            ["drill", "widget-down", "--", "sh", "-c", script], environment: environment, folder: folder)
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline {
            usleep(20_000)  // poll interval: waiting for the command to report its workspace; bounded by the deadline
        }
        let text = try String(contentsOfFile: marker, encoding: .utf8)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        try #require(words.count == 3, "\(text)")
        let ws = words[0]
        return (started, ws, [words[1], words[2]].compactMap { pid_t($0) })
    }

    @Test("SIGTERM to runbook drill reaches the command's group, removes the workspace, exits 143")
    func sigterm() throws {
        defer { cleanUp() }
        let (started, ws, pids) = try startWaitingCommand()
        #expect(FileManager.default.fileExists(atPath: ws + "/state/widget_state"))
        kill(started.pid, SIGTERM)
        #expect(started.wait() == 143, "\(started.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws), "the workspace is removed")
        #expect(leftovers().isEmpty)
        for pid in pids {
            // A killed orphan stays a zombie until PID 1 reaps it, on its own schedule.
            let gone = Date().addingTimeInterval(10)
            while !Self.isGone(pid) && Date() < gone {
                usleep(20_000)  // poll interval: waiting for PID 1 to reap; bounded by the deadline
            }
            #expect(Self.isGone(pid), "process \(pid) of the command outlived the drill")
        }
    }

    @Test("kill -9 of runbook drill: the command's group ends and the workspace is removed all the same")
    func sigkill() throws {
        defer { cleanUp() }
        let (started, ws, pids) = try startWaitingCommand()
        kill(started.pid, SIGKILL)
        #expect(started.wait() == 128 + SIGKILL)
        #expect(KillTests.eventually(seconds: 10) { !FileManager.default.fileExists(atPath: ws) }, "the workspace is removed")
        for pid in pids {
            #expect(KillTests.eventually(seconds: 10) { Self.isGone(pid) }, "process \(pid) of the command outlived the drill")
        }
        #expect(KillTests.eventually(seconds: 10) { leftovers().isEmpty })
    }

    @Test("--keep leaves the workspace and says where it is")
    func keep() throws {
        defer { cleanUp() }
        let run = try drill(["widget-down", "--keep", "--", "sh", "-c", "widgetctl start; printf %s \"$RUNBOOK_DRILL_WORKSPACE\""])
        #expect(run.status == 0)
        let ws = run.stdout.replacingOccurrences(of: "widget started\n", with: "")
        #expect(run.stderr.contains("runbook drill: workspace kept: \(ws)"))
        #expect(FileManager.default.contents(atPath: ws + "/state/widget_state") == Data("up".utf8))
        #expect(leftovers().count == 1)
    }

    @Test("a scenario given by path runs too, and the drills folder can be given")
    func scenarioByPath() throws {
        defer { cleanUp() }
        let byPath = try drill(["\(drills)/widget-healthy.yaml", "--", "widgetctl", "status"], environment: ["RUNBOOK_PATH": "/nonexistent"])
        #expect(byPath.status == 0, "\(byPath.stderr)")
        #expect(byPath.stdout == "widget: up\n")
        let byFolder = try drill(["widget-healthy", "--drills", drills, "--", "widgetctl", "status"], environment: ["RUNBOOK_PATH": "/nonexistent"])
        #expect(byFolder.stdout == "widget: up\n")
    }

    // MARK: Bad scenarios

    @Test("every kind of bad scenario prints file:line:col: error: and exits 2, making no workspace")
    func badScenarios() throws {
        defer { cleanUp() }
        let bad = folder + "/drills"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        let head = """
            title: Bad
            description: A bad scenario.
            runbook: \(runbooks)/widget.md
            simulators: \(drills)/simulators/widget

            """
        let cases: [(name: String, text: String, expected: String)] = [
            ("unknown-key", head + "simulator: x\n", "unknown-key.yaml:5:1: error: unknown key `simulator`"),
            ("no-title", "description: d\nrunbook: \(runbooks)/widget.md\nsimulators: \(drills)/simulators/widget\n",
                "no-title.yaml:1:1: error: `title` is missing"),
            ("bad-fact", head + "state:\n  Widget-State: up\n", "bad-fact.yaml:6:3: error: fact name `Widget-State` is not valid"),
            ("escape", head + "files:\n  ../../etc/passwd: \(drills)/files/widget.conf\n",
                "escape.yaml:6:3: error: workspace path `../../etc/passwd` goes up with `..`"),
            ("absolute", head + "files:\n  /etc/passwd: \(drills)/files/widget.conf\n",
                "absolute.yaml:6:3: error: workspace path `/etc/passwd` starts with `/`"),
            ("missing-file", head + "files:\n  a.conf: files/none.conf\n", "missing-file.yaml:6:11: error: file `files/none.conf` not found"),
            ("no-runbook", head.replacingOccurrences(of: "widget.md", with: "gone.md"), "no-runbook.yaml:3:10: error: runbook `\(runbooks)/gone.md` not found"),
            ("no-entry", head + "entry: widget-sideways\n", "no-entry.yaml:5:8: error: the runbook has no entry `widget-sideways`: use one of widget-down"),
            ("list", "- title: x\n", "list.yaml:1:1: error: a scenario must be a mapping of keys to values"),
            ("syntax", "title: [unclosed\n", "syntax.yaml:2:1: error: invalid YAML: "),
            ("wrong-id", "id: another\n" + head, "wrong-id.yaml:1:5: error: `id` is `another` but the file is wrong-id.yaml"),
        ]
        for c in cases {
            let path = bad + "/" + c.name + ".yaml"
            try c.text.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try drill([c.name, "--drills", bad, "--", "true"])
            #expect(run.status == 2, "\(c.name): \(run.stderr)")
            #expect(run.stderr.hasPrefix(bad + "/" + c.expected), "\(c.name): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let unknown = try drill(["widget-sideways", "--", "true"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("\(drills)/widget-sideways.yaml:1:1: error: no drill scenario `widget-sideways` in \(drills): known: widget-down, widget-healthy"))
        #expect(leftovers().isEmpty)
    }

    @Test("usage errors: no scenario, --list with a scenario")
    func usage() throws {
        defer { cleanUp() }
        let none = try drill([])
        #expect(none.status == 64)
        #expect(none.stderr.contains("name a drill (runbook drill --list shows them), or give --list"))
        let both = try drill(["--list", "widget-down"])
        #expect(both.status == 64)
        let help = try ProgramRun.run(["drill", "--help"])
        #expect(help.stdout.contains("runbook drill ssl-required -- runbook check"))
        let top = try ProgramRun.run(["--help"])
        #expect(top.stdout.contains("drill"))
    }

    @Test("the interactive view without a terminal points to -- COMMAND and makes no workspace")
    func noTerminal() throws {
        defer { cleanUp() }
        let run = try drill(["widget-down"], environment: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("the interactive view needs a terminal"))
        #expect(run.stderr.contains("runbook drill widget-down -- COMMAND"))
        #expect(leftovers().isEmpty)
    }

    // MARK: The journal

    @Test("-- runbook check reaches the scenario's entry, and its journal is marked as the drill's, outside the workspace")
    func journal() throws {
        defer { cleanUp() }
        let run = try drill(["widget-down", "--", "runbook", "check", runbooks + "/widget.md", "--triage", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(report["entry"] as? String == "widget-down", "\(run.stdout)")
        let sessions = folder + "/state/runbook/sessions"
        let ids = try FileManager.default.contentsOfDirectory(atPath: sessions)
        try #require(ids.count == 1, "\(ids)")
        let first = try #require(
            try String(contentsOfFile: sessions + "/" + ids[0] + "/journal.jsonl", encoding: .utf8).split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let session = try #require(record["session"] as? [String: Any])
        #expect(record["type"] as? String == "session_started")
        #expect(session["drill"] as? Bool == true)
        #expect(session["drill_scenario"] as? String == "widget-down")
        #expect(session["mode"] as? String == "check")
        let listed = try ProgramRun.run(["sessions"], environment: environment)
        #expect(listed.stdout.contains("check DRILL widget-down"), "\(listed.stdout)")
        let json = try ProgramRun.run(["sessions", "--json"], environment: environment)
        #expect(json.stdout.contains("\"drill_scenario\" : \"widget-down\""))
        let timeline = try ProgramRun.run(["report", ids[0]], environment: environment)
        #expect(timeline.stdout.contains("**DRILL** (simulated environment, scenario `widget-down`)"))
        // Outside a drill the same check is not marked.
        let plain = try ProgramRun.run(["check", runbooks + "/widget.md", "--triage"], environment: environment)
        #expect(plain.status != 0, "widgetctl is not on PATH outside the drill")
        let plainSessions = try ProgramRun.run(["sessions", "--json"], environment: environment)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(plainSessions.stdout.utf8)) as? [[String: Any]])
        // Both sessions may start in the same second: their order is not known, their marks are.
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["drill"] as? Bool == (row["id"] as? String == ids[0]), "\(row)")
        }
    }

    @Test("in the healthy drill the fixture's verification passes; after a fix in the failing one it passes too")
    func verification() throws {
        defer { cleanUp() }
        let healthy = try drill(["widget-healthy", "--", "runbook", "check", runbooks + "/widget.md", "--entry", "widget-down"])
        #expect(healthy.stdout.contains("PASS widget-up"), "\(healthy.stdout)")
        let broken = try drill(["widget-down", "--", "runbook", "check", runbooks + "/widget.md", "--entry", "widget-down"])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("FAIL widget-up"), "\(broken.stdout)")
        let fixed = try drill(["widget-down", "--", "sh", "-c", "widgetctl start >/dev/null && runbook check \"$1\" --entry widget-down", "sh", runbooks + "/widget.md"])
        #expect(fixed.status == 0, "\(fixed.stdout)")
    }
}
