import Foundation
import RunbookTestSupport
import Testing

/// `runbook FILE#ANCHOR`, `runbook open URL` and `runbook open --alert NAME`: what each resolves to
/// (`--which` prints it), and the errors for what names nothing.
@Suite("runbook open: links, URLs and alerts")
struct OpenCommandTests {
    let repo = ProgramRun.repository
    var runbooks: String { repo + "/runbooks" }
    var troubleshooting: String { runbooks + "/gke-staging-troubleshooting.md" }
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-open")
    }

    @Test("FILE#ANCHOR, with and without the open subcommand")
    func fileAnchor() throws {
        let link = troubleshooting + "#issue-4-cloud-sql-requires-ssl"
        for args in [[link, "--which"], ["open", link, "--which"]] {
            let run = try ProgramRun.run(args)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == link + "\n")
        }
        let file = try ProgramRun.run([troubleshooting, "--which"])
        #expect(file.stdout == troubleshooting + "\n")
    }

    @Test("a missing anchor exits 2 naming the nearest anchors; a missing file exits 2")
    func missing() throws {
        let run = try ProgramRun.run([troubleshooting + "#issue-4-cloud-sql-require-ssl"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("runbook: error: \(troubleshooting) has no heading #issue-4-cloud-sql-require-ssl (nearest: #issue-4-cloud-sql-requires-ssl"))
        #expect(run.stdout.isEmpty)
        let none = try ProgramRun.run([runbooks + "/nope.md#x"])
        #expect(none.status == 2)
        #expect(none.stderr.hasPrefix("runbook: error: no file \(runbooks)/nope.md"))
    }

    @Test("a GitHub or GitLab blob URL finds the runbook on the search path by its path's end")
    func urls() throws {
        let env = ["RUNBOOK_PATH": runbooks]
        let github = try ProgramRun.run(
            ["open", "https://github.com/acme/platform/blob/main/runbooks/gke-staging-troubleshooting.md#decision-tree", "--which"],
            environment: env)
        #expect(github.status == 0, "\(github.stderr)")
        #expect(github.stdout == troubleshooting + "#decision-tree\n")
        let gitlab = try ProgramRun.run(
            ["open", "https://gitlab.com/acme/platform/-/blob/v2/docs/gke-staging-pre-deploy.md#pre-deploy-checklist", "--which", runbooks])
        #expect(gitlab.status == 0, "\(gitlab.stderr)")
        #expect(gitlab.stdout == runbooks + "/gke-staging-pre-deploy.md#pre-deploy-checklist\n")
        let unknown = try ProgramRun.run(["open", "https://github.com/acme/platform/blob/main/runbooks/gone.md"], environment: env)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("runbook: error: no runbook on the search path (\(runbooks)) is runbooks/gone.md"))
    }

    @Test("--alert opens the runbook that lists the alert, or the file named after it; lint reports a double claim")
    func alerts() throws {
        let dir = temporary.path
        try "---\nalerts: [BackendDown]\n---\n# Backend\n\n## Down\n\nText.\n".write(toFile: dir + "/backend.md", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/kubernetes", withIntermediateDirectories: true)
        try "# KubePodCrashLooping\n\n## Meaning\n\nA pod restarts.\n".write(
            toFile: dir + "/kubernetes/KubePodCrashLooping.md", atomically: true, encoding: .utf8)
        let byList = try ProgramRun.run(["open", "--alert", "BackendDown", "--which", dir])
        #expect(byList.stdout == dir + "/backend.md\n", "\(byList.stderr)")
        let byName = try ProgramRun.run(["open", "--alert", "KubePodCrashLooping", "--which"], environment: ["RUNBOOK_PATH": dir])
        #expect(byName.stdout == dir + "/kubernetes/KubePodCrashLooping.md\n", "\(byName.stderr)")
        let none = try ProgramRun.run(["open", "--alert", "BackendDwn", dir])
        #expect(none.status == 2)
        #expect(none.stderr.contains("runbook: error: no runbook on the search path (\(dir)) answers alert BackendDwn; nearest: BackendDown"))

        try "---\nalerts: BackendDown\n---\n# Backend again\n".write(toFile: dir + "/again.md", atomically: true, encoding: .utf8)
        let lint = try ProgramRun.run(["lint", dir])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("alert `BackendDown` is also claimed by"))
        let twice = try ProgramRun.run(["open", "--alert", "BackendDown", dir])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("alert BackendDown is claimed by 2 runbooks"))
    }
}
