import ArgumentParser
import RunbookKit

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check runbooks and print problems as file:line:col: severity: message.",
        discussion: """
            Exits 1 when any error is found; warnings and notes do not fail.

            With --compat, it reports instead how a folder of foreign runbooks was read: files, entries, \
            steps by role and safety, remote steps, prompts stripped, decision trees, variables asked for, \
            and the files that need annotations, with why (see docs/importing.md). It exits 0.

            Examples:
              runbook lint runbooks/
              runbook lint runbooks/gke-staging-troubleshooting.md --json
              runbook lint --compat ~/src/runbooks/content
            """
    )

    @Argument(help: "Runbook files or folders (default: $RUNBOOK_PATH or ./runbooks).")
    var paths: [String] = []

    @Flag(help: "Print JSON: an array of {file, line, column, severity, message}; with --compat, the report.")
    var json = false

    @Flag(help: "Report how the runbooks were read (a compatibility report for an import), not their problems.")
    var compat = false

    func run() throws {
        if compat { return try runCompat() }
        let loader = RunbookLoader()
        let linter = RunbookLinter(today: today())
        var diagnostics: [Diagnostic] = []
        // Each file is loaded once, whether it is linted or another one links to it first.
        var loaded: [String: Result<Runbook, LoadError>] = [:]
        func load(_ path: String) -> Result<Runbook, LoadError> {
            if let cached = loaded[path] { return cached }
            let result: Result<Runbook, LoadError>
            do {
                result = .success(try loader.load(path: path))
            } catch {
                result = .failure(error)
            }
            loaded[path] = result
            return result
        }
        let files: [String]
        do {
            files = try RunbookFinder.markdownFiles(in: paths.isEmpty ? defaultRunbookPaths() : paths)
        } catch {
            diagnostics.append(error.diagnostic)
            files = []
        }
        var linted: [Runbook] = []
        for file in files {
            switch load(file) {
            case .failure(let error):
                diagnostics.append(error.diagnostic)
            case .success(let runbook):
                diagnostics += linter.lint(runbook) { path in try? load(path).get() }
                linted.append(runbook)
            }
        }
        diagnostics += RunbookLinter.alertClaims(linted)
        if json {
            print(try RunbookJSON.encode(diagnostics))
        } else {
            for d in diagnostics { print(TerminalSafeText.make(d.description)) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.filter { $0.severity == .warning }.count
            printError("\(files.count) file\(files.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

    /// `--compat`: every file read once and counted.
    func runCompat() throws {
        var report = CompatibilityReport()
        do {
            for file in try RunbookFinder.markdownFiles(in: paths.isEmpty ? defaultRunbookPaths() : paths) {
                do {
                    report.add(try RunbookLoader().load(path: file))
                } catch {
                    report.add(failed: file, reason: error.description)
                }
            }
        } catch {
            printError(error.diagnostic.description)
            throw ExitCode(2)
        }
        print(json ? try RunbookJSON.encode(report) : TerminalSafeText.make(report.text))
    }
}
