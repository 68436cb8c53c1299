import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The seven failure drills of the staging troubleshooting runbook, each walked end to end the way a
/// trainee walks it: `runbook drill ID` in tmux, the real TUI under the DRILL banner, triage by the
/// tree's probes (run by the drill's simulators) to the scenario's entry, the verification step
/// failing, the runbook's own fix steps (each confirmed after reading its command; edits made by the
/// scripts in Tests/Fixtures/drills/editors as $EDITOR; missing values typed in), and the same
/// verification passing. Then q, a journal marked as the drill's, and no workspace left.
///
/// Each story is a small table: the suggested answers, the option, the fix steps, the editor script,
/// the verification step. The fix steps are held to the runbook (`runbook show --json`): the steps of
/// the entry's Fix section for the option, less the ones the story leaves out with the runbook's
/// reason; each is found on the entry screen by its title and checked by its id before `y`. The
/// pane's PATH holds only local tools, so nothing but the simulators answers for kubectl, gcloud,
/// docker or curl. The cases run one after another, about 2 to 6 s each.
@Suite("end to end: drill journeys", .serialized)
struct DrillJourneyTests {
    static let runbooks = Paths.repository + "/runbooks"
    static let troubleshooting = runbooks + "/gke-staging-troubleshooting.md"
    static let editors = Paths.repository + "/Tests/Fixtures/drills/editors"

    /// What the trainee types when a step asks for a value nobody gave yet (secrets, all of them).
    static let typedValues = ["DB_PASSWORD": "Vq7LmT2rPz9KwB4nYc8HdF3sJa6GeU1xZo5RtN0"]
    /// The password of the instance's `postgres` user, typed at the prompt of `gcloud sql connect`.
    static let postgresPassword = "postgres-password"
    static var secrets: [String] { Array(typedValues.values) + [postgresPassword] }

    /// One scenario's story.
    struct Journey: CustomTestStringConvertible, Sendable {
        var scenario: String
        /// The answer the probe suggests at each question, as the tree words it (its beginning).
        var answers: [String]
        /// The fix option chosen, where the entry has several (the beginning of its title).
        var option: String? = nil
        /// The steps run from the Fix section, in order: the runbook's fix path for the option (fixes
        /// and the checks between them), less `leaveOut`. The test holds this to the runbook.
        var fix: [String]
        /// Steps of the fix path the trainee leaves out, and why (the runbook says when they apply).
        var leaveOut: [String: String] = [:]
        /// The edit step and the EDITOR script (Tests/Fixtures/drills/editors) that makes the guide's change.
        var editor: (step: String, script: String)? = nil
        /// The interactive step that opens a psql session: the trainee types the postgres password and
        /// then the runbook's SQL block that follows the step.
        var psql: String? = nil
        /// The step of the Verify section that fails before the fix and passes after it (one that a
        /// wrong fix leaves failing).
        var verify: String
        var testDescription: String { scenario + (option.map { " (\($0))" } ?? "") }
    }

    static let journeys: [Journey] = [
        Journey(
            scenario: "gcr-shutdown",
            answers: ["ImagePullBackOff or ErrImagePull", "gcr.io/coditect-cloud-infra or insufficient_scope"],
            fix: [
                "enable-artifact-registry-api", "create-repository", "list-repositories", "grant-node-pull-access",
                "rewrite-manifest-image", "configure-docker-auth", "build-and-push-image", "apply-deployment",
            ],
            verify: "pods-running"),
        Journey(
            scenario: "wrong-platform",
            answers: ["CrashLoopBackOff", "exec format error"],
            fix: [
                "buildx-version", "create-builder", "bootstrap-builder", "inspect-builder", "build-amd64-image",
                "inspect-pushed-image",
            ],
            leaveOut: ["buildx-install": "only if `docker buildx version` fails, and it passes"],
            verify: "container-architecture"),
        Journey(
            scenario: "nonroot-permissions",
            answers: ["CrashLoopBackOff", "ModuleNotFoundError or Permission denied"],
            fix: ["edit-dockerfile", "rebuild-image", "restart-for-new-image"],
            editor: ("edit-dockerfile", "dockerfile-nonroot"),
            verify: "container-imports-django"),
        Journey(
            scenario: "ssl-required",
            answers: ["CrashLoopBackOff", "valid client certificate or pg_hba.conf rejects"],
            option: "Option A",
            fix: ["disable-require-ssl", "require-ssl-disabled"],
            verify: "database-version"),
        Journey(
            scenario: "db-user-missing",
            answers: ["CrashLoopBackOff", "password authentication failed or does not exist"],
            fix: [
                "instance-runnable", "create-database-user", "list-database-users", "list-databases",
                "recreate-backend-secrets", "describe-backend-secrets", "restart-after-secret", "connect-as-postgres",
                "run-migrations",
            ],
            leaveOut: [
                "reset-database-user-password": "only if the user exists, and it does not (it is created)",
                "create-database": "only if the database does not exist, and it does (Check the databases passes)",
            ],
            psql: "connect-as-postgres",
            verify: "django-database-check"),
        Journey(
            scenario: "allowed-hosts",
            answers: ["waiting= ready=false", "statuscode: 400"],
            option: "Option A",
            fix: ["edit-configmap-wildcard", "apply-configmap-wildcard", "restart-after-wildcard"],
            editor: ("edit-configmap-wildcard", "allowed-hosts-wildcard"),
            verify: "health-with-pod-ip-host"),
        Journey(
            scenario: "probe-scheme",
            answers: ["waiting= ready=false", "https:// or context deadline exceeded"],
            fix: ["edit-probes", "apply-probe-fix", "pod-probe-config"],
            editor: ("edit-probes", "probe-scheme-http"),
            verify: "probe-fix-rollout"),
    ]

    // MARK: The runbook, as `runbook show --json` gives it

    struct Step {
        var id: String
        var title: String
        var role: String
        /// The role is given in the step's attributes (`role=verify`): a check inside the Fix section.
        var explicitRole: Bool
        var option: String?
        var interactive: Bool
        /// Confirmed before it runs: a fix (the "Run this fix?" dialog).
        var asks: Bool { role == "fix" }
    }

    struct Entry {
        var id: String
        var title: String
        var steps: [Step]
    }

    static func show() throws -> [String: Any] {
        let run = try Subprocess.runbook(["show", "--json", troubleshooting])
        try #require(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func entry(_ id: String) throws -> Entry {
        let entries = try #require(try show()["entries"] as? [[String: Any]])
        let e = try #require(entries.first { $0["id"] as? String == id }, "no entry \(id) in the runbook")
        let steps = (e["steps"] as? [[String: Any]] ?? []).map { s in
            let attributes = s["attributes"] as? [String: Any] ?? [:]
            return Step(
                id: s["id"] as? String ?? "", title: s["title"] as? String ?? "",
                role: s["role"] as? String ?? "", explicitRole: attributes["role"] is String,
                option: s["option"] as? String, interactive: attributes["interactive"] as? Bool ?? false)
        }
        return Entry(id: id, title: e["title"] as? String ?? id, steps: steps)
    }

    /// The entry a scenario drills (its `entry:`).
    static func drilledEntry(_ scenario: String) throws -> String { try scenarioValue("entry", scenario) }

    /// The scenario's title (its `title:`), which the DRILL banner shows.
    static func scenarioTitle(_ scenario: String) throws -> String {
        try scenarioValue("title", scenario).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// A one-line top-level value of a scenario file.
    static func scenarioValue(_ key: String, _ scenario: String) throws -> String {
        let text = try String(contentsOfFile: runbooks + "/drills/\(scenario).yaml", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(key + ":") }, "\(scenario).yaml has no \(key)")
        return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }

    /// The steps of the entry's Fix section for `option`, in the runbook's order: the fixes and the
    /// checks the Fix section runs on the way (steps with an explicit role).
    static func fixPath(_ entry: Entry, option: String?) -> [Step] {
        entry.steps.filter { s in
            (s.role == "fix" || s.explicitRole) && (s.option == nil || option.map { s.option?.hasPrefix($0) == true } ?? false)
        }
    }

    /// The lines of the first ```sql block after the step named `step` (what the runbook says to run at
    /// the step's prompt).
    static func sqlBlock(after step: String) throws -> [String] {
        let lines = try String(contentsOfFile: troubleshooting, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.contains("name=\(step)") }, "no step \(step)")
        let fence = try #require(lines[start...].firstIndex { $0.hasPrefix("```sql") }, "no sql block after \(step)")
        let end = try #require(lines[(fence + 1)...].firstIndex { $0.hasPrefix("```") })
        return lines[(fence + 1)..<end].map(String.init)
    }

    // MARK: The journey

    @Test("a drill from the DRILL banner through triage, a failing check, the runbook's fix, to a passing check", arguments: journeys)
    func journey(_ journey: Journey) throws {
        let entryID = try Self.drilledEntry(journey.scenario)
        let entry = try Self.entry(entryID)
        let path = Self.fixPath(entry, option: journey.option).filter { journey.leaveOut[$0.id] == nil }
        try #require(path.map(\.id) == journey.fix, "the runbook's fix path for \(entryID) \(journey.option ?? "") is \(path.map(\.id))")
        for id in journey.leaveOut.keys {
            #expect(Self.fixPath(entry, option: journey.option).contains { $0.id == id }, "\(id) is not a fix step of the path")
        }
        if let editor = journey.editor {
            #expect(path.contains { $0.id == editor.step && $0.interactive }, "\(editor.step) is not an edit step of the path")
        }
        let verify = try #require(
            entry.steps.first { $0.id == journey.verify && $0.role == "verify" && !$0.explicitRole }, "no step \(journey.verify) in Verify")
        let title = try Self.scenarioTitle(journey.scenario)

        let drill = try DrillPane(journey.scenario, editor: journey.editor.map { Self.editors + "/" + $0.script } ?? "/bin/false")
        defer { drill.close() }
        let session = drill.session

        // The drill opens on the runbook under the banner, with a workspace.
        let first = try session.waitFor("Entries (")
        #expect(first.hasPrefix(" DRILL: " + title.prefix(30)), "the banner heads the screen:\n\(first)")
        #expect(first.contains("Backend staging on GKE: troubleshooting"))
        #expect(drill.workspaces().count == 1, "one workspace while the drill runs: \(drill.workspaces())")

        // Triage: at each question the probe suggests the answer; follow it.
        try session.press("t")
        try session.waitFor("What state is the backend pod in?")
        for (n, answer) in journey.answers.enumerated() {
            let question = try session.screen()
            try session.press("p")
            let probed = try session.waitForScreen("the probe to suggest “\(answer)” (question \(n + 1))", timeout: .seconds(20)) { screen in
                Self.lines(screen).contains { $0.hasPrefix("›") && $0.contains(answer) && $0.contains("◆ suggested") }
            }
            #expect(!probed.contains("not simulated in this drill"), "\(probed)")
            try session.press("Enter")
            try session.waitForScreen("the next screen after “\(answer)”") { $0 != question && !$0.contains("◆ suggested") }
        }
        let reached = try session.waitForScreen("the entry's Fix section") { Self.lines($0).contains { $0.hasPrefix(" Fix") } }
        #expect(Self.lines(reached).dropFirst().first == " " + entry.title, "on the entry:\n\(reached)")
        #expect(reached.hasPrefix(" DRILL: "), "the banner stays:\n\(reached)")

        // The verification fails.
        var screen = try run(verify, in: entry, option: journey.option, session)
        #expect(Self.result(screen) == "✗ failed", "\(verify.id) fails before the fix:\n\(screen)")
        try back(session)

        // The runbook's fix, step by step, choosing the option first.
        if let option = journey.option {
            try select(Self.optionLine(option), in: session)
            try session.press("Enter")
            try session.waitForScreen("option “\(option)” chosen") { Self.lines($0).contains { $0.contains("● \(option)") } }
        }
        for step in path {
            screen = try run(step, in: entry, option: journey.option, psql: journey.psql, session)
            try #require(Self.result(screen) == "✓ passed", "fix step \(step.id) passes:\n\(screen)")
            try back(session)
        }

        // The same verification passes.
        screen = try run(verify, in: entry, option: journey.option, session, expecting: "✓ passed")
        try back(session)

        // Leave; the journal is the drill's, the workspace is gone.
        #expect(try JourneyTests.leave(session) == 0)
        try TerminalRestoreTests.expectRestored(session)
        #expect(drill.workspaces().isEmpty, "the workspace is removed after q: \(drill.workspaces())")
        let records = try JourneyTests.journal(session)
        let started = try #require(records.first { $0["type"] as? String == "session_started" }?["session"] as? [String: Any])
        #expect(started["drill"] as? Bool == true)
        #expect(started["drill_scenario"] as? String == journey.scenario)
        let ran = Set([verify.id] + path.map(\.id))
        let story = JourneyTests.story(records).filter { ran.contains(String($0.split(separator: ":").first ?? "")) }
        #expect(story == ["\(verify.id):failed"] + path.map { "\($0.id):passed" } + ["\(verify.id):passed"])
        #expect(JourneyTests.story(records).contains("decision:entry_reached"))
        let journal = try journalText(session)
        for secret in Self.secrets {
            #expect(!journal.contains(secret), "a typed secret reached the journal")
        }
    }

    // MARK: Steps on the entry screen

    /// Selects the step's line, runs it as the trainee would (confirming a fix after checking the
    /// dialog names it, typing a missing value, answering an interactive step's prompts), and returns
    /// the step screen once its result is shown (`expecting` a given one, else either).
    @discardableResult
    func run(
        _ step: Step, in entry: Entry, option: String?, psql: String? = nil, _ session: TmuxSession, expecting: String? = nil
    ) throws -> String {
        let occurrence = Self.listed(entry, option: option)
            .filter { $0.title.prefix(Self.titlePrefix) == step.title.prefix(Self.titlePrefix) }
            .firstIndex { $0.id == step.id } ?? 0
        try select(String(step.title.prefix(Self.titlePrefix)), occurrence: occurrence, in: session)
        try session.press("Enter")

        let deadline = ContinuousClock.now + .seconds(30)
        var typed = Set<String>()
        var exchanges = step.id == psql ? try Self.psqlExchanges(after: step.id) : []
        var last = ""
        while true {
            let screen = try session.screen()
            if ContinuousClock.now >= deadline {
                throw TmuxSession.Failure(description: "timed out running \(step.id) (\(expecting ?? "any result")); the screen was:\n\(screen)")
            }
            if Self.secrets.contains(where: screen.contains) {
                throw TmuxSession.Failure(description: "a typed secret is on the screen while \(step.id) runs")
            }
            // Act on a whole redraw only: the same screen twice in a row (a capture can fall in the
            // middle of one, showing half a dialog).
            guard screen == last else {
                last = screen
                usleep(25_000)  // poll interval of a deadline-bounded wait, not a timing assumption
                continue
            }
            let header = Self.lines(screen).first ?? ""
            if header.contains("› Step \(step.id)"), let result = Self.result(screen), expecting == nil || result == expecting {
                return screen
            }
            if header.contains("› Step "), !header.contains("› Step \(step.id)") {
                throw TmuxSession.Failure(description: "opened another step than \(step.id); the screen was:\n\(screen)")
            }
            if screen.contains("Run this fix?") {
                #expect(step.asks, "\(step.id) asked first, but it is not a fix")
                #expect(screen.contains("step \(step.id) · "), "the dialog names the step:\n\(screen)")
                try session.press("y")
                try session.waitForScreen("the dialog to close") { !$0.contains("Run this fix?") }
                continue
            }
            if screen.contains("needs a value before it runs"),
               let row = Self.lines(screen).first(where: { $0.hasPrefix("›") }),
               let name = row.dropFirst().split(separator: " ").first.map(String.init), !typed.contains(name) {
                let value = try #require(Self.typedValues[name], "\(step.id) asks for \(name), which the story does not know:\n\(screen)")
                typed.insert(name)
                try session.type(value)
                try session.press("Enter")
                continue
            }
            if let next = exchanges.first, Self.count(next.prompt, in: screen) >= next.seen {
                exchanges.removeFirst()
                try session.type(next.text)
                try session.press("Enter")
                continue
            }
            usleep(25_000)  // poll interval of a deadline-bounded wait, not a timing assumption
        }
    }

    /// What the trainee types at `gcloud sql connect`: the postgres password, then the runbook's SQL,
    /// each after its prompt has appeared (`seen` counts the prompts on the screen).
    static func psqlExchanges(after step: String) throws -> [(prompt: String, seen: Int, text: String)] {
        let sql = try sqlBlock(after: step).filter { !$0.isEmpty }
        return [("Password:", 1, Self.postgresPassword)] + sql.enumerated().map { ("postgres=>", $0.offset + 1, $0.element) }
    }

    /// Back from a step screen to the entry.
    func back(_ session: TmuxSession) throws {
        try session.press("q")
        try session.waitForScreen("the entry screen") { Self.lines($0).contains { $0.hasPrefix("› ") } && !$0.contains("Success indicators") }
    }

    static let titlePrefix = 40

    /// The entry's steps in the order the entry screen lists them: diagnosis, fixes (those of the
    /// chosen option), verification (with the checks of the Fix section), then the rest.
    static func listed(_ entry: Entry, option: String?) -> [Step] {
        let shown = entry.steps.filter { s in
            s.role != "fix" || s.option == nil || option.map { s.option?.hasPrefix($0) == true } ?? false
        }
        let group = ["diagnose": 0, "fix": 1, "verify": 2]
        return shown.enumerated().sorted { (group[$0.element.role] ?? 3, $0.offset) < (group[$1.element.role] ?? 3, $1.offset) }.map(\.element)
    }

    static func optionLine(_ option: String) -> String { "○ " + option }

    /// Moves the selection (`›`) to the `occurrence`-th line (from the top) that contains `text`: to
    /// the top first, then down one line at a time; fails with the screen when the list ends first.
    func select(_ text: String, occurrence: Int = 0, in session: TmuxSession) throws {
        try session.press("g")
        try session.waitForScreen("the selection at the top") { screen in
            !screen.contains("▲") && Self.selected(screen) != nil && Self.selected(screen) == Self.firstSelectable(screen)
        }
        var screen = try settled(session)
        var seen = 0
        for _ in 0..<80 {
            if let line = Self.selected(screen), line.contains(text) {
                if seen == occurrence { return }
                seen += 1
            }
            let before = screen
            try session.press("Down")
            do {
                screen = try session.waitForScreen("the selection to move", timeout: .seconds(10)) {
                    $0 != before && Self.selected($0) != nil
                }
            } catch {
                throw TmuxSession.Failure(description: "no line “\(text)” (#\(occurrence + 1)) to select; the screen was:\n\(before)")
            }
        }
        throw TmuxSession.Failure(description: "gave up looking for “\(text)”; the screen was:\n\(screen)")
    }

    /// The screen once it shows one selected line (waitForScreen returns only whole redraws).
    func settled(_ session: TmuxSession) throws -> String {
        try session.waitForScreen("one selected line") { Self.selected($0) != nil }
    }

    static func lines(_ screen: String) -> [String] { screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// The selected line of a list screen, when there is exactly one.
    static func selected(_ screen: String) -> String? {
        let marked = lines(screen).filter { $0.hasPrefix("›") }
        return marked.count == 1 ? marked[0] : nil
    }

    /// The first line of the entry's lists (the first diagnosis step), selected or not.
    static func firstSelectable(_ screen: String) -> String? {
        let all = lines(screen)
        guard let heading = all.firstIndex(of: " Diagnosis") else { return nil }
        return all[(heading + 1)...].first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// The result shown under a step's command: `✓ passed` or `✗ failed`.
    static func result(_ screen: String) -> String? {
        for line in lines(screen).prefix(12) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("✓ passed") { return "✓ passed" }
            if t.hasPrefix("✗ failed") { return "✗ failed" }
        }
        return nil
    }

    static func count(_ text: String, in screen: String) -> Int { screen.components(separatedBy: text).count - 1 }

    func journalText(_ session: TmuxSession) throws -> String {
        let root = session.folder + "/state/runbook/sessions"
        let ids = try FileManager.default.contentsOfDirectory(atPath: root)
        return try ids.map { try String(contentsOfFile: root + "/" + $0 + "/journal.jsonl", encoding: .utf8) }.joined()
    }
}

/// `runbook drill SCENARIO` in a tmux pane whose PATH holds only local tools (no real kubectl,
/// gcloud, docker, curl or any other network tool), with its own TMPDIR to watch the workspace.
final class DrillPane {
    let session: TmuxSession
    let scenario: String
    let tmp: String
    let bin: String

    init(_ scenario: String, editor: String) throws {
        self.scenario = scenario
        let tmp = Paths.temporaryFolder("runbook-drill-journey")
        let bin = Paths.temporaryFolder("runbook-drill-journey-bin")
        do {
            try Self.layLocalTools(into: bin)
            session = try TmuxSession(
                ["drill", scenario], columns: 100, rows: 30,
                environment: ["RUNBOOK_PATH": DrillJourneyTests.runbooks, "TMPDIR": tmp, "EDITOR": editor],
                preamble: "export PATH=\(TmuxSession.quote(bin))")
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            try? FileManager.default.removeItem(atPath: bin)
            throw error
        }
        self.tmp = tmp
        self.bin = bin
    }

    func close() {
        session.kill()
        try? FileManager.default.removeItem(atPath: tmp)
        try? FileManager.default.removeItem(atPath: bin)
    }

    func workspaces() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasPrefix("runbook-drill-\(scenario)-") }
    }

    /// The local tools the pane's script, the runbooks, the simulators and the editor scripts use.
    static func layLocalTools(into bin: String) throws {
        let tools = [
            "bash", "sh", "env", "cat", "grep", "sed", "awk", "tail", "head", "base64", "cut", "tr", "wc", "sort",
            "date", "readlink", "dirname", "basename", "mktemp", "mv", "rm", "mkdir", "chmod", "sha256sum", "sleep",
            "openssl", "timeout", "true", "false", "ls", "printf", "echo", "test", "tee", "uniq", "cp", "stty",
        ]
        for tool in tools {
            guard let found = ["/usr/bin/", "/bin/"].map({ $0 + tool }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
            else { continue }
            try FileManager.default.createSymbolicLink(atPath: bin + "/" + tool, withDestinationPath: found)
        }
    }
}
