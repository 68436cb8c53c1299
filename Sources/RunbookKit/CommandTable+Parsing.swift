/// Reading the command table's text (format: `CommandTable`) into rules and flag lists.
extension CommandTable {
    init(_ text: String) {
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingASCIISpaces()
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let number = offset + 1
            if line.hasPrefix("@") {
                parseOptions(line.dropFirst(), line: number)
                continue
            }
            let columns = line.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false)
                .map { $0.trimmingASCIISpaces() }
            guard columns.count == 6 else {
                errors.append("line \(number): a row has six columns separated by `|`, this one has \(columns.count)")
                continue
            }
            do {
                let rule = try Self.rule(columns, line: number)
                for program in rule.programs { rulesByProgram[program, default: []].append(rules.count) }
                rules.append(rule)
            } catch {
                errors.append("line \(number): \(error.message)")
            }
        }
    }

    struct RowError: Error {
        var message: String
    }

    private mutating func parseOptions(_ body: Substring, line: Int) {
        let columns = body.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingASCIISpaces() }
        guard columns.count == 2 || columns.count == 3, !columns[0].isEmpty else {
            errors.append("line \(line): a flags row is `@ PROGRAMS | FLAGS [| words|first]`")
            return
        }
        var spec = CommandArguments.Options(valueFlags: Set(columns[1].split(separator: " ").map(String.init)))
        if columns.count == 3 {
            switch columns[2] {
            case "words": spec.singleDashWords = true
            case "first": spec.optionsFirst = true
            default:
                errors.append("line \(line): the third column of a flags row is `words` or `first`")
                return
            }
        }
        for program in columns[0].split(separator: " ") { options[String(program)] = spec }
    }

    private static func rule(_ c: [String], line: Int) throws(RowError) -> CommandRule {
        let programs = c[0].split(separator: " ").map(String.init)
        guard !programs.isEmpty else { throw RowError(message: "no program") }
        var wordTokens = c[1].split(separator: " ").map(String.init)
        let anywhere = wordTokens.first == "..."
        if anywhere { wordTokens.removeFirst() }
        if anywhere && wordTokens.isEmpty { throw RowError(message: "`...` needs words after it") }
        let words = wordTokens.map { $0.split(separator: ",").map { $0.lowercased() } }
        guard !c[4].isEmpty else { throw RowError(message: "no reason") }
        guard !c[5].isEmpty else { throw RowError(message: "no example") }
        var conditions: [CommandRule.Condition] = []
        for token in c[2].split(separator: " ") { conditions.append(try condition(String(token))) }
        return CommandRule(
            line: line, programs: programs, words: words, wordsAnywhere: anywhere, conditions: conditions,
            action: try action(c[3]), reason: c[4], example: c[5])
    }

    private static func list(_ text: Substring) throws(RowError) -> [String] {
        let items = text.split(separator: ",").map(String.init)
        guard !items.isEmpty else { throw RowError(message: "an empty list in a condition") }
        return items
    }

    private static func condition(_ token: String) throws(RowError) -> CommandRule.Condition {
        switch token {
        case "args": return .arguments(true)
        case "args=0": return .arguments(false)
        case "args:file": return .argumentFile
        case "stdin": return .input(true)
        case "!stdin": return .input(false)
        default: break
        }
        if token.hasPrefix("has=") { return .word(try list(token.dropFirst(4)).map { $0.lowercased() }) }
        if token.hasPrefix("!") { return .noFlag(try list(token.dropFirst())) }
        guard token.hasPrefix("+") else { throw RowError(message: "condition `\(token)` is unknown") }
        var body = Substring(token.dropFirst())
        var file = false
        if body.hasSuffix(":file") {
            file = true
            body = body.dropLast(5)
        }
        var values: [String]? = nil
        if let eq = body.firstIndex(of: "=") {
            values = try list(body[body.index(after: eq)...])
            body = body[..<eq]
        }
        let flags = try list(body)
        guard flags.allSatisfy({ $0.hasPrefix("-") }) else { throw RowError(message: "`\(token)`: flags start with -") }
        return .flag(flags, values: values, file: file)
    }

    private static func outcome(_ text: Substring) throws(RowError) -> CommandRule.Outcome {
        let parts = text.split(separator: "+")
        guard let first = parts.first, let safety = SafetyClass(rawValue: String(first)) else {
            throw RowError(message: "class `\(text)` is unknown: use read-only, unknown, interactive or changes")
        }
        var outcome = CommandRule.Outcome(safety: safety)
        for mark in parts.dropFirst() {
            switch mark {
            case "terminal": outcome.terminal = true
            case "follow": outcome.follow = true
            default: throw RowError(message: "mark `\(mark)` is unknown: use terminal or follow")
            }
        }
        return outcome
    }

    private static func action(_ text: String) throws(RowError) -> CommandRule.Action {
        var tokens = text.split(separator: " ")
        guard let head = tokens.first else { throw RowError(message: "no class") }
        tokens.removeFirst()
        switch head {
        case "runs":
            var runs = CommandRule.Runs()
            for token in tokens {
                switch token {
                case "terminal": runs.terminal = true
                case "follow": runs.follow = true
                case "bounded": runs.bounded = true
                case "skip=assignments": runs.skip = -1
                default:
                    if token.hasPrefix("skip="), let n = Int(token.dropFirst(5)), n >= 0 {
                        runs.skip = n
                    } else if token.hasPrefix("as="), token.count > 3 {
                        runs.prefix = String(token.dropFirst(3))
                    } else if token.hasPrefix("empty=") {
                        runs.empty = try outcome(token.dropFirst(6))
                    } else if token.hasPrefix("at-least=") {
                        runs.atLeast = try outcome(token.dropFirst(9)).safety
                    } else {
                        throw RowError(message: "`\(token)` is not a parameter of runs")
                    }
                }
            }
            return .runs(runs)
        case "shell", "sql":
            guard tokens.count <= 1 else { throw RowError(message: "\(head) takes one list of flags") }
            var flags: [String] = []
            if let first = tokens.first { flags = try list(first) }
            return head == "shell" ? .shell(flags: flags) : .sql(flags: flags)
        default:
            var outcome = try outcome(head)
            for token in tokens {
                switch token {
                case "terminal": outcome.terminal = true
                case "follow": outcome.follow = true
                default: throw RowError(message: "`\(token)` after the class is unknown: use terminal or follow")
                }
            }
            if outcome.safety == .interactive && !outcome.terminal && !outcome.follow {
                throw RowError(message: "an interactive row says why: terminal, follow or both")
            }
            return .classify(outcome)
        }
    }
}
