import Foundation
import RunbookTestSupport
import Testing

/// `scripts/install` end to end: a release build installed into a temporary prefix, then used from there.
///
/// Run on its own, because the release build takes minutes: `scripts/test` runs it after the suite, with
/// `RUNBOOK_INSTALL_TEST=1`; in the suite's own run it is skipped, saying so. It builds in `.build-install` (not `.build`, which `swift test`
/// keeps locked while the tests run), so a second run only relinks.
@Suite("scripts/install")
struct InstallTests {
    static let isEnabled = ProcessInfo.processInfo.environment["RUNBOOK_INSTALL_TEST"] == "1"

    /// The prefix, removed after the test with everything installed in it.
    let prefix: TemporaryFolder

    init() throws {
        prefix = try TemporaryFolder("runbook-install")
    }

    @Test(
        "installs a release binary that runs on its own, completions that parse and a man page that renders",
        .enabled(
            if: InstallTests.isEnabled,
            "builds a release binary (minutes): RUNBOOK_INSTALL_TEST=1 swift test --skip-build --disable-xctest --filter InstallTests runs it, as scripts/test does after the suite"))
    func install() throws {
        let repository = ProgramRun.repository
        let root = prefix.path + "/prefix with a space"
        // PATH without the prefix, so the script says how to add it.
        let swift = try #require(ExecutableSearch.path(of: "swift"), "the install builds with swift, which is not on PATH")
        let path = URL(fileURLWithPath: swift).deletingLastPathComponent().path + ":/usr/local/bin:/usr/bin:/bin"
        // The build is SwiftPM's: it gets the developer's HOME and cache folder (its caches of packages);
        // the rest of the environment stays the test's own.
        let developer = ProcessInfo.processInfo.environment
        var environment = ["PATH": path]
        environment["HOME"] = developer["HOME"]
        environment["XDG_CACHE_HOME"] = developer["XDG_CACHE_HOME"] ?? developer["HOME"].map { $0 + "/.cache" }
        let script = try StartedProgram.start(
            ["--prefix", root, "--scratch-path", repository + "/.build-install"],
            environment: environment, folder: prefix.path, executable: repository + "/scripts/install")
        let status = script.waitUntilExit()
        try #require(status == 0, "scripts/install exited \(status):\n\(script.stderr.suffix(4000))")

        let files = [
            "bin/runbook", "share/bash-completion/completions/runbook", "share/zsh/site-functions/_runbook",
            "share/fish/vendor_completions.d/runbook.fish", "share/man/man1/runbook.1",
        ]
        let report = script.stdout
        for file in files {
            #expect(FileManager.default.fileExists(atPath: root + "/" + file), "\(file) is not installed")
            #expect(report.contains("  \(root)/\(file)\n"), "the report does not name \(file):\n\(report)")
        }
        #expect(report.contains("export PATH=\"\(root)/bin:$PATH\""), "\(report)")

        // The binary: the same version as the one the tests built, the Swift runtime inside it.
        let runbook = root + "/bin/runbook"
        #expect(FileManager.default.isExecutableFile(atPath: runbook))
        let version = try ProgramRun.run(["--version"], executable: runbook)
        #expect(version.status == 0)
        #expect(version.stdout == (try ProgramRun.run(["--version"])).stdout)
        #expect(report.hasPrefix("Installed runbook \(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)):"))
        let libraries = try ProgramRun.run([runbook], executable: try #require(ExecutableSearch.path(of: "ldd")))
        #expect(libraries.status == 0)
        #expect(!libraries.stdout.contains("libswiftCore"), "linked to the toolchain's runtime:\n\(libraries.stdout)")
        #expect(!libraries.stdout.contains("libFoundation"), "linked to the toolchain's Foundation:\n\(libraries.stdout)")

        // It reads this repository's runbooks from anywhere.
        let list = try ProgramRun.run(
            ["list", repository + "/runbooks", "--json"], environment: ["RUNBOOK_PATH": "", "PATH": path], executable: runbook)
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let ids = Set(listed.compactMap { $0["id"] as? String })
        #expect(ids.isSuperset(of: ["gke-staging-troubleshooting", "gke-staging-pre-deploy", "gke-staging-onboarding"]), "\(ids)")

        // The completions are what the installed binary generates, and they parse.
        for (shell, file) in [("bash", files[1]), ("zsh", files[2]), ("fish", files[3])] {
            let generated = try ProgramRun.run(["--generate-completion-script", shell], executable: runbook)
            let installed = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            #expect(installed == generated.stdout, "\(file) differs from the binary's \(shell) completion")
        }
        // (CompletionScriptTests checks what they complete; scripts/setup installs the three shells.)
        for (shell, check, file) in [("bash", "-n", files[1]), ("zsh", "-n", files[2]), ("fish", "--no-execute", files[3])] {
            let executable = try #require(ExecutableSearch.path(of: shell), "\(shell) is not installed: scripts/setup installs it")
            let parsed = try ProgramRun.run([check, root + "/" + file], executable: executable)
            #expect(parsed.status == 0, "\(shell) \(check) \(file): \(parsed.stderr)")
        }

        // The man page renders, with every subcommand; and man finds it through PATH, as the script says.
        let man = try #require(ExecutableSearch.path(of: "man"), "man is not installed: scripts/setup installs man-db")
        let page = try ProgramRun.run(
            ["-l", root + "/" + files[4]], environment: ["MANPAGER": "cat", "MANWIDTH": "100", "LANG": "C.UTF-8"], executable: man)
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stderr.isEmpty, "warnings: \(page.stderr)")
        #expect(page.stdout.contains("NAME"))
        #expect(page.stdout.contains("Walk Markdown runbooks"), "\(page.stdout.prefix(600))")
        let lines = page.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for subcommand in ["open", "list", "show", "lint", "check", "sessions", "report", "drill"] {
            #expect(lines.contains { $0 == subcommand || $0.hasPrefix(subcommand + " ") }, "no \(subcommand) in the man page")
        }
        let found = try ProgramRun.run(
            ["-w", "runbook"], environment: ["PATH": root + "/bin:" + path], executable: man)
        #expect(found.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == root + "/" + files[4], "\(found.stdout)\(found.stderr)")
    }
}
