import Foundation
import Testing

@testable import RunbookKit

/// One or more tests per rule of docs/runbook-format.md. Each loads a small Markdown text and asserts
/// exactly what the parser makes of it.
@Suite("Runbook format spec (docs/runbook-format.md)")
struct FormatSpecTests {
    // MARK: - Helpers (members, so they cannot clash with helpers of other test files)

    func load(_ md: String, path: String = "spec.md") throws -> Runbook {
        try RunbookLoader().load(bytes: Array(md.utf8), path: path)
    }

    func loadBytes(_ bytes: [UInt8], path: String = "spec.md") throws -> Runbook {
        try RunbookLoader().load(bytes: bytes, path: path)
    }

    func diagnostics(_ r: Runbook, _ severity: Severity) -> [Diagnostic] {
        r.diagnostics.filter { $0.severity == severity }
    }

    /// The diagnostics of `runbook lint` for `r`; `files` are the other runbooks links may name.
    func lint(_ r: Runbook, today: CalendarDate = CalendarDate(year: 2025, month: 6, day: 1)!, files: [String: String] = [:])
        -> [Diagnostic]
    {
        RunbookLinter(today: today).lint(r) { path in
            guard let md = files[path] else { return nil }
            return try? RunbookLoader().load(bytes: Array(md.utf8), path: path)
        }
    }

    func lintFindings(_ r: Runbook, _ severity: Severity, containing text: String, files: [String: String] = [:]) -> [Diagnostic] {
        lint(r, files: files).filter { $0.severity == severity && $0.message.contains(text) }
    }

    func steps(_ r: Runbook) -> [Step] { r.entries.flatMap(\.steps) }

    func json(_ r: Runbook) throws -> [String: Any] {
        let text = try RunbookJSON.encode(r)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    // MARK: - The file

    @Test("file: a UTF-8 byte-order mark is skipped, and the sha256 covers the exact bytes")
    func byteOrderMark() throws {
        let text = "---\ntitle: With BOM\n---\n# Heading\n"
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        let r = try loadBytes(bytes)
        #expect(r.title == "With BOM")
        #expect(r.diagnostics.isEmpty)
        #expect(r.sha256 == SHA256.hex(bytes))
        #expect(r.sha256 != SHA256.hex(Array(text.utf8)))
    }

    @Test("file: sha256 is the SHA-256 of the file's bytes")
    func sha256OfBytes() throws {
        let r = try load("abc")
        #expect(r.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("file: a NUL byte refuses the file, with its line and column")
    func nulByte() throws {
        let bytes = Array("# a\n\nab".utf8) + [0] + Array("\n".utf8)
        let error = #expect(throws: LoadError.self) { try loadBytes(bytes) }
        #expect(error?.diagnostic.location == SourceLocation(line: 3, column: 3))
        #expect(error?.diagnostic.severity == .error)
        #expect(error?.diagnostic.message.contains("NUL") == true)
    }

    @Test("file: invalid UTF-8 refuses the file, with its line and column")
    func invalidUTF8() throws {
        let bytes = Array("# a\n\nx".utf8) + [0xFF] + Array("\n".utf8)
        let error = #expect(throws: LoadError.self) { try loadBytes(bytes) }
        #expect(error?.diagnostic.location == SourceLocation(line: 3, column: 2))
        #expect(error?.diagnostic.message.contains("UTF-8") == true)
    }

    @Test("file: overlong forms and surrogates are invalid UTF-8", arguments: [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func invalidUTF8Forms(bad: [UInt8]) throws {
        let error = #expect(throws: LoadError.self) { try loadBytes(Array("ok ".utf8) + bad) }
        #expect(error?.diagnostic.location == SourceLocation(line: 1, column: 4))
    }

    @Test("file: more than 16 MiB is refused")
    func tooLarge() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 16 * 1024 * 1024 + 1)
        let error = #expect(throws: LoadError.self) { try loadBytes(bytes) }
        #expect(error?.diagnostic.message.contains("16 MiB") == true)
    }

    @Test("file: CRLF line endings are read like LF (steps, prompts, closed fences)")
    func crlfBody() throws {
        let r = try load("## Entry\r\n\r\n```console\r\n$ echo hi\r\nhi\r\n```\r\n\r\n```sh\r\necho two\r\n```\r\n")
        #expect(steps(r).map(\.command) == ["echo hi", "echo two"])
        #expect(steps(r).map(\.exampleOutput) == ["hi", nil])
        // The fences are closed: no "code fence is not closed" warning.
        #expect(diagnostics(r, .warning).map(\.message) == [])
    }

    // A crash would take the whole test process down, so this runs in a child process.
    @Test("file: CRLF front matter loads (and does not crash the loader)")
    func crlfFrontMatter() async {
        await #expect(processExitsWith: .success) {
            let md = "---\r\nid: crlf\r\nversion: 1.0.0\r\n---\r\n# Title\r\n"
            let r = try? RunbookLoader().load(bytes: Array(md.utf8), path: "spec.md")
            guard let r, r.id == "crlf", r.version?.description == "1.0.0", r.title == "Title", r.diagnostics.isEmpty else {
                exit(1)
            }
        }
    }

    // MARK: - Front matter

    @Test("front matter: every key is read into its typed value")
    func everyKey() throws {
        let r = try load(
            """
            ---
            id: gke-staging
            title: "Backend: troubleshooting"
            version: 1.2.3-rc.1+build.5
            updated: 2025-12-01
            review_by: 2026-01-01
            owner: Platform engineering
            shell: bash
            timeout: 90s
            description: Find and fix.
            ---
            # Another title
            """)
        #expect(r.diagnostics.isEmpty)
        #expect(r.id == "gke-staging")
        #expect(r.title == "Backend: troubleshooting")
        #expect(r.version == SemanticVersion(major: 1, minor: 2, patch: 3, prerelease: ["rc", "1"], build: ["build", "5"]))
        #expect(r.updated == CalendarDate(year: 2025, month: 12, day: 1))
        #expect(r.reviewBy == CalendarDate(year: 2026, month: 1, day: 1))
        #expect(r.owner == "Platform engineering")
        #expect(r.shell == "bash")
        #expect(r.timeout == TimeLimit(milliseconds: 90_000))
        #expect(r.description == "Find and fix.")
    }

    @Test("front matter: without it, id is the file name without .md/.markdown and title the first H1")
    func defaults() throws {
        let r = try load("Intro\n\n# First title\n\n# Second title\n", path: "runbooks/My-Book.markdown")
        #expect(r.id == "My-Book")
        #expect(r.title == "First title")
        #expect(r.version == nil)
        #expect(r.shell == nil)
        #expect(r.timeout == nil)
        #expect(r.variables.isEmpty)
        let r2 = try load("no heading\n", path: "dir/ops.md")
        #expect(r2.title == "ops")
        #expect(r2.id == "ops")
    }

    @Test(
        "front matter: valid semantic versions",
        arguments: ["1.0.0", "0.3.12", "2.0.0-rc.1", "1.0.0-alpha-1", "1.0.0+build.7", "1.0.0-beta+001", "10.20.30"])
    func validVersion(_ v: String) throws {
        let r = try load("---\nversion: \(v)\n---\n")
        #expect(r.version?.description == v)
        #expect(r.diagnostics.isEmpty)
    }

    @Test(
        "front matter: invalid versions are errors at the value, and the runbook has no version",
        arguments: ["1.0", "1", "v1.0.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.2.3-a..b", "1.2.3.4", "1.0.0-beta_1"])
    func invalidVersion(_ v: String) throws {
        let r = try load("---\nversion: \(v)\n---\n")
        #expect(r.version == nil)
        let errors = diagnostics(r, .error)
        #expect(errors.count == 1)
        #expect(errors.first?.location == SourceLocation(line: 2, column: 10))
        #expect(errors.first?.message.contains("not a semantic version") == true)
    }

    @Test("front matter: id must be one word without spaces or slashes")
    func invalidId() throws {
        for bad in ["\"gke staging\"", "a/b"] {
            let r = try load("---\nid: \(bad)\n---\n", path: "fallback.md")
            #expect(r.id == "fallback")
            #expect(diagnostics(r, .error).map(\.location.line) == [2])
        }
        #expect(try load("---\nid: db.restore_v2\n---\n").id == "db.restore_v2")
    }

    @Test("front matter: dates are calendar days; a time after T or a space is ignored")
    func dates() throws {
        let r = try load("---\nupdated: 2024-02-29\nreview_by: 2025-12-01T10:00:00Z\n---\n")
        #expect(r.updated == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(r.reviewBy == CalendarDate(year: 2025, month: 12, day: 1))
        #expect(r.diagnostics.isEmpty)
        for bad in ["2025-02-30", "2025-1-5", "01/12/2025", "2025-12-01x"] {
            let b = try load("---\nupdated: \"\(bad)\"\n---\n")
            #expect(b.updated == nil, "\(bad)")
            #expect(diagnostics(b, .error).map(\.location.line) == [2], "\(bad)")
        }
    }

    @Test(
        "front matter: durations are seconds or numbers with ms, s, m, h",
        arguments: [("90", 90_000), ("30s", 30_000), ("5m", 300_000), ("1h30m", 5_400_000), ("500ms", 500), ("24h", 86_400_000)])
    func validDuration(_ text: String, _ ms: Int) throws {
        let r = try load("---\ntimeout: \(text)\n---\n")
        #expect(r.timeout?.milliseconds == ms)
        #expect(r.diagnostics.isEmpty)
    }

    @Test("front matter: invalid durations are errors", arguments: ["0", "25h", "1.5m", "5 m", "30S", "1d", "1234567", "24h1s"])
    func invalidDuration(_ text: String) throws {
        let r = try load("---\ntimeout: \(text)\n---\n")
        #expect(r.timeout == nil)
        #expect(diagnostics(r, .error).map(\.location) == [SourceLocation(line: 2, column: 10)])
    }

    @Test("front matter: an empty shell and a list where a single value belongs are errors")
    func singleValues() throws {
        let r = try load("---\nshell: \" \"\nowner: [a, b]\ntitle: {x: 1}\n---\n# H\n")
        #expect(r.shell == nil)
        #expect(r.owner == nil)
        #expect(r.title == "H")
        #expect(diagnostics(r, .error).map(\.location.line) == [2, 3, 4])
    }

    @Test("front matter: variables in map form (short default, no default, empty default, fields)")
    func variablesMapForm() throws {
        let r = try load(
            """
            ---
            variables:
              NAMESPACE: coditect-staging
              CLUSTER:
              EMPTY_OK: ""
              DB_PASSWORD:
                description: Password of the database user
                secret: true
              REGION:
                default: us-central1
                description: Region
            ---
            """)
        #expect(r.diagnostics.isEmpty)
        #expect(r.variables.map(\.name) == ["NAMESPACE", "CLUSTER", "EMPTY_OK", "DB_PASSWORD", "REGION"])
        #expect(r.variables.map(\.defaultValue) == ["coditect-staging", nil, "", nil, "us-central1"])
        #expect(r.variables.map(\.description) == [nil, nil, nil, "Password of the database user", "Region"])
        #expect(r.variables.map(\.isSecret) == [false, false, false, true, false])
        #expect(r.variables.allSatisfy { $0.origin == .frontMatter })
        #expect(r.variables.map(\.location.line) == [3, 4, 5, 6, 9])
    }

    @Test("front matter: variables in list form")
    func variablesListForm() throws {
        let r = try load(
            """
            ---
            variables:
              - name: NAMESPACE
                default: coditect-staging
                description: Kubernetes namespace
              - name: API_URL
                secret: true
            ---
            """)
        #expect(r.diagnostics.isEmpty)
        #expect(r.variables.map(\.name) == ["NAMESPACE", "API_URL"])
        #expect(r.variables.map(\.defaultValue) == ["coditect-staging", nil])
        #expect(r.variables.map(\.description) == ["Kubernetes namespace", nil])
        #expect(r.variables.map(\.isSecret) == [false, true])
    }

    @Test(
        "front matter: a name containing PASSWORD, SECRET, TOKEN or KEY makes a variable secret",
        arguments: ["DB_PASSWORD", "api_token", "KEYCLOAK_URL", "MY_SECRET", "SSH_KEY"])
    func secretByName(_ name: String) throws {
        let r = try load("---\nvariables:\n  \(name): x\n  OTHER: y\n---\n")
        #expect(r.variables.map(\.isSecret) == [true, false])
        #expect(r.variables.first?.defaultValue == "x")
    }

    @Test("front matter: an explicit `secret: false` overrides the name rule; `secret: true` makes any name secret")
    func explicitSecret() throws {
        let r = try load("---\nvariables:\n  API_TOKEN:\n    secret: false\n  NAMESPACE:\n    secret: true\n---\n")
        #expect(r.variables.map(\.isSecret) == [false, true])
    }

    @Test("front matter: a YAML null (~ or null) is no default")
    func nullDefault() throws {
        // `NAME:` alone has no default; `~` and `null` are the same YAML null.
        let r = try load("---\nvariables:\n  A: ~\n  B: null\n  C:\n---\n")
        #expect(r.variables.map(\.defaultValue) == [nil, nil, nil])
    }

    @Test("front matter: variable errors (bad name, twice, no name, non-scalar default, non-boolean secret) and unknown fields")
    func variableErrors() throws {
        let r = try load(
            """
            ---
            variables:
              - name: NS
              - default: b
              - name: 9X
              - name: NS
              - name: GOOD
                default: [a, b]
                colour: red
                secret: maybe
            ---
            """)
        #expect(r.variables.map(\.name) == ["NS", "GOOD"])
        #expect(diagnostics(r, .error).map(\.location.line) == [4, 5, 6, 8, 10])
        #expect(diagnostics(r, .warning).map(\.location.line) == [9])
        let errors = diagnostics(r, .error)
        try #require(errors.count > 2)
        #expect(errors[0].message.contains("needs a `name`"))
        #expect(errors[1].message.contains("not a shell variable name"))
        #expect(errors[2].message.contains("declared twice"))
    }

    @Test("front matter: unknown keys are notes, not errors")
    func unknownKeys() throws {
        let r = try load("---\ntitle: T\nweight: 3\naliases: [/old]\n---\n")
        #expect(r.title == "T")
        let notes = diagnostics(r, .note)
        #expect(notes.map(\.location) == [SourceLocation(line: 3, column: 1), SourceLocation(line: 4, column: 1)])
        #expect(notes.first?.message.contains("`weight`") == true)
        #expect(diagnostics(r, .error).isEmpty && diagnostics(r, .warning).isEmpty)
    }

    @Test("front matter: TOML (+++) is skipped with a note; the Markdown after it is read")
    func tomlFrontMatter() throws {
        let r = try load("+++\ntitle = \"x\"\n+++\n# Hello\n\n## Entry\n")
        #expect(r.title == "Hello")
        #expect(r.id == "spec")
        #expect(r.entries.map(\.id) == ["entry"])
        #expect(r.entries.first?.location.line == 6)
        #expect(r.diagnostics.map(\.severity) == [.note])
        #expect(r.diagnostics.first?.location.line == 1)
    }

    @Test("front matter: `...` closes it too")
    func dotsClose() throws {
        #expect(try load("---\nid: dots\n...\n# T\n").id == "dots")
    }

    @Test("front matter: an unclosed front matter is an error on line 1; the whole file is read as Markdown")
    func unclosedFrontMatter() throws {
        let r = try load("---\nid: x\n# Hello\n")
        #expect(r.id == "spec")
        #expect(r.title == "Hello")
        #expect(diagnostics(r, .error).map(\.location) == [SourceLocation(line: 1, column: 1)])
    }

    @Test("front matter: larger than 64 KiB is refused whole")
    func frontMatterTooLarge() throws {
        let r = try load("---\nid: ok\nx: \"" + String(repeating: "a", count: 64 * 1024) + "\"\n---\n")
        #expect(r.id == "spec")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location.line) == [2])
        #expect(errors.first?.message.contains("64 KiB") == true)
    }

    @Test("front matter: nesting deeper than 32 levels is refused whole")
    func frontMatterTooDeep() throws {
        let r = try load("---\nid: ok\nx: " + String(repeating: "[", count: 33) + String(repeating: "]", count: 33) + "\n---\n")
        #expect(r.id == "spec")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location.line) == [3])
        #expect(errors.first?.message.contains("32 levels") == true)
        // 32 levels are fine.
        let ok = try load("---\nid: ok\nx: " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "\n---\n")
        #expect(ok.id == "ok")
    }

    @Test("front matter: anchors and aliases are refused whole, at the first one")
    func aliasBomb() throws {
        let r = try load(
            """
            ---
            id: ok
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            ---
            # T
            """)
        #expect(r.id == "spec")
        #expect(r.title == "T")
        let errors = diagnostics(r, .error)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("anchor or alias") == true)
        #expect(errors.first?.location == SourceLocation(line: 3, column: 4))
        // A `*` or `&` inside a value is not an alias.
        let fine = try load("---\nid: ok\ntitle: \"*.coditect.com & more\"\nowner: a*b&c\n---\n# T\n")
        #expect(fine.id == "ok")
        #expect(diagnostics(fine, .error).isEmpty)
    }

    @Test("front matter: invalid YAML is an error at its line in the file")
    func invalidYAML() throws {
        let r = try load("---\ntitle: [unclosed\nid: x\n---\n")
        #expect(r.id == "spec")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location.line) == [3])
        #expect(errors.first?.message.hasPrefix("invalid YAML in front matter") == true)
    }

    @Test("front matter: it must be a mapping")
    func notAMapping() throws {
        let r = try load("---\n- a\n- b\n---\n")
        #expect(diagnostics(r, .error).map(\.location.line) == [2])
        #expect(diagnostics(r, .error).first?.message.contains("mapping") == true)
    }

    @Test("front matter: lines in the body are lines of the file")
    func bodyLines() throws {
        let r = try load("---\nid: a\ntitle: b\n---\n## Entry\n\n```sh\necho\n```\n")
        #expect(r.entries.first?.location == SourceLocation(line: 5, column: 1))
        #expect(steps(r).first?.location == SourceLocation(line: 7, column: 1))
    }

    // MARK: - Layout

    @Test("layout: the title is front matter title, else the first H1")
    func titleRule() throws {
        #expect(try load("---\ntitle: From front matter\n---\n# From H1\n").title == "From front matter")
        #expect(try load("# From *H1*\n").title == "From H1")
    }

    @Test("layout: each H2 is an entry whose id is its anchor; H3s are its sections")
    func entries() throws {
        let r = try load(
            """
            # Runbook

            ## Issue 1: GCR deprecation (403 Forbidden)

            Summary text.

            ### Symptoms

            Pulls fail.

            ## Issue 2: Platform
            """)
        #expect(r.entries.map(\.id) == ["issue-1-gcr-deprecation-403-forbidden", "issue-2-platform"])
        #expect(r.entries.map(\.anchor) == r.entries.map(\.id))
        #expect(r.entries.map(\.title) == ["Issue 1: GCR deprecation (403 Forbidden)", "Issue 2: Platform"])
        #expect(r.entries.map(\.location.line) == [3, 11])
        try #require(r.entries.count > 0)
        let e = r.entries[0]
        #expect(e.sections.map(\.role) == [.summary, .symptoms])
        #expect(e.sections.map(\.heading) == ["", "Symptoms"])
        #expect(e.text(of: .symptoms) == "Pulls fail.")
        #expect(e.text(of: .summary) == "Summary text.")
    }

    @Test("layout: steps before the first H2 are loose steps with ids <file-name>-<n>")
    func looseSteps() throws {
        let r = try load("# T\n\nIntro:\n\n```sh\necho one\n```\n\n## Entry\n\n```sh\necho two\n```\n", path: "ops/deploy.md")
        #expect(r.looseSteps.map(\.id) == ["deploy-1"])
        #expect(r.looseSteps.map(\.role) == [.walkthrough])
        #expect(r.looseSteps.first?.title == "Intro")
        #expect(steps(r).map(\.id) == ["entry-1"])
    }

    @Test("layout: an H1 in the middle of an entry does not end it; an H1 before any entry is the title")
    func h1InsideEntry() throws {
        let r = try load("# A\n\n```sh\necho 0\n```\n\n## E1\n\n```sh\necho 1\n```\n\n# B\n\n```sh\necho 2\n```\n")
        #expect(r.entries.map(\.id) == ["e1"])
        #expect(r.entries.first?.steps.map(\.command) == ["echo 1", "echo 2"])
        #expect(r.looseSteps.map(\.command) == ["echo 0"])
        #expect(r.looseSteps.map(\.id) == ["spec-1"])
    }

    @Test("layout: H2s naming sections (Meaning/Impact/Diagnosis/Mitigation) make one entry")
    func singleEntry() throws {
        let r = try load(
            """
            # KubePodCrashLooping

            Intro.

            ## Meaning

            Pod is in CrashLoopBackOff state.

            ## Impact

            Service degradation.

            ## Diagnosis

            ### Check pods

            ```sh
            kubectl get pods
            ```

            ## Mitigation

            ```sh
            kubectl rollout restart deploy/x
            ```
            """)
        #expect(r.entries.count == 1)
        let e = try #require(r.entries.first)
        #expect(e.id == "kubepodcrashlooping")
        #expect(e.title == "KubePodCrashLooping")
        #expect(e.location.line == 1)
        #expect(e.sections.map(\.role) == [.summary, .symptoms, .impact, .diagnosis, .fix])
        #expect(e.text(of: .summary) == "Intro.")
        #expect(e.text(of: .symptoms) == "Pod is in CrashLoopBackOff state.")
        #expect(e.steps.map(\.id) == ["kubepodcrashlooping-1", "kubepodcrashlooping-2"])
        #expect(e.steps.map(\.role) == [.diagnose, .fix])
        #expect(e.steps.first?.title == "Check pods")
    }

    @Test("layout: single entry needs at least two section H2s making up at least half of the H2s")
    func singleEntryThreshold() throws {
        #expect(try load("## Meaning\n## Impact\n## Foo\n## Bar\n").entries.count == 1)
        #expect(try load("## Meaning\n## Impact\n## Foo\n## Bar\n## Baz\n").entries.count == 5)
        #expect(try load("## Meaning\n## Foo\n").entries.count == 2)
        // A decision-tree H2 does not count.
        #expect(try load("## Meaning\n## Impact\n## Foo\n## Decision tree\n").entries.count == 1)
    }

    @Test("layout: single entry without an H1 takes the front matter title, else the file name")
    func singleEntryTitle() throws {
        let a = try load("---\ntitle: Disk Full\n---\n## Meaning\n## Mitigation\n")
        #expect(a.entries.map(\.id) == ["disk-full"])
        #expect(a.entries.map(\.title) == ["Disk Full"])
        let b = try load("## Meaning\n## Mitigation\n", path: "node-down.md")
        #expect(b.entries.map(\.id) == ["node-down"])
    }

    @Test(
        "layout: an H2 containing 'decision tree', or exactly 'Triage', is the tree, not an entry",
        arguments: ["Decision tree", "Decision Tree: pods", "Triage", "TRIAGE"])
    func treeHeading(_ heading: String) throws {
        let r = try load("## \(heading)\n\n- Down? [Issue](#issue)\n\n## Issue\n")
        #expect(r.entries.map(\.id) == ["issue"])
        #expect(r.decisionTree?.title == heading)
        #expect(r.decisionTree?.roots.map(\.label) == ["Down? Issue"])
    }

    @Test("layout: 'Triage guide' is an ordinary entry")
    func notTreeHeading() throws {
        let r = try load("## Triage guide\n\n- item\n")
        #expect(r.decisionTree == nil)
        #expect(r.entries.map(\.id) == ["triage-guide"])
    }

    // MARK: - Sections

    static let synonymTable: [(String, SectionRole)] = [
        ("Symptoms", .symptoms), ("Symptom", .symptoms), ("Error symptoms", .symptoms), ("Meaning", .symptoms),
        ("Signs", .symptoms),
        ("Root cause", .cause), ("Root cause analysis", .cause), ("Root causes", .cause), ("Cause", .cause),
        ("Causes", .cause), ("Why this happened", .cause),
        ("Impact", .impact),
        ("Diagnosis", .diagnosis), ("Diagnose", .diagnosis), ("Diagnostics", .diagnosis),
        ("Possible checks", .diagnosis), ("Checks", .diagnosis), ("Investigation", .diagnosis),
        ("Fix", .fix), ("Fixes", .fix), ("Solution", .fix), ("Solutions", .fix), ("Complete solution", .fix),
        ("Mitigation", .fix), ("Resolution", .fix), ("Remediation", .fix), ("Workaround", .fix),
        ("Verify", .verify), ("Verification", .verify), ("Verification steps", .verify), ("Validation", .verify),
        ("Verify the fix", .verify),
        ("Prevention", .prevention), ("Prevention guidance", .prevention), ("How to prevent this", .prevention),
        ("Avoiding this", .prevention),
    ]

    @Test("sections: every synonym names its role, case-insensitively", arguments: FormatSpecTests.synonymTable)
    func synonym(_ heading: String, _ role: SectionRole) throws {
        #expect(SectionRole(heading: heading) == role)
        #expect(SectionRole(heading: heading.uppercased()) == role)
        let r = try load("## Entry\n\n### \(heading.lowercased())\n\ntext\n")
        #expect(r.entries.first?.sections.map(\.role) == [role])
        #expect(r.entries.first?.sections.first?.heading == heading.lowercased())
    }

    @Test("sections: the table names no other headings")
    func synonymTableIsComplete() {
        let all = SectionRole.synonyms.flatMap { role, names in names.map { ($0, role) } }
        #expect(all.count == Self.synonymTable.count)
    }

    @Test(
        "sections: prefix rule — a name followed by a space or colon; trailing : and . ignored",
        arguments: [
            ("Verification steps:", SectionRole.verify), ("Fix (staging)", .fix), ("Fix: restart the pods", .fix),
            ("Checks to run", .diagnosis), ("DIAGNOSIS.", .diagnosis), ("Root cause: quota", .cause),
        ])
    func prefixRule(_ heading: String, _ role: SectionRole) {
        #expect(SectionRole(heading: heading) == role)
    }

    @Test("sections: no role for headings that merely start with the letters", arguments: ["Fixed", "Fix-up", "1. Fix", "Symptoms/Cause", "Background", "Impactful"])
    func notARole(_ heading: String) throws {
        #expect(SectionRole(heading: heading) == nil)
        let r = try load("## Entry\n\n### \(heading)\n\ntext\n")
        #expect(r.entries.first?.sections.map(\.role) == [.notes])
    }

    // MARK: - Fix options

    @Test("options: H4 headings starting with 'Option' inside a fix section")
    func headingOptions() throws {
        let r = try load(
            """
            ## Issue

            ### Fix

            #### Option A: Grant the role (staging only)

            ```sh
            echo a
            ```

            #### option b (recommended)

            ```sh
            echo b
            ```

            ### Verify

            ```sh
            echo v
            ```
            """)
        let e = try #require(r.entries.first)
        #expect(e.steps.map(\.option) == ["Option A: Grant the role (staging only)", "option b (recommended)", nil])
        #expect(e.fixOptions == ["Option A: Grant the role (staging only)", "option b (recommended)"])
    }

    @Test("options: a paragraph beginning with bold 'Option ...' starts an option named by the bold text")
    func boldOptions() throws {
        let r = try load(
            """
            ## Issue

            ### Fix

            **Option A:** staging only

            ```sh
            echo a
            ```

            **Option B: Cloud SQL Auth Proxy** runs as a sidecar.

            ```sh
            echo b
            ```

            #### Afterwards

            ```sh
            echo c
            ```
            """)
        let e = try #require(r.entries.first)
        #expect(e.steps.map(\.option) == ["Option A:", "Option B: Cloud SQL Auth Proxy", nil])
        #expect(e.fixOptions == ["Option A:", "Option B: Cloud SQL Auth Proxy"])
    }

    @Test("options: an option lasts until a heading of the same or a higher level; deeper headings stay inside")
    func optionExtent() throws {
        let r = try load(
            """
            ## Issue

            ### Fix

            #### Option A

            ##### Detail

            ```sh
            echo inside
            ```

            #### Not an option

            ```sh
            echo outside
            ```
            """)
        #expect(steps(r).map(\.option) == ["Option A", nil])
    }

    @Test("options: only in fix sections")
    func optionOnlyInFix() throws {
        let r = try load("## Issue\n\n### Diagnosis\n\n#### Option A\n\n```sh\necho d\n```\n\n**Option B** x\n\n```sh\necho e\n```\n")
        #expect(steps(r).map(\.option) == [nil, nil])
        #expect(r.entries.first?.fixOptions == [])
    }

    @Test("options: an H3 'Option' heading in the usual layout is a new (notes) section, not an option")
    func h3OptionIsASection() throws {
        let r = try load("## Issue\n\n### Fix\n\n### Option A\n\n```sh\necho a\n```\n")
        #expect(steps(r).map(\.option) == [nil])
        #expect(steps(r).map(\.role) == [.walkthrough])
    }

    @Test("options: in the single-entry layout an H3 'Option' heading is an option")
    func singleEntryH3Option() throws {
        let r = try load("# Alert\n\n## Meaning\n\n## Mitigation\n\n### Option A: scale\n\n```sh\necho a\n```\n\n### Option B: restart\n\n```sh\necho b\n```\n")
        #expect(steps(r).map(\.option) == ["Option A: scale", "Option B: restart"])
        #expect(steps(r).map(\.role) == [.fix, .fix])
    }

    @Test("options: a heading starting with 'Optional' is not an option")
    func optionalIsNotOption() throws {
        let r = try load("## Issue\n\n### Fix\n\n#### Optional: clean up\n\n```sh\nrm -rf /tmp/x\n```\n")
        #expect(steps(r).map(\.option) == [nil])
        #expect(r.entries.first?.fixOptions == [])
    }

    // MARK: - Steps

    @Test(
        "steps: a block in a shell language is a step",
        arguments: ["sh", "bash", "shell", "zsh", "ksh", "dash", "posix", "console", "shell-session", "shellsession", "sh-session", "terminal", "BASH"])
    func shellLanguage(_ lang: String) throws {
        let r = try load("## E\n\n```\(lang)\necho hi\n```\n")
        #expect(steps(r).map(\.command) == ["echo hi"])
        #expect(steps(r).map(\.language) == [lang.lowercased()])
    }

    @Test(
        "steps: blocks in other languages are shown, never run",
        arguments: ["yaml", "json", "promql", "sql", "python", "mermaid", "text", "output", "diff", "foo", "yaml title=x", "text {name=x}"])
    func displayLanguage(_ info: String) throws {
        let r = try load("## E\n\n```\(info)\necho hi\n```\n")
        #expect(r.allSteps.isEmpty)
        #expect(r.diagnostics.isEmpty)
    }

    @Test("steps: an untagged block (fenced or indented) is a console step only when it shows a `$ ` prompt")
    func untaggedBlocks() throws {
        let r = try load(
            """
            ## E

            ```
              $ echo untagged
            untagged
            ```

            ```
            echo no prompt
            ```

                $ echo indented
                indented
            """)
        #expect(steps(r).map(\.command) == ["echo untagged", "echo indented"])
        #expect(steps(r).map(\.language) == ["console", "console"])
        #expect(steps(r).map(\.exampleOutput) == ["untagged", "indented"])
    }

    @Test("steps: ```$ cmd on the opening line is a console step")
    func openingDollar() throws {
        let r = try load("## E\n\n```$ kubectl get pods -A\n```\n")
        #expect(steps(r).map(\.language) == ["console"])
        #expect(steps(r).map(\.command) == ["kubectl get pods -A"])
    }

    @Test("steps: ```sh cmd — words after a shell language are the command; body lines follow it")
    func openingShell() throws {
        let r = try load("## E\n\n```sh kubectl get pods\n```\n\n```bash kubectl get pods \\\n  -n x\n```\n")
        #expect(steps(r).map(\.language) == ["sh", "bash"])
        #expect(steps(r).map(\.command) == ["kubectl get pods", "kubectl get pods \\\n  -n x"])
    }

    @Test("steps: ```kubectl get pods — an unknown first word with more words makes the info string an sh command")
    func openingUnknownWord() throws {
        let r = try load("## E\n\n```kubectl get pods -n x\n```\n")
        #expect(steps(r).map(\.language) == ["sh"])
        #expect(steps(r).map(\.command) == ["kubectl get pods -n x"])
    }

    @Test("steps: ```$ cmd with `$ ` prompts in the body keeps the opening command as a command")
    func openingDollarWithPrompts() throws {
        let r = try load("## E\n\n```$ kubectl get pods\n$ kubectl get svc\n```\n")
        #expect(steps(r).map(\.command) == ["kubectl get pods\nkubectl get svc"])
        #expect(steps(r).map(\.exampleOutput) == [nil])
    }

    @Test("steps: ```$ cmd followed by output lines: the lines are example output")
    func openingDollarWithOutput() throws {
        let r = try load("## E\n\n```$ kubectl get pods\nNAME   READY\npod-1  1/1\n```\n")
        #expect(steps(r).map(\.command) == ["kubectl get pods"])
        #expect(steps(r).map(\.exampleOutput) == ["NAME   READY\npod-1  1/1"])
    }

    @Test("steps: `$ ` prompts are commands, `\\` continues a command, other lines are example output")
    func prompts() throws {
        let r = try load(
            """
            ## E

            ```console
            $ kubectl get pods \\
                -n staging
            NAME        READY
            backend-0   1/1
            $ echo done
            done

            ```
            """)
        let s = try #require(steps(r).first)
        #expect(s.command == "kubectl get pods \\\n    -n staging\necho done")
        #expect(s.exampleOutput == "NAME        READY\nbackend-0   1/1\ndone")
        #expect(s.language == "console")
    }

    @Test("steps: prompts are read in any shell language; without a prompt the whole block is the command")
    func promptsInAnyShell() throws {
        let r = try load("## E\n\n```bash\n$ ls\nfile\n```\n\n```sh\nset -e\n\nkubectl get pods\n\n\n```\n")
        #expect(steps(r).map(\.command) == ["ls", "set -e\n\nkubectl get pods"])
        #expect(steps(r).map(\.exampleOutput) == ["file", nil])
    }

    @Test("steps: attributes — every key and its values")
    func attributes() throws {
        let r = try load(
            """
            ## E

            ```sh {name=pull-status timeout=1h30m confirm=no interactive pty=YES, cwd="my dir" skip=false role=verify}
            echo a
            ```

            ```sh{cwd='deploy/x' interactive=false confirm=true skip role=fix}
            echo b
            ```
            """)
        #expect(r.diagnostics.isEmpty)
        let a = try #require(steps(r).first).attributes
        #expect(a == StepAttributes(
            name: "pull-status", timeout: TimeLimit(milliseconds: 5_400_000), confirm: false, interactive: true, pty: true,
            cwd: "my dir", skip: false, role: .verify))
        let b = try #require(steps(r).last).attributes
        #expect(b == StepAttributes(name: nil, timeout: nil, confirm: true, interactive: false, pty: false, cwd: "deploy/x", skip: true, role: .fix))
        #expect(steps(r).map(\.id) == ["pull-status", "e-2"])
        #expect(steps(r).map(\.role) == [.verify, .fix])
    }

    @Test("steps: attribute errors point at the attribute; unknown attributes are warnings")
    func attributeErrors() throws {
        let r = try load(
            """
            ## E

            ```sh {bogus=1 confirm=maybe timeout=0 role=Fix cwd= name="a b" =v}
            echo
            ```
            """)
        // ```sh { is 7 columns; bogus starts at 8.
        #expect(diagnostics(r, .warning).map(\.location) == [SourceLocation(line: 3, column: 8)])
        #expect(
            diagnostics(r, .error).map(\.location.column) == [16, 30, 40, 49, 54, 65])
        #expect(diagnostics(r, .error).allSatisfy { $0.location.line == 3 })
        let a = try #require(steps(r).first).attributes
        #expect(a.confirm == nil && a.timeout == nil && a.role == nil && a.cwd == nil && a.name == nil)
    }

    @Test("steps: malformed braces: `{` without `}`, text after `}`, an unclosed quote")
    func braceErrors() throws {
        let r = try load("## E\n\n```sh {name=x\necho 1\n```\n\n```sh {name=y} trailing\necho 2\n```\n\n```sh {cwd=\"open}\necho 3\n```\n")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location.line) == [3, 7, 11])
        try #require(errors.count > 2)
        #expect(errors[0].message.contains("not closed"))
        #expect(errors[1].message.contains("trailing"))
        #expect(errors[2].message.contains("not closed"))
        #expect(steps(r).count == 3)
    }

    @Test("steps: attribute column is right in a fence of four backticks")
    func attributeColumnLongFence() throws {
        let r = try load("## E\n\n````sh {bogus}\necho\n````\n")
        // ````sh { is 8 columns; bogus starts at 9.
        #expect(diagnostics(r, .warning).map(\.location) == [SourceLocation(line: 3, column: 9)])
    }

    @Test("steps: ids are `name` or <entry-id>-<n>, named steps counted")
    func stepIds() throws {
        let r = try load(
            """
            ## Restart the backend

            ```sh
            kubectl get deploy backend
            ```

            ```sh {name=do-restart}
            kubectl rollout restart deploy/backend
            ```

            ```sh
            kubectl rollout status deploy/backend
            ```
            """)
        #expect(steps(r).map(\.id) == ["restart-the-backend-1", "do-restart", "restart-the-backend-3"])
    }

    @Test("steps: a step name used twice is an error at the second step")
    func duplicateNames() throws {
        let r = try load("## A\n\n```sh {name=check}\na\n```\n\n## B\n\n```sh {name=check}\nb\n```\n")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location) == [SourceLocation(line: 9, column: 1)])
        #expect(errors.first?.message.contains("line 3") == true)
    }

    @Test("steps: step ids are unique even when a name looks like an automatic id")
    func idsUnique() throws {
        let r = try load("## E\n\n```sh\na\n```\n\n```sh {name=e-3}\nb\n```\n\n```sh\nc\n```\n")
        let ids = steps(r).map(\.id)
        #expect(Set(ids).count == ids.count || !diagnostics(r, .error).isEmpty, "ids: \(ids)")
    }

    @Test("steps: roles from sections, and which steps ask for confirmation")
    func rolesFromSections() throws {
        let r = try load(
            """
            ## E

            ```sh
            echo summary
            ```

            ### Symptoms

            ```sh
            echo symptoms
            ```

            ### Cause

            ```sh
            echo cause
            ```

            ### Impact

            ```sh
            echo impact
            ```

            ### Diagnosis

            ```sh
            echo diagnose
            ```

            ### Fix

            ```sh
            echo fix
            ```

            ### Verify

            ```sh
            echo verify
            ```

            ### Prevention

            ```sh
            echo prevention
            ```

            ### Background

            ```sh
            echo notes
            ```
            """)
        #expect(steps(r).map(\.role) == [.walkthrough, .walkthrough, .walkthrough, .walkthrough, .diagnose, .fix, .verify, .walkthrough, .walkthrough])
        #expect(steps(r).map(\.needsConfirmation) == [true, true, true, true, false, true, false, true, true])
    }

    @Test("steps: role= and confirm= override the section's role and confirmation")
    func roleOverride() throws {
        let r = try load("## E\n\n### Fix\n\n```sh {role=diagnose}\na\n```\n\n```sh {confirm=false}\nb\n```\n\n### Verify\n\n```sh {confirm}\nc\n```\n")
        #expect(steps(r).map(\.role) == [.diagnose, .fix, .verify])
        #expect(steps(r).map(\.needsConfirmation) == [false, false, true])
    }

    @Test("steps: skip (or an empty command) makes a step shown only")
    func skip() throws {
        let r = try load("## E\n\n```sh {skip}\nrm -rf /\n```\n\n```sh\n```\n\n```sh\necho ok\n```\n")
        #expect(steps(r).map(\.isRunnable) == [false, false, true])
    }

    @Test("steps: the title is the lead-in paragraph or heading, colons removed, cut to 160 characters")
    func titles() throws {
        let long = Array(repeating: "word", count: 40).joined(separator: " ")
        let r = try load("## E\n\n### Check the pods\n\n```sh\na\n```\n\nThen restart them::\n\n```sh\nb\n```\n\n\(long)\n\n```sh\nc\n```\n")
        #expect(steps(r).map(\.title).prefix(2) == ["Check the pods", "Then restart them"])
        let third = try #require(steps(r).dropFirst(2).first)
        #expect(third.title == String(long.prefix(157)) + "...")
        #expect(third.title.count == 160)
    }

    @Test("steps: shell blocks inside list items and block quotes are steps")
    func nestedSteps() throws {
        let r = try load(
            """
            ## E

            1. Check pods:
               ```sh
               kubectl get pods
               ```
            2. Check logs:
               ```sh
               kubectl logs x
               ```

            > Careful:
            > ```sh
            > kubectl delete pod x
            > ```
            """)
        #expect(steps(r).map(\.command) == ["kubectl get pods", "kubectl logs x", "kubectl delete pod x"])
        #expect(steps(r).map(\.title) == ["Check pods", "Check logs", "Careful"])
        #expect(steps(r).map(\.location.line) == [4, 8, 13])
    }

    @Test("steps: an unclosed fence runs to the end of the file, with a warning")
    func unclosedFence() throws {
        let r = try load("## E\n\n```sh\necho a\n\n## Not a heading\n")
        #expect(steps(r).map(\.command) == ["echo a\n\n## Not a heading"])
        #expect(r.entries.count == 1)
        #expect(diagnostics(r, .warning).map(\.location) == [SourceLocation(line: 3, column: 1)])
        #expect(diagnostics(r, .warning).first?.message.contains("not closed") == true)
        let t = try load("## E\n\n```yaml\na: 1\n")
        #expect(diagnostics(t, .warning).map(\.location.line) == [3])
    }

    // MARK: - Example output

    @Test("example output: 'Expected output:' makes the next block, whatever its language, the step's example output")
    func expectedOutput() throws {
        let r = try load(
            """
            ## E

            ```sh
            kubectl get pods
            ```

            Expected output (abridged):

            ```sh
            NAME        READY
            backend-0   1/1
            ```

            Next:

            ```sh
            echo next
            ```
            """)
        #expect(steps(r).map(\.command) == ["kubectl get pods", "echo next"])
        #expect(steps(r).first?.exampleOutput == "NAME        READY\nbackend-0   1/1")
    }

    @Test("example output: 'Example output:' replaces output taken from prompts")
    func exampleOutputReplaces() throws {
        let r = try load("## E\n\n```console\n$ uname -m\naarch64\n```\n\nExample output:\n\n```text\nx86_64\n```\n")
        #expect(steps(r).map(\.exampleOutput) == ["x86_64"])
    }

    @Test("example output: without the colon, or not directly after the step, it does not count")
    func exampleOutputNeedsColonAndPlace() throws {
        let r = try load(
            """
            ## E

            ```sh
            echo a
            ```

            Expected output is shown below.

            ```text
            a
            ```

            ```sh
            echo b
            ```

            Some words.

            Expected output:

            ```sh
            echo c
            ```
            """)
        #expect(steps(r).map(\.exampleOutput) == [nil, nil, nil])
        #expect(steps(r).map(\.command) == ["echo a", "echo b", "echo c"])
    }

    // MARK: - Success indicators

    @Test(
        "indicators: intro paragraphs followed by a list",
        arguments: ["Success indicators:", "Success indicator:", "Success criteria:", "Expected:", "Expect:", "SUCCESS INDICATORS:"])
    func intro(_ intro: String) throws {
        let r = try load("## E\n\n```sh\necho\n```\n\n\(intro)\n\n- exit 0\n- Looks right\n")
        let s = try #require(steps(r).first)
        #expect(s.indicators.map(\.kind) == [.exitCode(0), .manual])
        #expect(s.indicators.map(\.location.line) == [9, 10])
    }

    @Test("indicators: the same-line form, alone or before a list")
    func sameLine() throws {
        let r = try load("## E\n\n```sh\necho\n```\n\nExpected: exit 0\n\n```sh\necho\n```\n\nSuccess indicators: exit 2\n\n- contains `ok`\n")
        #expect(steps(r).map { $0.indicators.map(\.kind) } == [[.exitCode(0)], [.exitCode(2), .contains("ok")]])
        #expect(steps(r).dropFirst().first?.indicators.map(\.location.line) == [13, 15])
    }

    @Test("indicators: a list directly after the step, without an intro")
    func directList() throws {
        let r = try load("## E\n\n```sh\necho\n```\n- exit 0\n- contains `Ready`\n\nMore text.\n")
        #expect(steps(r).first?.indicators.map(\.kind) == [.exitCode(0), .contains("Ready")])
    }

    @Test("indicators: after example output too")
    func afterExampleOutput() throws {
        let r = try load("## E\n\n```sh\necho\n```\n\nExpected output:\n\n```text\nok\n```\n\n- equals `ok`\n")
        #expect(steps(r).first?.exampleOutput == "ok")
        #expect(steps(r).first?.indicators.map(\.kind) == [.equals("ok")])
    }

    static let machineForms: [(String, Indicator.Kind, String)] = [
        ("exit 0", .exitCode(0), ""),
        ("Exit code 2", .exitCode(2), ""),
        ("exit status 1", .exitCode(1), ""),
        ("exits 1", .exitCode(1), ""),
        ("exits with 3 maybe", .exitCode(3), "maybe"),
        ("exit code 0, good", .exitCode(0), "good"),
        ("exit 255", .exitCode(255), ""),
        ("exit 0 or 1", .exit(.statuses([0, 1])), ""),
        ("exit 1 or 0 (grep found nothing)", .exit(.statuses([0, 1])), "(grep found nothing)"),
        ("exit code 0, 1 or 2", .exit(.statuses([0, 1, 2])), ""),
        ("exits with 0, 1, or 2, as diff does", .exit(.statuses([0, 1, 2])), "as diff does"),
        ("exit 0 or 1 or 3", .exit(.statuses([0, 1, 3])), ""),
        ("Exit any", .exit(.any), ""),
        ("exit status any: the output is what matters", .exit(.any), "the output is what matters"),
        ("exit 0 or 1, good", .exit(.statuses([0, 1])), "good"),
        ("contains `Successfully pulled image`", .contains("Successfully pulled image"), ""),
        ("Contains `Ready` on every node", .contains("Ready"), "on every node"),
        ("no `ImagePullBackOff` events", .notContains("ImagePullBackOff"), "events"),
        ("not contains `x` ok", .notContains("x"), "ok"),
        ("does not contain `Error`", .notContains("Error"), ""),
        (#"matches `uid=1000\(django\)`"#, .matches(#"uid=1000\(django\)"#), ""),
        ("matches `^a+$` whole", .matches("^a+$"), "whole"),
        ("equals `x86_64` (not aarch64)", .equals("x86_64"), "(not aarch64)"),
    ]

    @Test("indicators: each machine form, with its note", arguments: FormatSpecTests.machineForms)
    func machineForm(_ item: String, _ kind: Indicator.Kind, _ note: String) throws {
        // A manual item needs an intro: a bare list of plain text after a step is procedure text.
        let r = try load("## E\n\n```sh\necho\n```\nExpected:\n- \(item)\n")
        let i = try #require(steps(r).first?.indicators.first)
        #expect(i.kind == kind)
        #expect(i.note == note)
        #expect(i.location == SourceLocation(line: 7, column: 1))
        #expect(r.diagnostics.isEmpty)
    }

    @Test(
        "indicators: anything else is manual, a question for the engineer",
        arguments: ["Pod status: Running, and no restarts", "No restarts in the last minute", "`Running`", "exit cleanly", "exit anyway when done", "**contains** `x`", "contained `x`"])
    func manual(_ item: String) throws {
        // A manual item needs an intro: a bare list of plain text after a step is procedure text.
        let r = try load("## E\n\n```sh\necho\n```\nExpected:\n- \(item)\n")
        let i = try #require(steps(r).first?.indicators.first)
        #expect(i.kind == .manual)
        #expect(i.isManual)
        #expect(i.note == i.text)
        #expect(r.diagnostics.isEmpty)
    }

    @Test(
        "indicators: malformed forms are errors at the item's line, and the item becomes manual",
        arguments: [
            ("contains Running", "needs its operand in backticks"), ("equals 3 replicas", "needs its operand in backticks"),
            ("not contains errors", "needs its operand in backticks"), ("does not contain errors", "needs its operand in backticks"),
            ("matches the pattern", "needs its operand in backticks"), ("exit 300", "0 to 255"), ("exit -1", "0 to 255"),
            ("exit 1.5", "0 to 255"), ("matches `a(`", "invalid regular expression"),
            ("exit 0 or", "followed by a status"), ("exit 0 or maybe", "followed by a status, as in: exit 0 or 1"),
            ("exit 0 or 256", "0 to 255"), ("exit 0, 1", "ends with `or`"), ("exit 0 or 0", "named twice"),
            ("exit any or 1", "accepts every exit status"), ("exit any, 2", "accepts every exit status"),
        ])
    func malformed(_ item: String, _ message: String) throws {
        let r = try load("## E\n\n```sh\necho\n```\nExpected:\n- ok\n- \(item)\n")
        let errors = diagnostics(r, .error)
        #expect(errors.map(\.location) == [SourceLocation(line: 8, column: 1)])
        #expect(errors.first?.message.contains(message) == true)
        #expect(steps(r).first?.indicators.map(\.kind) == [.manual, .manual])
        #expect(steps(r).first?.indicators.last?.text == item.replacingOccurrences(of: "`", with: ""))
    }

    @Test("indicators: after an intro only one list is read")
    func oneListAfterIntro() throws {
        let r = try load("## E\n\n```sh\necho\n```\n\nExpect:\n\n- exit 0\n\nThen:\n\n- contains `x`\n")
        #expect(steps(r).first?.indicators.map(\.kind) == [.exitCode(0)])
    }

    @Test("indicators: a list with task items after a step is a checklist, not indicators")
    func taskListIsNotIndicators() throws {
        let r = try load("## E\n\n```sh\necho\n```\n- [ ] done by hand\n- exit 0\n")
        #expect(steps(r).first?.indicators == [])
        #expect(r.checklists.first?.items.map(\.text) == ["done by hand"])
    }

    @Test("indicators: only the item's first paragraph counts")
    func firstParagraph() throws {
        let r = try load("## E\n\n```sh\necho\n```\n\n- exit 0\n\n  contains `x` is not read\n")
        #expect(steps(r).first?.indicators.map(\.kind) == [.exitCode(0)])
    }

    @Test("indicators: a bold intro with the colon inside, `**Expected:** exit 0`, reads the same-line indicator")
    func boldIntroSameLine() throws {
        let r = try load("## E\n\n```sh\necho\n```\n\n**Expected:** exit 0\n\n```sh\necho\n```\n\n**Expect**: exit 1\n")
        #expect(steps(r).map { $0.indicators.map(\.kind) } == [[.exitCode(0)], [.exitCode(1)]])
    }

    @Test("indicators: shell blocks nested in a list right after a step are still steps")
    func nestedStepsInIndicatorList() throws {
        let r = try load("## E\n\n```sh\necho a\n```\n\n- If it fails, run:\n  ```sh\n  echo again\n  ```\n")
        #expect(steps(r).map(\.command) == ["echo a", "echo again"])
    }

    // MARK: - Placeholders

    @Test(
        "placeholders: <name> becomes the variable NAME: upper-cased, other characters _",
        arguments: [("<pod-name>", "POD_NAME"), ("<db.host>", "DB_HOST"), ("<a_b2>", "A_B2"), ("<Region>", "REGION")])
    func placeholderNames(_ token: String, _ name: String) throws {
        let r = try load("## E\n\n```sh\necho \(token)\n```\n")
        #expect(steps(r).first?.placeholders == [name])
        #expect(steps(r).first?.command == "echo \"${\(name)}\"")
    }

    @Test("placeholders: rewritten to expand the variable, in unquoted, double-quoted and single-quoted context")
    func placeholderRewriting() throws {
        let r = try load(
            """
            ## E

            ```sh
            gcloud artifacts repositories describe <repo-name> --location "<region>" --format='value(<field>)'
            ```
            """)
        let s = try #require(steps(r).first)
        #expect(s.command == #"gcloud artifacts repositories describe "${REPO_NAME}" --location "${REGION}" --format='value('"${FIELD}"')'"#)
        #expect(s.placeholders == ["REPO_NAME", "REGION", "FIELD"])
    }

    @Test("placeholders: not in comments, escaped, here-document openers or redirections")
    func notPlaceholders() throws {
        let command = "sort <input.txt\ncat <<EOF\nhello\nEOF\necho \\<escaped>\necho hi # <comment>\necho '1<2'"
        let r = try load("## E\n\n```sh\n\(command)\n```\n")
        #expect(steps(r).first?.placeholders == [])
        #expect(steps(r).first?.command == command)
        #expect(r.variables.isEmpty)
    }

    @Test("placeholders: only in the command, not in its example output")
    func placeholdersNotInOutput() throws {
        let r = try load("## E\n\n```console\n$ echo <name>\n<html>\n```\n")
        #expect(steps(r).first?.placeholders == ["NAME"])
        #expect(steps(r).first?.exampleOutput == "<html>")
        #expect(r.variables.map(\.name) == ["NAME"])
    }

    @Test("placeholders: each becomes a runbook variable once (origin placeholder, no default, secret by name)")
    func placeholderVariables() throws {
        let r = try load(
            """
            ---
            variables:
              REGION: us-central1
            ---
            ## E

            ```sh
            login <user-name> <api-token> <region> <user-name>
            ```

            ```sh
            echo <user-name>
            ```
            """)
        #expect(r.variables.map(\.name) == ["REGION", "USER_NAME", "API_TOKEN"])
        #expect(r.variables.map(\.origin) == [.frontMatter, .placeholder, .placeholder])
        #expect(r.variables.map(\.defaultValue) == ["us-central1", nil, nil])
        #expect(r.variables.map(\.isSecret) == [false, false, true])
        #expect(r.variables.map(\.location.line) == [3, 7, 7])
        #expect(steps(r).first?.placeholders == ["USER_NAME", "API_TOKEN", "REGION"])
        #expect(steps(r).first?.command == #"login "${USER_NAME}" "${API_TOKEN}" "${REGION}" "${USER_NAME}""#)
    }

    // MARK: - Variables and the environment

    @Test("variables: values are never spliced into the command text")
    func neverSpliced() throws {
        let r = try load(
            """
            ---
            variables:
              TARGET: "x; rm -rf /"
              NAME:
                default: "$(reboot)"
            ---
            ## E

            ```sh
            echo "$TARGET" <name>
            ```
            """)
        let s = try #require(steps(r).first)
        #expect(s.command == #"echo "$TARGET" "${NAME}""#)
        #expect(!s.command.contains("rm -rf") && !s.command.contains("reboot"))
    }

    @Test("variables: lint warns about $NAME neither declared, asked for, ambient, nor assigned earlier")
    func undeclaredVariables() throws {
        let r = try load(
            """
            ---
            variables:
              NS: default
            ---
            ## E

            ```sh
            export POD=x
            for NODE in a b; do echo "$NODE"; done
            echo "$NS" "$HOME" "$KUBECONFIG" '$QUOTED' \\$ESCAPED <ask>
            ```

            ```sh
            echo "$POD" "${ASK}" "${MISSING:-x}" $MISSING
            ```
            """)
        let warnings = lintFindings(r, .warning, containing: "neither declared")
        #expect(warnings.map(\.location.line) == [13])
        #expect(warnings.first?.message.contains("`$MISSING`") == true)
    }

    // MARK: - Decision tree

    static let treeRunbook = """
        ## Decision tree

        - Pod status
          ```sh
          kubectl get pods -o jsonpath='{.items[*].status.phase}'
          ```
          - `ImagePullBackOff` or `ErrImagePull`
            - Image path starts with `gcr.io`: [GCR deprecation](#issue-1)
            - Events say `no match for platform`: [Platform](other.md#platform-mismatch)
          - `CrashLoopBackOff`, `Error`: see [the runbook](database.md)
        - Something else entirely

        ## Issue 1

        ```sh
        echo fix
        ```
        """

    @Test("tree: labels, probe, patterns, targets and children")
    func treeShape() throws {
        let r = try load(Self.treeRunbook)
        let tree = try #require(r.decisionTree)
        #expect(tree.title == "Decision tree")
        #expect(tree.roots.map(\.label) == ["Pod status", "Something else entirely"])
        try #require(tree.roots.count > 0)
        let root = tree.roots[0]
        #expect(root.location.line == 3)
        #expect(root.patterns == [])
        #expect(root.target == nil)
        let probe = try #require(root.probe)
        #expect(probe.command == "kubectl get pods -o jsonpath='{.items[*].status.phase}'")
        #expect(probe.role == .probe)
        #expect(probe.id == "tree-1")
        #expect(probe.title == "Pod status")
        #expect(!probe.needsConfirmation)
        #expect(root.children.map(\.patterns) == [["ImagePullBackOff", "ErrImagePull"], ["CrashLoopBackOff", "Error"]])
        try #require(root.children.count > 1)
        #expect(root.children[1].target == LinkTarget(file: "database.md", anchor: nil))
        let leaves = root.children[0].children
        #expect(leaves.map(\.label) == ["Image path starts with gcr.io: GCR deprecation", "Events say no match for platform: Platform"])
        #expect(leaves.map(\.patterns) == [[], []])
        #expect(leaves.map(\.target) == [LinkTarget(file: nil, anchor: "issue-1"), LinkTarget(file: "other.md", anchor: "platform-mismatch")])
        #expect(tree.probes.map(\.id) == ["tree-1"])
        #expect(r.entries.map(\.id) == ["issue-1"])
        #expect(tree.allNodes.count == 6)
    }

    @Test(
        "tree: patterns are the leading code spans, joined by or , / |",
        arguments: [
            ("`A` or `B`", ["A", "B"]), ("`A`, `B`: note", ["A", "B"]), ("`A` / `B` | `C`", ["A", "B", "C"]),
            ("`A` OR `B`", ["A", "B"]), ("`A`: see `B`", ["A"]), ("Image starts with `gcr.io`", []), ("**`A`**", []),
        ])
    func patterns(_ label: String, _ expected: [String]) throws {
        let r = try load("## Triage\n\n- Probe\n  ```sh\n  echo\n  ```\n  - \(label)\n")
        #expect(r.decisionTree?.roots.first?.children.first?.patterns == expected)
    }

    @Test("tree: a pattern matches as a plain substring of a line of the parent's probe output")
    func patternMatching() {
        let node = TreeNode(label: "", location: SourceLocation(line: 1, column: 1), patterns: ["a.b", "CrashLoop"])
        #expect(node.isSuggested(byLine: "pod-1   0/1   xa.by"))
        #expect(node.isSuggested(byLine: "Back-off: CrashLoopBackOff"))
        #expect(!node.isSuggested(byLine: "axb"))
        #expect(!node.isSuggested(byLine: "crashloopbackoff"))
    }

    @Test("tree: targets are #anchor, file.md#anchor, file.md; URLs are not targets")
    func treeTargets() throws {
        let r = try load(
            """
            ## Decision tree

            - [A](#entry-a)
            - [B](../other/runbook.md#x)
            - [C](notes.markdown)
            - [D](https://example.com/x.md) then [E](#entry-e)
            - [F](https://example.com)
            """)
        #expect(r.decisionTree?.roots.map(\.target?.description) == ["#entry-a", "../other/runbook.md#x", "notes.markdown", "#entry-e", nil])
    }

    @Test("tree: a probe is the item's first shell block, named by `name`, else tree-<n>")
    func probeIds() throws {
        let r = try load("## Triage\n\n- A\n  ```sh {name=pods}\n  echo a\n  ```\n- B\n  ```yaml\n  x: 1\n  ```\n  ```sh\n  echo b\n  ```\n")
        #expect(r.decisionTree?.probes.map(\.id) == ["pods", "tree-2"])
        #expect(r.decisionTree?.probes.map(\.command) == ["echo a", "echo b"])
    }

    @Test("tree: a second list is ignored with a warning; shell blocks outside the list are not steps")
    func secondTreeList() throws {
        let r = try load("## Decision tree\n\n```sh\necho shown\n```\n\n- first\n\nText.\n\n* second\n\n## Issue\n")
        #expect(r.decisionTree?.roots.map(\.label) == ["first"])
        #expect(r.allSteps.isEmpty)
        #expect(diagnostics(r, .warning).map(\.location.line) == [11])
        #expect(diagnostics(r, .warning).first?.message.contains("second list") == true)
    }

    @Test("tree: in the single-entry layout")
    func treeInSingleEntry() throws {
        let r = try load("# Alert\n\n## Meaning\n\n## Decision tree\n\n- `Pending`: [d](#diagnosis)\n\n## Diagnosis\n")
        #expect(r.entries.count == 1)
        #expect(r.decisionTree?.roots.map(\.patterns) == [["Pending"]])
        #expect(r.decisionTree?.roots.first?.target == LinkTarget(file: nil, anchor: "diagnosis"))
    }

    // MARK: - Checklists

    @Test("checklists: task items grouped by the nearest heading; id is its anchor")
    func checklistGrouping() throws {
        let r = try load(
            """
            # Pre-deploy

            ## Pre-deploy checks

            - [x] Registry exists
            - [ ] Approved

            Some text.

            - [ ] Still the same checklist

            ### Database

            1. [ ] Backup taken
            """)
        #expect(r.checklists.map(\.id) == ["pre-deploy-checks", "database"])
        #expect(r.checklists.map(\.title) == ["Pre-deploy checks", "Database"])
        #expect(r.checklists.map(\.location.line) == [3, 12])
        try #require(r.checklists.count > 1)
        #expect(r.checklists[0].items.map(\.text) == ["Registry exists", "Approved", "Still the same checklist"])
        #expect(r.checklists[0].items.map(\.checked) == [true, false, false])
        #expect(r.checklists[0].items.map(\.location.line) == [5, 6, 10])
        #expect(r.checklists[1].items.map(\.text) == ["Backup taken"])
        #expect(r.checklist(named: "database")?.items.count == 1)
    }

    @Test("checklists: an item with a nested shell block is checked by running it, with indicators after it")
    func checklistStep() throws {
        let r = try load(
            """
            ## Pre-deploy checks

            - [x] Artifact Registry repository exists
              ```sh
              gcloud artifacts repositories describe "$REPOSITORY"
              ```
              - exit 0
              - contains `format: DOCKER`
            - [ ] Release approved by the on-call lead
            """)
        let items = try #require(r.checklists.first?.items)
        try #require(items.count > 0)
        let step = try #require(items[0].step)
        #expect(step.id == "pre-deploy-checks-1")
        #expect(step.role == .verify)
        #expect(!step.needsConfirmation)
        #expect(step.title == "Artifact Registry repository exists")
        #expect(step.command == #"gcloud artifacts repositories describe "$REPOSITORY""#)
        #expect(step.indicators.map(\.kind) == [.exitCode(0), .contains("format: DOCKER")])
        try #require(items.count > 1)
        #expect(items[1].step == nil)
        #expect(steps(r).isEmpty)
        #expect(r.allSteps.map(\.id) == ["pre-deploy-checks-1"])
    }

    @Test("checklists: items before any heading form the checklist `checklist`, titled like the runbook")
    func checklistWithoutHeading() throws {
        let r = try load("---\ntitle: Release\n---\n- [ ] one\n", path: "rel.md")
        #expect(r.checklists.map(\.id) == ["checklist"])
        #expect(r.checklists.map(\.title) == ["Release"])
        let r2 = try load("- [ ] one\n", path: "rel.md")
        #expect(r2.checklists.map(\.title) == ["rel"])
    }

    @Test("checklists: nested task items join the same checklist after their parent")
    func nestedTasks() throws {
        let r = try load("## Go-live\n\n- [ ] Parent\n  - [x] Child one\n  - [ ] Child two\n- [ ] Sibling\n")
        #expect(r.checklists.count == 1)
        try #require(r.checklists.count > 0)
        #expect(r.checklists[0].items.map(\.text) == ["Parent", "Child one", "Child two", "Sibling"])
        #expect(r.checklists[0].items.map(\.checked) == [false, true, false, false])
    }

    @Test("checklists: repeated headings give distinct checklists by their de-duplicated anchors")
    func checklistAnchors() throws {
        let r = try load("## A\n\n### Checks\n\n- [ ] a\n\n## B\n\n### Checks\n\n- [ ] b\n")
        #expect(r.checklists.map(\.id) == ["checks", "checks-1"])
    }

    // MARK: - Anchors

    @Test(
        "anchors: GitHub's slug rules",
        arguments: [
            ("Issue 1: GCR deprecation (403 Forbidden)", "issue-1-gcr-deprecation-403-forbidden"),
            ("`kubectl` fails & retries", "kubectl-fails--retries"),
            ("Café über_alles 🚀", "café-über_alles-"),
            ("Step 2 — Restart", "step-2--restart"),
            ("Why? Because!", "why-because"),
            ("**Bold** and [link](https://x.io)", "bold-and-link"),
            ("日本語 ヘッダー", "日本語-ヘッダー"),
            ("a.b/c", "abc"),
            ("Foo-Bar_Baz", "foo-bar_baz"),
        ])
    func slug(_ heading: String, _ anchor: String) throws {
        let r = try load("## \(heading)\n")
        #expect(r.entries.map(\.id) == [anchor])
        #expect(r.anchors == [anchor])
    }

    @Test("anchors: repeats get -1, -2 in document order, skipping anchors already taken")
    func dedup() throws {
        let r = try load("## Restart\n\n## Restart\n\n## Restart-1\n\n## Restart\n")
        #expect(r.entries.map(\.id) == ["restart", "restart-1", "restart-1-1", "restart-2"])
        #expect(r.entries.map(\.title) == ["Restart", "Restart", "Restart-1", "Restart"])
    }

    @Test("anchors: every heading has one, H1 and H3 included, in document order")
    func allAnchors() throws {
        let r = try load("# Runbook\n\n## A\n\n### Verify\n\n## B\n\n### Verify\n\n> ### Quoted\n")
        #expect(r.anchors == ["runbook", "a", "verify", "b", "verify-1", "quoted"])
    }

    // MARK: - Links

    @Test("links: every link is recorded where it stands, with its target")
    func links() throws {
        let r = try load(
            """
            ## E

            See [the fix](#issue-1), [checks](pre-deploy.md#pre-deploy-checks) and [all](pre-deploy.md).

            | a | b |
            | - | - |
            | [web](https://example.com) | <https://auto.link> |
            """)
        #expect(r.links.map(\.destination) == ["#issue-1", "pre-deploy.md#pre-deploy-checks", "pre-deploy.md", "https://example.com", "https://auto.link"])
        #expect(r.links.map(\.text).prefix(3) == ["the fix", "checks", "all"])
        #expect(r.links.map(\.location.line) == [3, 3, 3, 7, 7])
        #expect(r.links.map(\.target) == [
            LinkTarget(file: nil, anchor: "issue-1"), LinkTarget(file: "pre-deploy.md", anchor: "pre-deploy-checks"),
            LinkTarget(file: "pre-deploy.md", anchor: nil), nil, nil,
        ])
    }

    @Test("links: what is an internal target")
    func linkTargets() {
        #expect(LinkTarget("#a") == LinkTarget(file: nil, anchor: "a"))
        #expect(LinkTarget("../dir/Other.MD#x") == LinkTarget(file: "../dir/Other.MD", anchor: "x"))
        #expect(LinkTarget("x.markdown#y") == LinkTarget(file: "x.markdown", anchor: "y"))
        #expect(LinkTarget("other.md#") == LinkTarget(file: "other.md", anchor: nil))
        #expect(LinkTarget("https://a.md") == nil)
        #expect(LinkTarget("mailto:a@b.md") == nil)
        #expect(LinkTarget("{{< ref x.md >}}") == nil)
        #expect(LinkTarget("#") == nil)
        #expect(LinkTarget("image.png") == nil)
    }

    @Test("links: lint checks anchors, files and anchors in other files; URLs are not checked")
    func lintLinks() throws {
        let r = try load(
            """
            ---
            version: 1.0.0
            ---
            ## Issue 1

            [ok](#issue-1) [bad](#issue) [file](other.md) [file anchor](other.md#there)

            [bad file](missing.md) [bad anchor](other.md#nowhere) [web](https://example.com/missing.md)
            """, path: "books/spec.md")
        let errors = lint(r, files: ["books/other.md": "# There\n"]).filter { $0.severity == .error }
        #expect(errors.map(\.location.line) == [6, 8, 8])
        try #require(errors.count > 0)
        #expect(errors[0].message.contains("`#issue`") && errors[0].message.contains("did you mean `#issue-1`?"))
        #expect(errors.filter { $0.message.contains("`books/missing.md` does not exist") }.count == 1)
        #expect(errors.filter { $0.message.contains("`other.md#nowhere` names no heading of other.md") }.count == 1)
    }

    // MARK: - Versioning and review

    @Test("versioning: lint warns without a version, and when review_by is past")
    func versionLint() throws {
        let none = try load("# T\n")
        #expect(lintFindings(none, .warning, containing: "no version").map(\.location.line) == [1])
        let past = try load("---\nversion: 1.0.0\nreview_by: 2025-05-31\n---\n")
        #expect(lintFindings(past, .warning, containing: "no version").isEmpty)
        #expect(lintFindings(past, .warning, containing: "review_by 2025-05-31 is past").count == 1)
        #expect(past.isOverdue(today: CalendarDate(year: 2025, month: 6, day: 1)!))
        let today = try load("---\nversion: 1.0.0\nreview_by: 2025-06-01\n---\n")
        #expect(lintFindings(today, .warning, containing: "is past").isEmpty)
        // An invalid version is reported once, as an error, not again as missing.
        let bad = try load("---\nversion: 1.0\n---\n")
        #expect(lintFindings(bad, .warning, containing: "no version").isEmpty)
        #expect(lint(bad).filter { $0.severity == .error }.count == 1)
    }

    // MARK: - Limits and robustness

    @Test("limits: Markdown nested deeper than 64 levels is flattened, with a warning")
    func deepNesting() throws {
        let r = try load("# T\n\n" + String(repeating: ">", count: 70) + " deep\n")
        let warnings = diagnostics(r, .warning)
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("deeper than 64") == true)
        #expect(r.document.plainText.contains("deep"))
    }

    @Test("limits: 100 nested list levels load, flattened with a warning")
    func deepLists() throws {
        var md = "## E\n\n"
        for depth in 0..<100 { md += String(repeating: "  ", count: depth) + "- level \(depth)\n" }
        let r = try load(md)
        #expect(r.entries.count == 1)
        #expect(diagnostics(r, .warning).contains { $0.message.contains("deeper than 64") })
    }

    // MARK: - Lint rules

    @Test("lint: a duplicate anchor is an error when one heading is H1 or H2; repeated H3s are fine")
    func duplicateAnchors() throws {
        let r = try load("---\nversion: 1.0.0\n---\n## Restart\n\n### Verify\n\n## Restart\n\n### Verify\n")
        let errors = lint(r).filter { $0.severity == .error }
        #expect(errors.map(\.location.line) == [8])
        #expect(errors.first?.message.contains("duplicate anchor `#restart`") == true)
    }

    @Test("lint: tree leaves without targets, probes whose children have no patterns, unreachable entries")
    func treeLint() throws {
        let r = try load(
            """
            ---
            version: 1.0.0
            ---
            ## Decision tree

            - Pods
              ```sh
              kubectl get pods
              ```
              - Pending: [A](#issue-a)
              - Other
            - [B](#issue-b)

            ## Issue A

            ```sh
            echo a
            ```

            ## Issue B

            ## Issue C

            ```sh
            echo c
            ```
            """)
        let warnings = lint(r).filter { $0.severity == .warning }
        #expect(warnings.filter { $0.message.contains("leads nowhere") }.map(\.location.line) == [11])
        #expect(warnings.filter { $0.message.contains("no patterns") }.map(\.location.line) == [6])
        #expect(warnings.filter { $0.message.contains("no branch of the decision tree reaches") }.map(\.location.line) == [22])
    }

    @Test("lint: a runnable verify step without indicators is a warning")
    func verifyWithoutIndicators() throws {
        let r = try load("---\nversion: 1.0.0\n---\n## E\n\n### Verify\n\n```sh\necho a\n```\n\n```sh {skip}\necho b\n```\n\n```sh\necho c\n```\n- exit 0\n")
        // (The check with an indicator but no labelled examples gets its own warning: LabelledExampleTests.)
        let warnings = lint(r).filter { $0.severity == .warning && !$0.message.contains("example output labelled") }
        #expect(warnings.map(\.location.line) == [8])
        #expect(warnings.first?.message.contains("verify step `e-1` has no success indicator") == true)
    }

    @Test("lint: output is sorted by location, and includes the loader's diagnostics")
    func lintIncludesLoader() throws {
        let r = try load("---\nversion: 1.0.0\nweight: 1\n---\n## E\n\n[x](#nope)\n\n```sh {bogus}\necho\n```\n")
        let all = lint(r)
        #expect(all.map(\.severity) == [.note, .error, .warning])
        #expect(all.map(\.location.line) == [3, 7, 9])
    }

    // MARK: - show --json

    @Test("json: the runbook object has every key, null where there is no value")
    func jsonRunbook() throws {
        let r = try load("---\nversion: 1.0.0\ntimeout: 90s\n---\n# T\n", path: "dir/t.md")
        let o = try json(r)
        #expect(Set(o.keys) == [
            "id", "title", "version", "updated", "review_by", "path", "sha256", "variables", "entries", "decision_tree",
            "checklists", "owner", "description", "shell", "timeout", "steps", "decision_tree_source",
        ])
        #expect(o["decision_tree_source"] is NSNull)
        #expect(o["id"] as? String == "t")
        #expect(o["title"] as? String == "T")
        #expect(o["version"] as? String == "1.0.0")
        #expect(o["path"] as? String == "dir/t.md")
        #expect(o["sha256"] as? String == r.sha256)
        #expect((o["timeout"] as? NSNumber)?.doubleValue == 90)
        for key in ["updated", "review_by", "owner", "description", "shell", "decision_tree"] {
            #expect(o[key] is NSNull, "\(key)")
        }
        for key in ["variables", "entries", "checklists", "steps"] {
            #expect((o[key] as? [Any])?.isEmpty == true, "\(key)")
        }
    }

    @Test("json: exit indicators as written: one status as value, several as values, any; never the implied exit 0")
    func jsonExitIndicators() throws {
        let r = try load(
            "## E\n\n```sh\necho\n```\n\n- exit 2\n- exit 0 or 1\n- exit any\n\n```sh\necho\n```\n\n- no `ERROR`\n")
        let steps = try #require((try json(r)["entries"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])
        let exits = try #require(steps.first?["indicators"] as? [[String: Any]])
        #expect(exits.map { $0["kind"] as? String } == ["exit_code", "exit_code", "exit_code"])
        #expect(exits.map { Set($0.keys) } == [
            ["kind", "value", "note", "line"], ["kind", "value", "values", "note", "line"], ["kind", "value", "any", "note", "line"],
        ])
        try #require(exits.count > 2)
        #expect((exits[0]["value"] as? NSNumber)?.intValue == 2)
        #expect(exits[1]["value"] is NSNull)
        #expect((exits[1]["values"] as? [NSNumber])?.map(\.intValue) == [0, 1])
        #expect(exits[2]["value"] is NSNull)
        #expect(exits[2]["any"] as? Bool == true)
        let negative = try #require(steps.last?["indicators"] as? [[String: Any]])
        #expect(negative.map { $0["kind"] as? String } == ["not_contains"])
    }

    @Test("json: entries, steps, attributes, indicators, variables, tree nodes and checklists")
    func jsonObjects() throws {
        let r = try load(
            """
            ---
            variables:
              NS: staging
            ---
            ```sh
            echo loose
            ```

            ## Decision tree

            - Probe
              ```sh
              echo probe
              ```
              - `A`: [E](#e)
              - other

            ## E

            Summary.

            ### Fix

            #### Option A

            ```sh {timeout=500ms name=fix-it}
            echo <thing>
            ```
            Success indicators:
            - exit 0
            - contains `ok`
            - Looks fine

            ### Checks

            - [x] Ticked
              ```sh
              echo check
              ```
            """)
        let o = try json(r)
        let loose = try #require((o["steps"] as? [[String: Any]])?.first)
        #expect(loose["id"] as? String == "spec-1")

        let entry = try #require((o["entries"] as? [[String: Any]])?.first)
        #expect(Set(entry.keys) == ["id", "title", "anchor", "line", "column", "sections", "steps", "options"])
        #expect(entry["line"] as? Int == 18)
        #expect(entry["column"] as? Int == 1)
        #expect(entry["options"] as? [String] == ["Option A"])
        let sections = try #require(entry["sections"] as? [String: String])
        #expect(Set(sections.keys) == ["summary", "fix", "diagnosis"])
        #expect(sections["summary"] == "Summary.")

        let step = try #require((entry["steps"] as? [[String: Any]])?.first)
        #expect(Set(step.keys) == [
            "id", "role", "language", "command", "line", "column", "attributes", "example_output", "indicators", "title",
            "option", "placeholders", "confirm", "safety", "safety_reason", "needs_terminal", "runs_until_interrupted",
            "vouched_over", "examples", "typed_into", "not_run", "remote_of", "opens_shell",
        ])
        #expect((step["examples"] as? [Any])?.isEmpty == true)
        #expect(step["typed_into"] is NSNull)
        #expect(step["not_run"] is NSNull)
        #expect(step["remote_of"] is NSNull)
        #expect(step["opens_shell"] is NSNull)
        #expect(step["safety"] as? String == "read-only")
        #expect(step["safety_reason"] as? String == "`echo` changes nothing outside the shell")
        #expect(step["id"] as? String == "fix-it")
        #expect(step["role"] as? String == "fix")
        #expect(step["language"] as? String == "sh")
        #expect(step["command"] as? String == #"echo "${THING}""#)
        #expect(step["line"] as? Int == 26)
        #expect(step["example_output"] is NSNull)
        #expect(step["title"] as? String == "Option A")
        #expect(step["option"] as? String == "Option A")
        #expect(step["placeholders"] as? [String] == ["THING"])
        #expect(step["confirm"] as? Bool == true)
        let attributes = try #require(step["attributes"] as? [String: Any])
        #expect(Set(attributes.keys) == ["name", "timeout", "confirm", "interactive", "pty", "cwd", "skip", "role", "readonly"])
        #expect(attributes["name"] as? String == "fix-it")
        #expect((attributes["timeout"] as? NSNumber)?.doubleValue == 0.5)
        #expect(attributes["confirm"] is NSNull)
        #expect(attributes["interactive"] as? Bool == false)
        #expect(attributes["pty"] as? Bool == false)
        #expect(attributes["cwd"] is NSNull)
        #expect(attributes["skip"] as? Bool == false)
        #expect(attributes["role"] is NSNull)

        let indicators = try #require(step["indicators"] as? [[String: Any]])
        #expect(indicators.allSatisfy { Set($0.keys) == ["kind", "value", "note", "line"] })
        #expect(indicators.map { $0["kind"] as? String } == ["exit_code", "contains", "manual"])
        try #require(indicators.count > 2)
        #expect((indicators[0]["value"] as? NSNumber)?.intValue == 0)
        #expect(indicators[1]["value"] as? String == "ok")
        #expect(indicators[2]["value"] is NSNull)
        #expect(indicators[2]["note"] as? String == "Looks fine")
        #expect(indicators.map { $0["line"] as? Int } == [30, 31, 32])

        let variables = try #require(o["variables"] as? [[String: Any]])
        #expect(variables.allSatisfy { Set($0.keys) == ["name", "default", "description", "secret", "origin", "line"] })
        #expect(variables.map { $0["name"] as? String } == ["NS", "THING"])
        #expect(variables.map { $0["origin"] as? String } == ["front_matter", "placeholder"])
        try #require(variables.count > 1)
        #expect(variables[0]["default"] as? String == "staging")
        #expect(variables[1]["default"] is NSNull)
        #expect(variables[0]["secret"] as? Bool == false)
        #expect(variables.map { $0["line"] as? Int } == [3, 26])

        let roots = try #require(o["decision_tree"] as? [[String: Any]])
        #expect(roots.allSatisfy { Set($0.keys) == ["label", "line", "probe", "pattern", "target", "children"] })
        #expect(roots.first?["label"] as? String == "Probe")
        #expect(roots.first?["pattern"] is NSNull)
        #expect(roots.first?["target"] is NSNull)
        #expect((roots.first?["probe"] as? [String: Any])?["role"] as? String == "probe")
        let children = try #require(roots.first?["children"] as? [[String: Any]])
        #expect(children.map { $0["pattern"] as? [String] } == [["A"], nil])
        #expect(children.first?["target"] as? String == "#e")
        #expect(children.first?["probe"] is NSNull)

        let checklist = try #require((o["checklists"] as? [[String: Any]])?.first)
        #expect(Set(checklist.keys) == ["id", "title", "line", "items"])
        #expect(checklist["id"] as? String == "checks")
        #expect(checklist["line"] as? Int == 34)
        let item = try #require((checklist["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["text", "checked", "step", "line"])
        #expect(item["text"] as? String == "Ticked")
        #expect(item["checked"] as? Bool == true)
        #expect(item["line"] as? Int == 36)
        #expect((item["step"] as? [String: Any])?["role"] as? String == "verify")
    }
}
