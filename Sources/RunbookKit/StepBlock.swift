/// What a shell block's text says: the command that runs, the example output shown beside it, the
/// program the command is typed into, and whether it is a command at all.
///
/// The rules (docs/runbook-format.md, "Prompts, continuation lines, example output"):
/// - A line that starts with a prompt of the ``PromptTable`` is a command, the prompt removed. A weak
///   prompt counts only where it cannot be ordinary text: `% ` when the block's first line has it; `# `
///   in a block that shows other prompts, or in a block made only of `#` lines, when the text after it
///   reads as a command (`# gitlab-ctl restart consul`, not `# TODO: check the disk`).
/// - A command line ending in `\` (spaces after it included) goes on on the next line; a here-document
///   (`<<EOF`, `<<-EOF`, `<<'EOF'`) takes every line up to its delimiter. A `> ` in front of such a line
///   (the shell's second prompt) is removed.
/// - Every other line of a block with prompts is example output.
/// - Without prompts the whole block is the command, unless it reads as data (YAML, JSON, PromQL, SQL,
///   `key=value` output): then it is no command and is shown only.
struct StepBlock: Sendable, Equatable {
    var command: String
    var example: String?
    /// The first prompt that is not the engineer's shell: what the command is typed into.
    var typedInto: PromptTable.Kind?
    var program: String?
    /// That program's prompt as written (`postgres=# `).
    var prompt: String?
    /// Why the text is not run: it is not a command, or it mixes prompted commands with lines that
    /// read as commands without one.
    var notRun: String?

    init(command: String, example: String? = nil) {
        self.command = command
        self.example = example
    }

    static func read(_ literal: String) -> StepBlock {
        var lines = literal.lines().map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        let prompts = countingPrompts(lines)
        guard prompts.contains(where: { $0 != nil }) else {
            var block = StepBlock(command: lines.map(trimmingContinuation).joined(separator: "\n"))
            block.notRun = NotACommand.reason(lines)
            return block
        }
        var block = StepBlock(command: "")
        var commands: [Substring] = []
        var example: [Substring] = []
        var continuing = false
        var hereDocuments: [(delimiter: String, stripTabs: Bool)] = []
        var unprompted: (line: Int, word: Substring)?
        for (n, line) in lines.enumerated() {
            if let document = hereDocuments.first {
                var body = line
                if body.hasPrefix("> ") { body = body.dropFirst(2) }
                commands.append(body)
                let text = document.stripTabs ? body.drop(while: { $0 == "\t" }) : body
                if text == document.delimiter { hereDocuments.removeFirst() }
                continuing = false
                continue
            }
            if continuing {
                var body = line
                if body.hasPrefix("> ") { body = body.dropFirst(2) }
                commands.append(trimmingContinuation(body))
                continuing = endsWithContinuation(body)
                hereDocuments += HereDocument.openers(body)
            } else if let prompt = prompts[n] {
                commands.append(trimmingContinuation(prompt.command))
                continuing = endsWithContinuation(prompt.command)
                hereDocuments += HereDocument.openers(prompt.command)
                if prompt.row.kind != .shell, block.typedInto == nil {
                    block.typedInto = prompt.row.kind
                    block.program = prompt.row.program
                    block.prompt = String(prompt.prompt)
                }
            } else {
                example.append(line)
                if unprompted == nil, let word = NotACommand.knownCommandWord(line) { unprompted = (n, word) }
            }
        }
        while let f = example.first, f.allSatisfy({ $0 == " " || $0 == "\t" }) { example.removeFirst() }
        while let l = example.last, l.allSatisfy({ $0 == " " || $0 == "\t" }) { example.removeLast() }
        block.command = commands.joined(separator: "\n")
        block.example = example.isEmpty ? nil : example.joined(separator: "\n")
        if let (n, word) = unprompted {
            block.notRun = "line \(n + 1) of the block has no prompt but reads as a command (`\(word)`): shown, not run,"
                + " so that what runs is what the block shows; put a prompt before each command"
        }
        return block
    }

    /// The prompt of each line that counts as one (see the type's rules), else nil.
    static func countingPrompts(_ lines: [Substring]) -> [PromptTable.Match?] {
        let found = lines.map { PromptTable.match($0) }
        let firstLine = lines.firstIndex { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        let strong = found.contains { $0.map { !$0.row.weak } ?? false }
        let opening = firstLine.flatMap { found[$0] }?.row
        let percentOpens = opening?.weak == true && opening?.kind == .shell
        let onlyHashLines = lines.allSatisfy {
            let t = $0.drop(while: { $0 == " " || $0 == "\t" })
            return t.isEmpty || t.hasPrefix("#")
        }
        return found.map { match in
            guard let match, match.row.weak else { return match }
            if match.row.kind == .shell { return percentOpens ? match : nil }
            guard strong || onlyHashLines else { return nil }
            return NotACommand.readsAsCommand(match.command) ? match : nil
        }
    }

    /// Whether `line` ends with a `\` that continues it (spaces after the `\` are taken as a slip:
    /// the shell would read `\ ` as an escaped space and end the command there).
    static func endsWithContinuation(_ line: Substring) -> Bool {
        var t = line
        while let l = t.last, l == " " || l == "\t" { t.removeLast() }
        guard t.hasSuffix("\\") else { return false }
        let backslashes = t.reversed().prefix { $0 == "\\" }.count
        return backslashes % 2 == 1
    }

    /// The line with the spaces after a continuing `\` removed.
    static func trimmingContinuation(_ line: Substring) -> Substring {
        guard endsWithContinuation(line) else { return line }
        var t = line
        while let l = t.last, l == " " || l == "\t" { t.removeLast() }
        return t
    }
}

/// Here-documents opened on a command line.
enum HereDocument {
    /// The delimiters of the here-documents `line` opens, in order: `<<EOF`, `<<-EOF`, `<< 'EOF'`,
    /// `<<"EOF"` (not `<<<`, a here-string; not inside quotes or after a `#` comment).
    static func openers(_ line: Substring) -> [(delimiter: String, stripTabs: Bool)] {
        var out: [(String, Bool)] = []
        let chars = Array(line)
        var i = 0
        var quote: Character?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q { quote = nil } else if c == "\\", q == "\"" { i += 1 }
                i += 1
                continue
            }
            if c == "\\" {
                i += 2
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
            } else if c == "#", i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t" {
                break
            } else if c == "<", i + 1 < chars.count, chars[i + 1] == "<", !(i + 2 < chars.count && chars[i + 2] == "<"),
                !(i > 0 && chars[i - 1] == "<")
            {
                var j = i + 2
                let strip = j < chars.count && chars[j] == "-"
                if strip { j += 1 }
                while j < chars.count, chars[j] == " " || chars[j] == "\t" { j += 1 }
                var delimiter = ""
                var q: Character?
                while j < chars.count {
                    let d = chars[j]
                    if let open = q {
                        if d == open { q = nil } else { delimiter.append(d) }
                    } else if d == "'" || d == "\"" {
                        q = d
                    } else if d == "\\" {
                        // \EOF quotes the delimiter
                    } else if d.isLetter || d.isNumber || d == "_" || d == "-" || d == "." {
                        delimiter.append(d)
                    } else {
                        break
                    }
                    j += 1
                }
                if !delimiter.isEmpty { out.append((delimiter, strip)) }
                i = j
                continue
            }
            i += 1
        }
        return out
    }
}
