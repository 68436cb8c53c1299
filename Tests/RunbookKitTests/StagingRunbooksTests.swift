import Foundation
import Testing
@testable import RunbookKit

/// The staging runbooks in runbooks/: the whole reference guide, walkable by the tool.
@Suite("staging runbooks")
struct StagingRunbooksTests {
    static let folder: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path + "/runbooks"
    }()

    func load(_ name: String) throws -> Runbook {
        try RunbookLoader().load(path: Self.folder + "/" + name)
    }

    var issues: [Entry] {
        get throws { try load("gke-staging-troubleshooting.md").entries.filter { $0.title.hasPrefix("Issue ") } }
    }

    @Test("every runbook has front matter: id, its version, the guide's dates")
    func frontMatter() throws {
        // 1.1.0: the repository's files are reached through BACKEND_REPO, edits open $EDITOR.
        // Troubleshooting 1.2.0, onboarding 1.1.0: steps whose command exits non-zero when all is well
        // say so (`exit 0 or 1`), or no longer exit non-zero then; a failing kubectl fails them.
        // Troubleshooting 1.3.0: no check changes anything (read-only commands, fixes moved to Fix, two
        // `docker run` checks vouched for).
        // Troubleshooting and pre-deploy 2.0.0 (2026-12-06): indicators proven on real output (labelled
        // examples), sslMode instead of requireSsl, checks that read what they test.
        // Patch releases 2.0.1, 2.0.1 and 1.1.1: each declares its context (kube: a staging cluster,
        // project: $PROJECT).
        let versions = [
            "gke-staging-troubleshooting.md": ("2.0.1", "2026-12-06", "2027-06-06"),
            "gke-staging-pre-deploy.md": ("2.0.1", "2026-12-06", "2027-06-06"),
            "gke-staging-onboarding.md": ("1.1.1", "2025-12-01", "2026-01-01"),
        ]
        for (name, (version, updated, reviewBy)) in versions {
            let r = try load(name)
            #expect(r.id + ".md" == name)
            #expect(r.version == SemanticVersion(version), "\(name)")
            #expect(r.updated == CalendarDate(updated))
            #expect(r.reviewBy == CalendarDate(reviewBy))
            #expect(r.diagnostics.filter { $0.severity != .note }.isEmpty, "\(r.diagnostics)")
            #expect(r.context.map(\.name) == ["kube", "project"], "\(name)")
            #expect(r.context.first?.expect == "*staging*")
            #expect(r.context.last?.expect == "$PROJECT")
        }
    }

    @Test("lint finds no error and no warning but the overdue review: no check changes anything")
    func lintClean() throws {
        var loaded: [String: Runbook] = [:]
        for name in ["gke-staging-troubleshooting.md", "gke-staging-pre-deploy.md", "gke-staging-onboarding.md"] {
            loaded[Self.folder + "/" + name] = try load(name)
        }
        let linter = RunbookLinter(today: CalendarDate(year: 2025, month: 12, day: 15)!)
        for runbook in loaded.values {
            let findings = linter.lint(runbook) { loaded[$0] }
            #expect(findings.filter { $0.severity != .note }.isEmpty, "\(findings.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test("every check of the troubleshooting and pre-deploy runbooks carries a healthy and a failing example, and each is judged as labelled")
    func examplesProveIndicators() throws {
        for name in ["gke-staging-troubleshooting.md", "gke-staging-pre-deploy.md"] {
            let r = try load(name)
            let checks = r.allSteps.filter { ($0.role == .verify || $0.role == .diagnose) && $0.isRunnable && !$0.indicators.isEmpty }
            #expect(checks.count > 15, "\(name)")
            for step in checks {
                let labels = Set(step.examples.map(\.label))
                #expect(labels == [.healthy, .failing], "\(name): \(step.id) has \(labels)")
            }
            for j in ExampleJudgement.judgeAll(r) where !j.agrees {
                Issue.record("\(name):\(j.example.location.line): \(j.step.id): the example \(j.example.summary) is judged \(j.outcome)")
            }
        }
    }

    @Test("the tracker's findings stay fixed: checks read what they test, current tools and settings")
    func findingsFixed() throws {
        let tb = try load("gke-staging-troubleshooting.md")
        let pre = try load("gke-staging-pre-deploy.md")
        func step(_ r: Runbook, _ id: String) throws -> Step { try #require(r.allSteps.first { $0.id == id }, "\(id)") }
        // No grep that drops the evidence the indicators look for.
        for id in ["database-startup-logs", "database-and-migration-logs"] {
            #expect(!(try step(tb, id)).command.contains("grep"), "\(id)")
        }
        // Windows that hold what they test: no -A N window after the probe lines.
        for id in ["liveness-probe-config", "liveness-over-http", "pod-probe-config"] {
            let s = try step(tb, id)
            #expect(!s.command.contains("-A "), "\(id)")
            #expect(s.indicators.contains { $0.text.contains("Readiness") }, "\(id) does not check the readiness probe")
        }
        // A login that really connects, and rows rather than names.
        #expect(!(try step(tb, "django-database-check")).command.contains("check --database"))
        #expect((try step(tb, "current-user-and-database")).indicators.contains { if case .matches = $0.kind { true } else { false } })
        // sslMode, not the legacy requireSsl; pg_stat_ssl, not sslinfo's ssl_is_used().
        for (r, id) in [(tb, "require-ssl-setting"), (tb, "require-ssl-disabled"), (tb, "disable-require-ssl"), (pre, "ssl-requirement-handled")] {
            let c = try step(r, id).command
            #expect(!c.contains("requireSsl") && !c.contains("require-ssl"), "\(id)")
            #expect(c.contains("sslMode") || c.contains("--ssl-mode"), "\(id)")
        }
        #expect((try step(tb, "ssl-in-use")).command.contains("pg_stat_ssl"))
        #expect(!(try step(tb, "buildx-install")).command.contains("buildx install"))
        // Old events: the current pods' state or events, not the namespace's last hour.
        #expect(!(try step(tb, "pull-events")).command.contains("Events:"))
        #expect((try step(tb, "recent-probe-failures")).command.contains("involvedObject.name="))
        #expect(!(try step(tb, "probe-fix-rollout")).indicators.contains { $0.text.contains("coditect-backend") })
        #expect((try step(tb, "run-migrations")).role == .fix)
        // The node account: exactly it, and the Compute Engine default account for `default`.
        let pull = try step(pre, "node-account-can-pull").command
        #expect(pull.contains("grep -Fx") && pull.contains("-compute@developer.gserviceaccount.com") && pull.contains("-z \"$GKE_SA\""))
    }

    @Test("the troubleshooting runbook has the guide's seven issues, each complete")
    func sevenIssues() throws {
        let issues = try self.issues
        #expect(issues.count == 7)
        for (n, issue) in issues.enumerated() {
            #expect(issue.title.hasPrefix("Issue \(n + 1):"))
            for role in [SectionRole.symptoms, .cause, .fix, .verify, .prevention] {
                #expect(issue.text(of: role) != nil, "\(issue.title) has no \(role) section")
            }
            #expect(issue.steps.contains { $0.role == .fix }, "\(issue.title) has no fix step")
            #expect(issue.steps.contains { $0.role == .verify }, "\(issue.title) has no verify step")
            for step in issue.steps where step.role == .verify && step.isRunnable {
                #expect(!step.indicators.isEmpty, "\(step.id) has no indicator")
            }
            for step in issue.steps where step.role == .fix {
                #expect(step.needsConfirmation, "\(step.id) would run without confirmation")
            }
        }
    }

    @Test("the symptoms quote the guide's exact error messages")
    func exactErrorMessages() throws {
        let issues = try self.issues
        let expected: [[String]] = [
            ["pull access denied, repository does not exist or may require authorization", "insufficient_scope: authorization failed", "ImagePullBackOff"],
            ["no match for platform in manifest", "exec /usr/local/bin/python: exec format error"],
            ["ModuleNotFoundError: No module named 'django'", "[Errno 13] Permission denied: '/app/staticfiles'"],
            ["FATAL: connection requires a valid client certificate", "pg_hba.conf rejects connection for host"],
            ["FATAL: password authentication failed for user \"coditect_app\"", "FATAL: role \"coditect_app\" does not exist"],
            ["Invalid HTTP_HOST header: '10.56.2.20:8000'.", "DisallowedHost at /api/v1/health/live"],
            ["context deadline exceeded (Client.Timeout exceeded while awaiting headers)", "Liveness probe failed"],
        ]
        for (issue, messages) in zip(issues, expected) {
            let symptoms = issue.text(of: .symptoms) ?? ""
            for m in messages {
                #expect(symptoms.contains(m), "\(issue.title): symptoms lack \(m)")
            }
        }
    }

    @Test("the options the guide offers are a choice, not a sequence")
    func fixOptions() throws {
        let issues = try self.issues
        try #require(issues.count > 5)
        #expect(issues[3].fixOptions.count >= 2, "SSL: \(issues[3].fixOptions)")
        #expect(issues[5].fixOptions.count >= 3, "ALLOWED_HOSTS: \(issues[5].fixOptions)")
        #expect(issues[3].fixOptions.first?.lowercased().contains("staging") == true)
    }

    @Test("every issue is reached from the tree by a branch a probe can suggest")
    func treeReachesEveryIssue() throws {
        let runbook = try load("gke-staging-troubleshooting.md")
        let tree = try #require(runbook.decisionTree)
        #expect(tree.roots.first?.probe != nil, "the first question runs a probe")
        // Each node with its parent, to know which probe output a pattern is matched against.
        var pairs: [(node: TreeNode, parent: TreeNode?)] = tree.roots.map { ($0, nil) }
        var k = 0
        while k < pairs.count {
            pairs += pairs[k].node.children.map { ($0, pairs[k].node) }
            k += 1
        }
        for issue in try issues {
            let leading = pairs.filter { $0.node.target == LinkTarget(file: nil, anchor: issue.anchor) }
            #expect(!leading.isEmpty, "\(issue.title) is not reached")
            let suggested = leading.filter { !$0.node.patterns.isEmpty && $0.parent?.probe != nil }
            #expect(!suggested.isEmpty, "no probe suggests \(issue.title)")
        }
        // Every entry with steps is reached (quick reference, appendix included).
        let targets = Set(tree.allNodes.compactMap { $0.target?.anchor })
        for entry in runbook.entries where !entry.steps.isEmpty {
            #expect(targets.contains(entry.anchor), "\(entry.title) is not reached")
        }
        // The root probe's patterns are the guide's pod statuses.
        let statuses = tree.roots.first?.children.flatMap(\.patterns) ?? []
        for s in ["ImagePullBackOff", "CrashLoopBackOff"] {
            #expect(statuses.contains(s), "\(statuses)")
        }
    }

    @Test("the quick reference commands are read-only, but the restart, which asks first")
    func quickReference() throws {
        let runbook = try load("gke-staging-troubleshooting.md")
        let quick = try #require(runbook.entry(named: "quick-reference"))
        #expect(quick.steps.count >= 10)
        for step in quick.steps {
            if step.command.contains("rollout restart") {
                #expect(step.role == .fix && step.needsConfirmation, "\(step.id) restarts without asking")
            } else {
                #expect(step.role == .diagnose, "\(step.id) is \(step.role)")
                #expect(!step.needsConfirmation || step.attributes.interactive)
            }
            #expect(!step.command.contains("kubectl apply"))
        }
    }

    @Test("the checklists have the guide's item counts and commands where one can check")
    func checklists() throws {
        let runbook = try load("gke-staging-pre-deploy.md")
        let preDeploy = try #require(runbook.checklist(named: "pre-deploy-checklist"))
        let env = try #require(runbook.checklist(named: "environment-variables-checklist"))
        #expect(preDeploy.items.count == 11)
        #expect(env.items.count == 7)
        #expect(env.items.allSatisfy { $0.step != nil })
        #expect(preDeploy.items.filter { $0.step != nil }.count >= 9)
        for item in preDeploy.items + env.items {
            if let step = item.step {
                #expect(!step.indicators.isEmpty, "\(item.text) has a command but no indicator")
                #expect(step.indicators.contains { !$0.isManual }, "\(item.text) is checked by hand only")
            }
        }
        for key in ["django-secret-key", "db-name", "db-user", "db-password", "db-host", "redis-host", "DJANGO_ALLOWED_HOSTS"] {
            #expect(env.items.contains { $0.text.contains(key) }, "missing \(key)")
        }
    }

    @Test("the onboarding walkthrough covers the guide's context and links to every issue")
    func onboarding() throws {
        let runbook = try load("gke-staging-onboarding.md")
        let text = runbook.entries.flatMap(\.sections).map(\.text).joined(separator: "\n")
        for phrase in ["us-central1", "coditect-staging-cluster", "load balancer", "/api/v1/health/live", "/api/v1/health/ready", "CrashLoopBackOff"] {
            #expect(text.localizedCaseInsensitiveContains(phrase), "onboarding lacks \(phrase)")
        }
        let linked = Set(runbook.links.compactMap { $0.target }.filter { $0.file == "gke-staging-troubleshooting.md" }.compactMap(\.anchor))
        for issue in try issues {
            #expect(linked.contains(issue.anchor), "onboarding does not link to \(issue.title)")
        }
        let steps = runbook.allSteps
        #expect(!steps.isEmpty)
        #expect(steps.allSatisfy { !$0.command.contains("apply") && !$0.command.contains("delete") })
    }

    @Test("files of the backend repository are reached through BACKEND_REPO, edits open $EDITOR")
    func backendRepository() throws {
        for name in ["gke-staging-troubleshooting.md", "gke-staging-pre-deploy.md"] {
            let runbook = try load(name)
            let repo = try #require(runbook.variables.first { $0.name == "BACKEND_REPO" }, "\(name) declares no BACKEND_REPO")
            #expect(repo.defaultValue == nil, "BACKEND_REPO is the engineer's own checkout: no default")
            for step in runbook.allSteps where !step.attributes.skip {
                let command = step.command
                for file in ["MANIFEST", "CONFIGMAP_FILE"] {
                    let uses = command.components(separatedBy: "$\(file)").count - 1 + command.components(separatedBy: "${\(file)}").count - 1
                    let throughRepo = command.components(separatedBy: "$BACKEND_REPO/$\(file)").count - 1
                        + command.components(separatedBy: "${BACKEND_REPO}/${\(file)}").count - 1
                    #expect(uses == throughRepo, "\(step.id) reads $\(file) relative to the current folder: \(command)")
                }
                #expect(!command.contains("vim "), "\(step.id) hard-codes vim")
                if command.contains("EDITOR") {
                    #expect(command.hasPrefix("\"${EDITOR:-vi}\" \"$BACKEND_REPO/"), "\(step.id): \(command)")
                    #expect(step.attributes.interactive, "\(step.id) opens an editor without the terminal")
                }
                if command.contains("docker buildx build") {
                    #expect(command.hasSuffix("\"$BACKEND_REPO\""), "\(step.id) builds from the current folder: \(command)")
                }
            }
        }
        // Issue 3's fix edits the Dockerfile before it rebuilds.
        try #require(issues.count > 2)
        let issue3 = try issues[2]
        let ids = issue3.steps.map(\.id)
        let edit = try #require(ids.firstIndex(of: "edit-dockerfile"))
        let rebuild = try #require(ids.firstIndex(of: "rebuild-image"))
        #expect(edit < rebuild)
        #expect(issue3.steps[edit].command.contains("$BACKEND_REPO/Dockerfile"))
    }

    @Test("secrets are declared secret and never printed by a step")
    func secrets() throws {
        for name in ["gke-staging-troubleshooting.md", "gke-staging-pre-deploy.md"] {
            let runbook = try load(name)
            if let password = runbook.variables.first(where: { $0.name == "DB_PASSWORD" }) {
                #expect(password.isSecret)
                #expect(password.defaultValue == nil)
            }
            for step in runbook.allSteps {
                #expect(!step.command.contains("echo \"$DB_PASSWORD\""), "\(step.id) prints the password")
                #expect(!step.command.contains("echo \"Database Password: $DB_PASSWORD\""), "\(step.id) prints the password")
            }
        }
    }

    /// Where `old` (JSON) differs from `new` other than by keys `new` adds: "path: what".
    static func changesBesidesAdditions(_ old: Any, _ new: Any, at path: String = "") -> [String] {
        switch (old, new) {
        case (let a as [String: Any], let b as [String: Any]):
            return a.keys.sorted().flatMap { key -> [String] in
                guard let value = a[key] else { return [] }
                guard let now = b[key] else { return ["\(path).\(key): removed"] }
                return changesBesidesAdditions(value, now, at: path + "." + key)
            }
        case (let a as [Any], let b as [Any]):
            guard a.count == b.count else { return ["\(path): \(a.count) items, now \(b.count)"] }
            return zip(a, b).enumerated().flatMap { changesBesidesAdditions($1.0, $1.1, at: "\(path)[\($0)]") }
        case (let a as NSObject, let b as NSObject):
            return a == b ? [] : ["\(path): \(a), now \(b)"]
        default:
            return ["\(path): \(old), now \(new)"]
        }
    }

    // The golden files are `runbook show --json` of each runbook, saved before the parser learnt to
    // read foreign runbooks (prompts of other programs, procedure lists, sections at any depth). New
    // rules may add keys; they must not change what these runbooks say.
    @Test("the staging runbooks read exactly as before: show --json unchanged except for added keys")
    func showJSONUnchangedButAdditions() throws {
        let root = URL(fileURLWithPath: Self.folder).deletingLastPathComponent()
        for name in ["gke-staging-troubleshooting", "gke-staging-pre-deploy", "gke-staging-onboarding"] {
            let bytes = try Data(contentsOf: root.appendingPathComponent("runbooks/\(name).md"))
            let runbook = try RunbookLoader().load(bytes: Array(bytes), path: "runbooks/\(name).md")
            let now = try JSONSerialization.jsonObject(with: Data(try RunbookJSON.encode(runbook).utf8))
            let golden = try JSONSerialization.jsonObject(
                with: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/staging-show-json/\(name).json")))
            let changes = Self.changesBesidesAdditions(golden, now)
            #expect(changes.isEmpty, "\(name): \(changes.prefix(20).joined(separator: "\n"))")
        }
    }
}
