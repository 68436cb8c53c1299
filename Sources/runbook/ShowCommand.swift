import ArgumentParser
import RunbookKit

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show how a runbook is read: entries, steps, indicators, decision tree, checklists.",
        discussion: """
            The JSON (--json) is a stable interface for scripts: see docs/runbook-format.md.

            Examples:
              runbook show runbooks/gke-staging-troubleshooting.md
              runbook show runbooks/gke-staging-pre-deploy.md --json | jq '.checklists[].title'
            """
    )

    @Argument(help: "The runbook file.")
    var file: String

    @Flag(help: "Print the parsed runbook as JSON.")
    var json = false

    func run() throws {
        let runbook: Runbook
        do {
            runbook = try RunbookLoader().load(path: file)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        if json {
            print(try RunbookJSON.encode(runbook))
        } else {
            print(TerminalSafeText.make(RunbookOutline(runbook).text))
        }
        for d in runbook.diagnostics where d.severity == .error {
            printError(d.description)
        }
    }
}

/// The text of `runbook show`: an outline of what the tool reads in the file.
struct RunbookOutline {
    let runbook: Runbook
    init(_ runbook: Runbook) { self.runbook = runbook }

    var text: String {
        let r = runbook
        var out: [String] = []
        out.append("\(r.title)")
        out.append("  id \(r.id)  version \(r.version?.description ?? "-")  updated \(r.updated?.description ?? "-")  review by \(r.reviewBy?.description ?? "-")")
        out.append("  \(r.path)  sha256 \(r.sha256.prefix(12))")
        if !r.variables.isEmpty {
            out.append("")
            out.append("Variables")
            for v in r.variables {
                let value = v.isSecret ? "(secret)" : (v.defaultValue.map { "= \($0)" } ?? "(no default)")
                out.append("  \(v.name) \(value)" + (v.description.map { "  \($0)" } ?? ""))
            }
        }
        if let tree = r.decisionTree {
            out.append("")
            out.append(tree.title)
            var stack = tree.roots.reversed().map { ($0, 1) }
            while let (node, depth) = stack.popLast() {
                let indent = String(repeating: "  ", count: depth)
                var line = indent + "- " + node.label
                if let t = node.target { line += "  -> \(t)" }
                out.append(line)
                if let p = node.probe { out.append(indent + "    probe: " + (p.command.split(separator: "\n").first.map(String.init) ?? "")) }
                stack += node.children.reversed().map { ($0, depth + 1) }
            }
        }
        for entry in r.entries {
            out.append("")
            out.append("\(entry.title)  #\(entry.anchor)")
            if !entry.fixOptions.isEmpty {
                out.append("  fix options: " + entry.fixOptions.joined(separator: " | "))
            }
            for step in entry.steps { out += stepLines(step, indent: "  ") }
        }
        for list in r.checklists {
            out.append("")
            out.append("Checklist: \(list.title)  #\(list.id)")
            for item in list.items {
                out.append("  [\(item.checked ? "x" : " ")] \(item.text)" + (item.step == nil ? "  (by hand)" : ""))
                if let s = item.step { out += stepLines(s, indent: "      ") }
            }
        }
        return out.joined(separator: "\n")
    }

    func stepLines(_ step: Step, indent: String) -> [String] {
        var out: [String] = []
        let first = step.command.split(separator: "\n").first.map(String.init) ?? ""
        let more = step.command.contains("\n") ? " ..." : ""
        var flags: [String] = []
        if step.needsConfirmation { flags.append("confirm") }
        if step.attributes.interactive { flags.append("interactive") }
        if step.attributes.skip { flags.append("skip") }
        if let o = step.option { flags.append(o) }
        let safety = "(\(step.safety.safety.rawValue)\(step.safety.vouchedOver != nil ? ", vouched" : ""))"
        out.append("\(indent)\(step.role.rawValue) \(step.id) \(safety)\(flags.isEmpty ? "" : " [" + flags.joined(separator: ", ") + "]"): \(first)\(more)")
        if step.safety.safety != .readOnly || step.safety.vouchedOver != nil {
            let table = step.safety.vouchedOver.map { "the table says \($0.rawValue): \(step.safety.vouchedOverReason ?? ""); " } ?? ""
            out.append("\(indent)    safety: \(table)\(step.safety.reason)")
        }
        if let opens = step.opensShell { out.append("\(indent)    opens \(opens): the terminal is handed over") }
        if let why = step.notRun { out.append("\(indent)    shown only: \(why)") }
        for i in step.indicators {
            out.append("\(indent)    \(i.isManual ? "? (manual)" : "•") \(i.text)")
        }
        return out
    }
}
