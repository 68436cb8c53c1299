import Foundation
import RunbookTestSupport
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `runbook check`, `sessions` and `report` on a fixture whose steps are real shell commands.
@Suite("runbook check, sessions and report")
struct CheckCommandTests {
    let fixture = ProgramRun.repository + "/Tests/Fixtures/check-fixture.md"
    /// Removed after each test, with the sessions in it.
    let temporary: TemporaryFolder
    let state: String
    let home: String

    init() throws {
        temporary = try TemporaryFolder("runbook-check")
        let base = temporary.path
        state = base + "/state"
        home = base + "/xdg"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "pod-1 CrashLoopBackOff\n".write(toFile: state + "/status", atomically: true, encoding: .utf8)
        try "FATAL: password authentication failed for user\n".write(toFile: state + "/logs", atomically: true, encoding: .utf8)
        try "pulled image\n".write(toFile: state + "/events", atomically: true, encoding: .utf8)
    }

    func check(_ args: [String], password: String = "s3cr3t-Value-42") throws -> ProgramRun {
        try ProgramRun.run(
            ["check", fixture, "--set", "STATE_DIR=\(state)"] + args,
            environment: ["XDG_STATE_HOME": home, "DB_PASSWORD": password])
    }

    func sessionFolders() throws -> [String] {
        let root = home + "/runbook/sessions"
        return try FileManager.default.contentsOfDirectory(atPath: root).sorted().map { root + "/" + $0 }
    }

    @Test("triage runs real probes and reaches the right entry")
    func triage() throws {
        let run = try check(["--triage", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(obj["entry"] as? String == "database-user")
        #expect(obj["path"] as? [String] == ["What state is the pod in?", "CrashLoopBackOff: the container crashes", "What do the logs say?", "password authentication failed: Database user"])
        try "FATAL DisallowedHost at /\n".write(toFile: state + "/logs", atomically: true, encoding: .utf8)
        let other = try check(["--triage", "--format", "json"])
        #expect(other.stdout.contains("\"entry\" : \"allowed-hosts\""))
        try "pod-1 Running\n".write(toFile: state + "/status", atomically: true, encoding: .utf8)
        let none = try check(["--triage", "--format", "json"])
        #expect(none.status == 1)
        #expect(none.stdout.contains("\"entry\" : null"))
    }

    @Test("exit 0 when the checks pass, 1 when one fails, 2 when they cannot run")
    func exitCodes() throws {
        #expect(try check(["--entry", "pull-failure"]).status == 0)
        try "nothing\n".write(toFile: state + "/events", atomically: true, encoding: .utf8)
        let failing = try check(["--entry", "pull-failure"])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("✗ FAIL pull-ok"))
        let unknown = try check(["--entry", "no-such-entry"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no entry `no-such-entry`"))
        let missing = try ProgramRun.run(["check", fixture, "--entry", "pull-failure"], environment: ["XDG_STATE_HOME": home])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("variable STATE_DIR has no value (step `pull-ok` needs it)"))
        let badFile = try ProgramRun.run(["check", "/no/such.md"], environment: ["XDG_STATE_HOME": home])
        #expect(badFile.status == 2)
    }

    @Test("variables assigned by a step reach later steps; fix steps never run")
    func assignmentsAndNoFixes() throws {
        let run = try check(["--entry", "database-user", "--format", "json"])
        #expect(run.status == 1, "db-login fails: the fix did not run")
        #expect(!FileManager.default.fileExists(atPath: state + "/db"), "a fix step ran")
        try "fixed\n".write(toFile: state + "/db", atomically: true, encoding: .utf8)
        let fixed = try check(["--entry", "database-user", "--format", "json"])
        #expect(fixed.status == 0, "\(fixed.stdout)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        let cases = ((report["suites"] as? [[String: Any]])?.first?["cases"] as? [[String: Any]]) ?? []
        #expect(cases.map { $0["id"] as? String } == ["read-password", "db-login"])
        let tail = cases.last?["output_tail"] as? [String]
        #expect(tail?.first == "login as staging with ••••••", "the assigned value reached the later step, masked")
    }

    @Test("a value with shell syntax is data: nothing it says is executed")
    func injection() throws {
        let marker = state + "/pwned"
        let run = try check(["--entry", "database-user", "--set", "NAMESPACE=$(touch \(marker)); touch \(marker)"])
        #expect(run.status == 1)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(run.stdout.contains("login as $(touch \(marker)); touch \(marker) with"))
    }

    @Test("a secret appears in no file of the session folder and in no report")
    func secretsStayOut() throws {
        let secret = "s3cr3t-Value-42"
        _ = try check(["--entry", "database-user", "--spool-output"], password: secret)
        let folder = try #require(try sessionFolders().last)
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let f = enumerator?.nextObject() as? String { files.append(folder + "/" + f) }
        #expect(files.contains { $0.hasSuffix("journal.jsonl") })
        #expect(files.contains { $0.contains("/output/") }, "the spool was written")
        for file in files {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: file, isDirectory: &isDir)
            if isDir.boolValue { continue }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!text.contains(secret), "\(file) holds the secret")
            var st = stat()
            stat(file, &st)
            #expect(st.st_mode & 0o777 == 0o600, "\(file) is not private")
        }
        var st = stat()
        stat(folder, &st)
        #expect(st.st_mode & 0o777 == 0o700)
        let id = URL(fileURLWithPath: folder).lastPathComponent
        for format in ["md", "json"] {
            let report = try ProgramRun.run(["report", id, "--format", format], environment: ["XDG_STATE_HOME": home])
            #expect(report.status == 0)
            #expect(!report.stdout.contains(secret))
            #expect(report.stdout.contains("password is ••••••"))
        }
    }

    @Test("a time-out fails the step with the reason and leaves no process behind")
    func timeout() throws {
        // Only the processes of this run count: they carry its mark in their environment.
        let marker = ProcessMarker()
        defer { marker.killAll() }
        try "pod-1 CrashLoopBackOff\n".write(toFile: state + "/status", atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(
            ["check", fixture, "--set", "STATE_DIR=\(state)", "--entry", "allowed-hosts"],
            environment: ["XDG_STATE_HOME": home].merging(marker.environment) { $1 })
        #expect(run.status == 1)
        #expect(run.stdout.contains("timed out"))
        // Nothing the step started survives it (its group was killed).
        #expect(marker.survivors().isEmpty, "left running: \(marker.living())")
    }

    @Test("the checklist runs its checkable items; a manual one is reported, failing only with --strict")
    func checklist() throws {
        let run = try check(["--checklist", "checklist", "--format", "junit"])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("<skipped message=\"no command: tick it by hand\"/>"))
        let parser = XMLParser(data: Data(run.stdout.utf8))
        #expect(parser.parse())
        let strict = try check(["--checklist", "checklist", "--strict"])
        #expect(strict.status == 1)
        let unknown = try check(["--checklist", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("use one of checklist"))
    }

    @Test("--dry-run shows commands with values and runs nothing")
    func dryRun() throws {
        let run = try check(["--entry", "database-user", "--dry-run"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("printf 'password is %s\\n' \"••••••\""))
        #expect(run.stdout.contains("printf 'login as %s with %s\\n' \"staging\""))
        #expect(!run.stdout.contains("create-user"), "fix steps are not part of a check")
        #expect((try? sessionFolders())?.isEmpty ?? true, "a dry run records no session")
    }

    @Test("sessions lists what ran; report turns a journal cut short by kill -9 into a timeline")
    func killedSession() throws {
        // A step that keeps writing until the tool is killed.
        let dir = temporary.path + "/kill"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/long.md"
        try """
            ---
            version: 1.0.0
            ---
            # Long

            ## Long step

            ### Verify

            ```sh {name=forever}
            i=0; while true; do i=$((i+1)); echo "line $i"; done
            ```

            - exit 0
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let marker = ProcessMarker()
        defer { marker.killAll() }
        // XDG_RUNTIME_DIR: the step's private folder, which the killed tool cannot remove, is made in
        // the test's folder rather than in /tmp.
        let program = try StartedProgram.start(
            ["check", file], environment: ["XDG_STATE_HOME": home, "XDG_RUNTIME_DIR": dir].merging(marker.environment) { $1 },
            folder: dir)
        let pid = program.pid
        // Wait until the journal has output in it, then kill -9 the tool in mid-stream.
        let deadline = Date().addingTimeInterval(20)
        var journalPath: String?
        while Date() < deadline {
            if let folder = try? sessionFolders().last, let data = FileManager.default.contents(atPath: folder + "/journal.jsonl"),
                String(decoding: data, as: UTF8.self).contains("\"output\"")
            {
                journalPath = folder + "/journal.jsonl"
                break
            }
            usleep(20_000)  // poll interval until the journal has output, bounded by the deadline
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let path = try #require(journalPath)
        let id = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
        let sessions = try ProgramRun.run(["sessions"], environment: ["XDG_STATE_HOME": home])
        #expect(sessions.stdout.contains(id))
        #expect(sessions.stdout.contains("unfinished"))
        let report = try ProgramRun.run(["report", id], environment: ["XDG_STATE_HOME": home])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("verify `forever`"))
        #expect(report.stdout.contains("line 1"))
        #expect(report.stdout.contains("- Result: unfinished"))
        // The run watcher ended the orphaned step: the tool itself could not, it was SIGKILLed.
        #expect(marker.survivors().isEmpty, "the step's loop outlived runbook: \(marker.living())")
    }
}

/// `runbook check --entry ID --option X`: only the checks of the fix option that was applied.
@Suite("runbook check --option")
struct CheckOptionTests {
    static let runbook = """
        ---
        id: options
        title: Options
        version: 1.0.0
        ---

        # Options

        ## Database login

        ### Fix

        #### Option A: Reset the password (staging only)

        ```sh {name=reset}
        echo reset
        ```

        ```sh {name=password-reset role=verify}
        echo "password not reset"
        ```

        - contains `password reset`

        #### Option B: Recreate the Secret

        ```sh {name=recreate}
        echo recreate
        ```

        ```sh {name=secret-recreated role=verify}
        echo "secret recreated"
        ```

        - contains `secret recreated`

        ### Verify

        ```sh {name=login}
        echo "login ok"
        ```

        - contains `login ok`

        """

    let folder: String
    let file: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-option-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        file = folder + "/options.md"
        try Self.runbook.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func check(_ args: [String]) throws -> ProgramRun {
        try ProgramRun.run(["check", file] + args + ["--format", "json"], environment: ["XDG_STATE_HOME": folder + "/state"])
    }

    /// The ids of the report's cases, with their outcomes.
    func cases(_ run: ProgramRun) throws -> [String: String] {
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\(run.stderr)")
        var out: [String: String] = [:]
        for suite in obj["suites"] as? [[String: Any]] ?? [] {
            for c in suite["cases"] as? [[String: Any]] ?? [] {
                out[c["id"] as? String ?? "?"] = c["outcome"] as? String
            }
        }
        return out
    }

    @Test("without --option every option's checks run, so option A's failing check fails the entry")
    func everyOption() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try check(["--entry", "database-login"])
        #expect(run.status == 1)
        #expect(try cases(run) == ["password-reset": "failed", "secret-recreated": "passed", "login": "passed"])
    }

    @Test("--option B runs option B's checks and the entry's own, not option A's", arguments: ["B", "option b", "Option B: Recreate the Secret"])
    func optionB(name: String) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try check(["--entry", "database-login", "--option", name])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try cases(run) == ["secret-recreated": "passed", "login": "passed"])
    }

    @Test("--option A fails on option A's check")
    func optionA() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try check(["--entry", "database-login", "--option", "A"])
        #expect(run.status == 1)
        #expect(try cases(run) == ["password-reset": "failed", "login": "passed"])
    }

    @Test("an unknown option names the entry's options; --option without one --entry is refused")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unknown = try check(["--entry", "database-login", "--option", "C"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no fix option `C` in entry `database-login`: use one of `Option A: Reset the password (staging only)`, `Option B: Recreate the Secret`"))
        let alone = try check(["--option", "B"])
        #expect(alone.status != 0)
        #expect(alone.stderr.contains("--option needs exactly one --entry"))
    }
}
