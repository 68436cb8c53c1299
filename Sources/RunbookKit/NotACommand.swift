/// Tells a shell block that is not a command at all (a YAML manifest, JSON, a PromQL query, SQL typed
/// outside its client, command output) from one that is. Such a block stays a step, shown and never
/// run, with the reason: a block misread as data must never vanish from the walkthrough.
///
/// Only the block's first line that is neither blank nor a `#` comment is read; each rule names shell
/// text that no shell would accept as the start of a command:
///
/// | reads as | first line | example |
/// | --- | --- | --- |
/// | YAML or `key: value` output | a word ending in `:` then a space or the end; `- key: value`; `---` | `apiVersion: v1` |
/// | JSON or a LogQL selector | `{` not followed by a space; `[` followed by `{`, `[`, `"` or nothing | `{"status": "ok"}` |
/// | a query or code | an unquoted `(` after a word that does not start the command (not `$(`, `<(`, `()`) | `rate(x[5m]) > 0` |
/// | SQL | an SQL keyword in capitals | `SELECT * FROM pg_stat_activity;` |
/// | output | `name = value`; `NAME=value` followed by a number; a header row of capitals | `fs.file-max = 1597016` |
enum NotACommand {
    static let sqlKeywords: Set<String> = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "SHOW", "GRANT", "REVOKE", "TRUNCATE",
        "EXPLAIN", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "VACUUM", "ANALYZE", "SET", "REINDEX", "COPY",
    ]

    /// Why the block's lines are not a command, or nil when they may be one.
    static func reason(_ lines: [Substring]) -> String? {
        let content = lines.lazy.map({ $0.drop(while: { $0 == " " || $0 == "\t" }) }).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let first = content.first else { return nil }
        let shown = ": shown, never run"
        if readsAsYAML(first) { return "reads as YAML or `key: value` output, not a command" + shown }
        if first == "{" || first == "[" {
            // A lone brace opens a group of commands, or a JSON document: the next line tells.
            if let next = content.dropFirst().first, next.hasPrefix("\"") || next.hasPrefix("{") || next.hasPrefix("[") {
                return "reads as JSON, not a command" + shown
            }
        } else if readsAsJSON(first) {
            return "reads as JSON or a query selector, not a command" + shown
        }
        let words = first.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if let word = words.first, sqlKeywords.contains(String(word)), word.count > 2 {
            return "reads as SQL, not a shell command: type it in the database's client" + shown
        }
        if words.count >= 2, words[1] == "=" { return "reads as command output (`name = value`), not a command" + shown }
        if let word = words.first, let eq = word.firstIndex(of: "="), isName(word[..<eq]), words.count >= 2,
            words[1].first?.isNumber == true
        {
            return "reads as command output (`\(word[..<eq])=…`), not a command" + shown
        }
        if words.count >= 2, first.contains("  "), words.allSatisfy({ w in w.allSatisfy { $0.isUppercase || $0 == "-" || $0 == "_" } }) {
            return "reads as command output (a header row), not a command" + shown
        }
        if let word = parenthesisAfterWord(first) { return "reads as a query or code (`\(word)(`), not shell" + shown }
        if let (n, what) = outputLine(lines) {
            return "line \(n + 1) of the block reads as \(what), not a command: shown, not run, so that output is never run as a command"
        }
        return nil
    }

    /// The first line after the first that starts a command (not inside quotes, a here-document or a
    /// continued line) but reads as command output: `key: value` (`run: alertmanager: (pid 12) 5s`),
    /// `name = value`, a header row of capitals. A block that shows its command and then its output
    /// without a prompt would otherwise run the output.
    static func outputLine(_ lines: [Substring]) -> (Int, String)? {
        var quote: Character?
        var continued = false
        var documents: [(delimiter: String, stripTabs: Bool)] = []
        for (n, line) in lines.enumerated() {
            if let document = documents.first {
                let text = document.stripTabs ? line.drop(while: { $0 == "\t" }) : line
                if text == document.delimiter { documents.removeFirst() }
                continue
            }
            let startsCommand = quote == nil && !continued
            let t = line.drop(while: { $0 == " " || $0 == "\t" })
            if startsCommand, n > 0, !t.isEmpty, !t.hasPrefix("#") {
                let words = t.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if readsAsYAML(t) { return (n, "output or YAML (`\(t.prefix(40))`)") }
                if words.count >= 2, words[1] == "=" { return (n, "output (`name = value`)") }
            }
            // Quotes left open at the end of the line go on on the next.
            var i = t.startIndex
            var wordStart = true
            while i < t.endIndex {
                let c = t[i]
                if let q = quote {
                    if c == q { quote = nil } else if c == "\\", q == "\"" { i = t.index(after: i) }
                } else if c == "\\" {
                    i = t.index(after: i)
                } else if c == "'" || c == "\"" {
                    quote = c
                } else if c == "#", wordStart {
                    break
                }
                if i < t.endIndex {
                    wordStart = t[i] == " " || t[i] == "\t" || t[i] == ";" || t[i] == "|" || t[i] == "&"
                    i = t.index(after: i)
                }
            }
            continued = quote == nil && StepBlock.endsWithContinuation(line)
            if quote == nil { documents += HereDocument.openers(line) }
        }
        return nil
    }

    static func isName(_ s: Substring) -> Bool {
        guard let f = s.first, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func readsAsYAML(_ line: Substring) -> Bool {
        if line == "---" { return true }
        var t = line
        if t.hasPrefix("- ") { t = t.dropFirst(2) }
        let key = t.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == "/" }
        guard let f = key.first, f.isLetter || f == "_", !key.contains("/") else { return false }
        let rest = t.dropFirst(key.count)
        return rest == ":" || rest.hasPrefix(": ") || rest.hasPrefix(":\t")
    }

    static func readsAsJSON(_ line: Substring) -> Bool {
        guard let f = line.first, f == "{" || f == "[" else { return false }
        let next = line.dropFirst().first
        if f == "{" { return next != " " && next != "\t" }
        if next == "[" { return line.dropFirst(2).first.map { $0 != " " && $0 != "\t" } ?? true }  // not [[ test ]]
        return next == nil || next == "{" || next == "\""
    }

    /// The word before the first unquoted `(` that no shell accepts where it stands: after a word
    /// that is not the start of the command or a keyword (`rate(x[5m])`, `sum by (job) (...)`).
    static func parenthesisAfterWord(_ line: Substring) -> Substring? {
        let chars = Array(line)
        var i = 0
        var quote: Character?
        var atCommandStart = true
        var word = ""
        var previousWord = ""
        let keywords: Set<String> = ["if", "while", "until", "then", "do", "elif", "else", "!", "time", "function", "for", "select"]
        if line.contains("[[") { return nil }  // [[ $x =~ ^(a|b)$ ]]
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q { quote = nil } else if c == "\\", q == "\"" { i += 1 }
                i += 1
                continue
            }
            switch c {
            case "\\":
                i += 2
                word.append("x")
                continue
            case "'", "\"", "`":
                quote = c
                word.append("x")
            case "#" where word.isEmpty:
                return nil
            case ";", "&", "|", "{", "}", ")":
                atCommandStart = c != ")" && c != "}"
                word = ""
                previousWord = ""
            case " ", "\t":
                if !word.isEmpty {
                    atCommandStart = keywords.contains(word) || (atCommandStart && word.contains("=") && !word.hasPrefix("="))
                    previousWord = word
                    word = ""
                }
            case "(":
                if i + 1 < chars.count, chars[i + 1] == ")" { return nil }  // name() { ...: a function
                if let p = word.last, !(p.isLetter || p.isNumber || p == "_" || p == "-" || p == ".") {
                    // $( <( >( @( =( and the like
                } else if word.isEmpty {
                    if !atCommandStart { return Substring(previousWord) }
                } else if !(atCommandStart && word.hasSuffix("=")) {
                    return Substring(word.split(separator: "=").last ?? Substring(word))
                }
                atCommandStart = true
                word = ""
                previousWord = ""
            default:
                word.append(c)
            }
            i += 1
        }
        return nil
    }

    /// The first word of `line` when it names a program the command table knows (`kubectl`, `grep`):
    /// in a block with prompts, such a line without one may be a command whose prompt was left out.
    static func knownCommandWord(_ line: Substring) -> Substring? {
        let t = line.drop(while: { $0 == " " || $0 == "\t" })
        let word = t.prefix { $0 != " " && $0 != "\t" }
        guard !word.isEmpty, word.count < t.count || word == t else { return nil }
        let name = word.split(separator: "/").last.map(String.init) ?? String(word)
        guard name.first?.isLowercase == true, CommandTable.standard.rulesByProgram[name] != nil else { return nil }
        // "kubectl: command not found" and "grep (GNU grep) 3.7" are output.
        let rest = t.dropFirst(word.count).drop(while: { $0 == " " })
        if rest.hasPrefix("(") || rest.hasPrefix("version") { return nil }
        return word
    }

    /// Whether the text after a `# ` reads as a command rather than a comment: its first word is a
    /// command word (lower case, a path or a name with `-`, `_`, `.`), not `TODO:` or `Install`, and the
    /// line shows shell syntax (a flag, a path, a pipe, an assignment, a quote) or names a known program.
    static func readsAsCommand(_ text: Substring) -> Bool {
        let word = text.prefix { $0 != " " && $0 != "\t" }
        guard let f = word.first, f.isLowercase || f == "/" || f == "." || f.isNumber,
            !word.hasSuffix(":"), !word.hasSuffix(","), !word.hasSuffix(".")
        else { return false }
        guard word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=$\"'".contains($0) }) else { return false }
        let name = word.split(separator: "/").last.map(String.init) ?? String(word)
        if CommandTable.standard.rulesByProgram[name] != nil { return true }
        if word.contains(where: { "-_./=".contains($0) }) { return true }
        return text.contains(" -") || text.contains("|") || text.contains(" /") || text.contains("=") || text.contains("$")
    }
}
