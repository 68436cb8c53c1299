/// Applies the command table to shell text: every simple command, redirection, wrapped command, shell
/// text and SQL statement, the most severe deciding. Records the rows it used (the table test reads them).
struct SafetyJudge {
    let table: CommandTable
    private(set) var rowsUsed: [Int] = []

    /// How deep `bash -c`, wrappers and SQL may nest before the judge stops reading.
    static let maximumDepth = 16
    /// The program name of one SQL statement in the table.
    static let sqlProgram = "(sql)"

    init(table: CommandTable) {
        self.table = table
    }

    private static func tooDeep() -> SafetyAssessment {
        SafetyAssessment(safety: .unknown, reason: "nests commands too deeply to read")
    }

    mutating func script(_ text: String, depth: Int) -> SafetyAssessment {
        guard depth <= Self.maximumDepth else { return Self.tooDeep() }
        let parsed = ShellScript(text)
        var result: SafetyAssessment? = nil
        var assigns = false
        for cmd in parsed.commands {
            for r in cmd.redirections where r.writesFile {
                let verb = r.op.hasSuffix(">>") ? "appends to" : "writes to"
                let found = SafetyAssessment(safety: .changes, reason: "`\(r.op)` \(verb) \(Self.shorten(r.target))")
                result = result?.combined(with: found) ?? found
            }
            if !cmd.words.isEmpty {
                let found = command(cmd.words.map(\.text), input: cmd.input, depth: depth)
                result = result?.combined(with: found) ?? found
            } else if !cmd.assignments.isEmpty {
                assigns = true
            }
        }
        if parsed.tooDeep {
            let found = Self.tooDeep()
            result = result?.combined(with: found) ?? found
        }
        return result ?? SafetyAssessment(safety: .readOnly, reason: assigns ? "only sets variables" : "nothing to run")
    }

    mutating func sql(_ text: String, depth: Int) -> SafetyAssessment {
        var result: SafetyAssessment? = nil
        for statement in SQLText.statements(text) {
            let found = command([Self.sqlProgram] + statement, input: .inherited, depth: depth)
            result = result?.combined(with: found) ?? found
        }
        return result ?? SafetyAssessment(safety: .readOnly, reason: "no SQL statement to run")
    }

    /// One command given as words: its program's first matching row decides.
    mutating func command(_ words: [String], input: ShellInput, depth: Int) -> SafetyAssessment {
        guard depth <= Self.maximumDepth else { return Self.tooDeep() }
        guard let first = words.first else { return SafetyAssessment(safety: .readOnly, reason: "nothing to run") }
        let program = Self.programName(first)
        let arguments = CommandArguments(Array(words.dropFirst()), options: table.options[program] ?? .init())
        for index in table.rulesByProgram[program] ?? [] {
            let rule = table.rules[index]
            guard let m = rule.match(arguments, program: program, input: input) else { continue }
            rowsUsed.append(index)
            let deciding = Self.quote(m.deciding, program: program)
            switch rule.action {
            case .classify(let o):
                return SafetyAssessment(
                    safety: o.safety, reason: "\(deciding) \(rule.reason)", needsTerminal: o.terminal, runsUntilInterrupted: o.follow)
            case .runs(let runs):
                return wrapped(runs, rule: rule, match: m, deciding: deciding, input: input, depth: depth)
            case .shell(let flags):
                return text(flags, sql: false, match: m, program: program, input: input, depth: depth)
            case .sql(let flags):
                return text(flags, sql: true, match: m, program: program, input: input, depth: depth)
            }
        }
        let known = table.rulesByProgram[program] != nil
        let shown = [program] + (known ? arguments.positionals.prefix(1).map(\.text) : [])
        return SafetyAssessment(safety: .unknown, reason: "\(Self.quote(shown, program: program)) is not in the command table")
    }

    private mutating func wrapped(
        _ runs: CommandRule.Runs, rule: CommandRule, match m: CommandRule.Match, deciding: String, input: ShellInput, depth: Int
    ) -> SafetyAssessment {
        guard m.inner.count > (runs.prefix == nil ? 0 : 1) else {
            return SafetyAssessment(
                safety: runs.empty.safety, reason: "\(deciding) \(rule.reason)", needsTerminal: runs.empty.terminal,
                runsUntilInterrupted: runs.empty.follow)
        }
        var inner = command(m.inner, input: input, depth: depth + 1)
        if runs.bounded {
            if inner.safety == .interactive && !inner.needsTerminal {
                inner.safety = .readOnly
                inner.reason += ", but \(deciding) ends it"
            }
            inner.runsUntilInterrupted = false
        }
        if let floor = runs.atLeast, inner.safety < floor {
            inner.safety = floor
            inner.reason = "\(deciding) \(rule.reason)"
        }
        if runs.terminal { inner.needsTerminal = true }
        if runs.follow { inner.runsUntilInterrupted = true }
        return inner
    }

    /// The shell or SQL text a flag or the standard input gives.
    private mutating func text(
        _ flags: [String], sql: Bool, match m: CommandRule.Match, program: String, input: ShellInput, depth: Int
    ) -> SafetyAssessment {
        let values = m.parsed.flags.filter { $0.index < m.cut && CommandRule.flagMatches($0, flags) }.compactMap(\.value)
        let kind = sql ? "SQL" : "shell text"
        let source: String
        if !values.isEmpty {
            var result: SafetyAssessment? = nil
            for v in values {
                let found = sql ? self.sql(v, depth: depth + 1) : script(v, depth: depth + 1)
                result = result?.combined(with: found) ?? found
            }
            if let result { return result }
            source = "its input"
        } else {
            switch input {
            case .text(let t): return sql ? self.sql(t, depth: depth + 1) : script(t, depth: depth + 1)
            case .file(let f): source = Self.shorten(f)
            case .pipe: source = "a pipe"
            case .inherited: source = "its input"
            }
        }
        return SafetyAssessment(safety: .unknown, reason: "`\(program)` runs \(kind) from \(source), which the table cannot read")
    }

    /// The program a command word names: its last path component; `${EDITOR:-vi}` names vi, `$EDITOR` itself.
    static func programName(_ word: String) -> String {
        var t = Substring(word)
        if t.hasPrefix("${"), t.hasSuffix("}") {
            let inner = t.dropFirst(2).dropLast()
            let name = inner.prefix { $0 == "_" || $0.isASCIILetter || $0.isASCIIDigit }
            var rest = inner.dropFirst(name.count)
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            guard let op = rest.first, op == "-" || op == "=" else { return "$" + name }
            let fallback = rest.dropFirst().filter { $0 != "\"" && $0 != "'" }
            guard let token = fallback.split(separator: " ").first else { return "$" + name }
            t = token
        } else if t.hasPrefix("$") {
            return String(t)
        }
        if let slash = t.lastIndex(of: "/"), t.index(after: slash) < t.endIndex { t = t[t.index(after: slash)...] }
        return String(t)
    }

    /// The deciding words in backquotes; SQL keywords upper-cased after "SQL".
    static func quote(_ words: [String], program: String) -> String {
        if program == sqlProgram { return "SQL `" + words.dropFirst().map { $0.hasPrefix("\\") ? shorten($0) : shorten($0).uppercased() }.joined(separator: " ") + "`" }
        return "`" + words.map(shorten).joined(separator: " ") + "`"
    }

    static func shorten(_ word: String) -> String {
        let oneLine = word.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ")
        return oneLine.count > 60 ? String(oneLine.prefix(57)) + "..." : oneLine
    }
}
