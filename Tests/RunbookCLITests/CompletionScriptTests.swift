import Foundation
import RunbookTestSupport
import Testing

/// The shell completion scripts `runbook --generate-completion-script` writes (and scripts/install
/// installs): each parses in its shell, and bash's completes subcommands, options and option values.
@Suite("shell completion scripts")
struct CompletionScriptTests {
    /// Made for each test, removed after it.
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-completion")
    }

    /// The completion script for `shell`, written to a file of its own.
    func script(for shell: String) throws -> String {
        let run = try ProgramRun.run(["--generate-completion-script", shell])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.isEmpty)
        let file = temporary.path + "/runbook." + shell
        try run.stdout.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    /// What bash's completion function offers for `line` (the cursor at its end), one word a line.
    func bashCompletions(_ script: String, _ line: String) throws -> [String] {
        let bash = try #require(ExecutableSearch.path(of: "bash"))
        let run = try ProgramRun.run(
            [
                "-c",
                """
                source "$1"
                COMP_LINE="$2"
                read -ra COMP_WORDS <<< "$COMP_LINE"
                [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMP_POINT=${#COMP_LINE}
                _runbook runbook "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """,
                "bash", script, line,
            ], executable: bash)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// What fish offers for `line`, sorted, without the descriptions.
    func fishCompletions(_ fish: String, _ script: String, _ line: String) throws -> [String] {
        let run = try ProgramRun.run(
            ["--no-config", "-c", "source $argv[1]; complete --do-complete $argv[2]", script, line], executable: fish)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }.sorted()
    }

    @Test("bash: the script parses and completes subcommands, options and option values")
    func bash() throws {
        let file = try script(for: "bash")
        let bash = try #require(ExecutableSearch.path(of: "bash"))
        let syntax = try ProgramRun.run(["-n", file], executable: bash)
        #expect(syntax.status == 0, "\(syntax.stderr)")
        #expect(try bashCompletions(file, "runbook li") == ["list", "lint"])
        #expect(try bashCompletions(file, "runbook check x --fo") == ["--format"])
        #expect(try bashCompletions(file, "runbook check x --format ") == ["text", "json", "junit", "openmetrics", "prometheus"])
        #expect(try bashCompletions(file, "runbook lint --j") == ["--json"])
    }

    @Test(
        "zsh: the script parses",
        .enabled(if: ExecutableSearch.path(of: "zsh") != nil, "zsh is not installed: scripts/setup installs it"))
    func zsh() throws {
        let file = try script(for: "zsh")
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("#compdef runbook"))
        let syntax = try ProgramRun.run(["-n", file], executable: try #require(ExecutableSearch.path(of: "zsh")))
        #expect(syntax.status == 0, "\(syntax.stderr)")
    }

    @Test(
        "fish: the script parses and completes subcommands and option values",
        .enabled(
            if: ExecutableSearch.path(of: "fish") != nil,
            "fish is not installed: scripts/setup installs it"))
    func fish() throws {
        let file = try script(for: "fish")
        let fish = try #require(ExecutableSearch.path(of: "fish"))
        let syntax = try ProgramRun.run(["--no-execute", file], executable: fish)
        #expect(syntax.status == 0, "\(syntax.stderr)")
        #expect(try fishCompletions(fish, file, "runbook li") == ["lint", "list"])
        #expect(try fishCompletions(fish, file, "runbook check x --format ") == ["json", "junit", "openmetrics", "prometheus", "text"])
    }
}

/// Finds a program the way a shell does, through PATH.
enum ExecutableSearch {
    static func path(of name: String, in searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for folder in (searchPath ?? "/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
