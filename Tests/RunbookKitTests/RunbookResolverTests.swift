import Testing
@testable import RunbookKit

@Suite("opening runbooks by link, URL and alert")
struct RunbookResolverTests {
    func load(_ text: String, path: String) throws -> Runbook {
        try RunbookLoader().load(bytes: Array(text.utf8), path: path)
    }

    static let text = """
        ---
        alerts: [BackendDown, "BackendSlow"]
        ---
        # Backend

        ## Decision tree

        - Is it up? [Backend down](#backend-down)

        ## Backend down

        ### Symptoms

        Nothing answers.

        ## Pre-deploy checklist

        - [ ] The image is pushed
        """

    func resolver() throws -> RunbookResolver {
        RunbookResolver(
            runbooks: [
                try load(Self.text, path: "runbooks/backend.md"),
                try load("# Crash\n\n## Meaning\n\nA pod restarts.\n", path: "runbooks/kubernetes/KubePodCrashLooping.md"),
                try load("# Other\n", path: "other/kubernetes/Other.md"),
                try load("# Twin\n", path: "a/twin.md"),
                try load("# Twin\n", path: "b/twin.md"),
            ],
            searchPath: ["runbooks"])
    }

    @Test("FILE#ANCHOR opens an entry, a checklist, the tree, or another heading")
    func anchors() throws {
        let r = try resolver()
        #expect(try r.resolve(.file(path: "runbooks/backend.md", anchor: nil)) == OpenTarget(path: "runbooks/backend.md"))
        #expect(try r.resolve(.file(path: "runbooks/backend.md", anchor: "backend-down")).place == .entry("backend-down"))
        #expect(try r.resolve(.file(path: "./runbooks/backend.md", anchor: "pre-deploy-checklist")).place == .checklist("pre-deploy-checklist"))
        #expect(try r.resolve(.file(path: "runbooks/backend.md", anchor: "decision-tree")).place == .tree)
        #expect(try r.resolve(.file(path: "runbooks/backend.md", anchor: "symptoms")).place == .heading(line: 12))
    }

    @Test("a missing anchor names the nearest ones")
    func missingAnchor() throws {
        let r = try resolver()
        let error = #expect(throws: OpenError.self) { try r.resolve(.file(path: "runbooks/backend.md", anchor: "backend-dwn")) }
        #expect(error?.description.hasPrefix("runbooks/backend.md has no heading #backend-dwn (nearest: #backend-down, ") == true)
        #expect(error?.description.hasSuffix("`runbook show runbooks/backend.md` lists its entries") == true)
    }

    @Test("GitHub, GitLab and raw URLs give the repository path and anchor")
    func urls() {
        #expect(OpenRequest(argument: "https://github.com/acme/ops/blob/main/runbooks/backend.md#backend-down", fileExists: { _ in false })
            == .url("https://github.com/acme/ops/blob/main/runbooks/backend.md#backend-down", path: ["runbooks", "backend.md"], anchor: "backend-down"))
        #expect(OpenRequest(argument: "https://gitlab.com/acme/ops/-/blob/v1.2/runbooks/backend.md", fileExists: { _ in false })
            == .url("https://gitlab.com/acme/ops/-/blob/v1.2/runbooks/backend.md", path: ["runbooks", "backend.md"], anchor: nil))
        #expect(OpenRequest(argument: "https://raw.githubusercontent.com/acme/ops/main/a%20b.md", fileExists: { _ in false })
            == .url("https://raw.githubusercontent.com/acme/ops/main/a%20b.md", path: ["a b.md"], anchor: nil))
        #expect(OpenRequest(argument: "runbooks/backend.md#x", fileExists: { _ in false }) == .file(path: "runbooks/backend.md", anchor: "x"))
        #expect(OpenRequest(argument: "odd#name.md", fileExists: { _ in true }) == .file(path: "odd#name.md", anchor: nil))
    }

    @Test("a URL finds the runbook by the longest end of its path; a tie is an error listing both")
    func urlSuffix() throws {
        let r = try resolver()
        let url = "https://github.com/acme/ops/blob/main/content/runbooks/kubernetes/KubePodCrashLooping.md"
        #expect(try r.resolve(OpenRequest(argument: url, fileExists: { _ in false })).path == "runbooks/kubernetes/KubePodCrashLooping.md")
        let site = "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping/"
        #expect(try r.resolve(OpenRequest(argument: site, fileExists: { _ in false })).path == "runbooks/kubernetes/KubePodCrashLooping.md")
        #expect(throws: OpenError("https://github.com/x/y/blob/main/twin.md could be any of: a/twin.md, b/twin.md; give the folder to search after the URL")) {
            try r.resolve(OpenRequest(argument: "https://github.com/x/y/blob/main/twin.md", fileExists: { _ in false }))
        }
        #expect(try r.resolve(OpenRequest(argument: "https://github.com/x/y/blob/main/b/twin.md", fileExists: { _ in false })).path == "b/twin.md")
        #expect(throws: OpenError.self) { try r.resolve(OpenRequest(argument: "https://github.com/x/y/blob/main/nope.md", fileExists: { _ in false })) }
    }

    @Test("--alert: the runbook listing it under alerts:, else the file named after it")
    func alerts() throws {
        let r = try resolver()
        #expect(try r.resolve(.alert("BackendSlow")).path == "runbooks/backend.md")
        #expect(try r.resolve(.alert("KubePodCrashLooping")).path == "runbooks/kubernetes/KubePodCrashLooping.md")
        #expect(try r.resolve(.alert("kubepodcrashlooping")).path == "runbooks/kubernetes/KubePodCrashLooping.md")
        let error = #expect(throws: OpenError.self) { try r.resolve(.alert("BackendDwn")) }
        #expect(error?.description.hasPrefix("no runbook on the search path (runbooks) answers alert BackendDwn; nearest: BackendDown") == true)
        #expect(error?.description.hasSuffix("list it under `alerts:` in its runbook's front matter, or name the file BackendDwn.md") == true)
    }

    @Test("alerts: is read from the front matter; a bad name is an error; lint reports a claim made twice")
    func frontMatterAlerts() throws {
        let rb = try load(Self.text, path: "runbooks/backend.md")
        #expect(rb.alerts.map(\.name) == ["BackendDown", "BackendSlow"])
        #expect(rb.alerts.first?.location.line == 2)
        let bad = try load("---\nalerts: [\"not one word\"]\n---\n# X\n", path: "x.md")
        #expect(bad.alerts.isEmpty)
        #expect(bad.diagnostics.contains { $0.severity == .error && $0.message.contains("an alert name is one word") })
        let twice = try load("---\nalerts: BackendDown\n---\n# Y\n", path: "y.md")
        let claims = RunbookLinter.alertClaims([rb, twice])
        #expect(claims.map(\.description) == ["y.md:2:9: error: alert `BackendDown` is also claimed by runbooks/backend.md:2: list each alert in one runbook only"])
    }
}
