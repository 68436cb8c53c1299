/// The reader behind `ShellScript`: a state machine over the text's scalars that splits it into simple
/// commands through lists (`;`, `&&`, `||`, `&`, newlines), pipelines, subshells, groups, `if`/`for`/`while`/
/// `case`, and follows `$(…)`, backticks and `<(…)` into the commands they run. It never fails: text it
/// cannot make sense of still yields words, so the judgement errs towards "unknown", never towards "safe".
struct ShellParser {
    let s: [Unicode.Scalar]
    var i = 0
    /// How many `$(…)`, subshells and backticks enclose the current position.
    var level: Int
    private(set) var commands: [SimpleCommand] = []
    /// Every parameter expansion read (`$NAME`, `${NAME}`, `${NAME:-x}`), outside single quotes and
    /// quoted here-documents, in order.
    var expansions: [ShellExpansion] = []
    var tooDeep = false
    /// Here-documents whose bodies start after the current line; `command` is nil until the command that
    /// reads it is finished.
    private var pending: [(delimiter: String, stripTabs: Bool, literal: Bool, command: Int?)] = []
    /// One entry per open `case`: whether a pattern (`pat)`) is expected next.
    private var caseArms: [Bool] = []
    /// Whether the next finished command reads the previous one's output.
    private var nextIsPiped = false
    /// Inside `[[ … ]]`: `<`, `>`, `(`, `)`, `&&` and `||` are words, not operators.
    var testMode = false

    init(_ scalars: [Unicode.Scalar], depth: Int) {
        s = scalars
        level = depth
    }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    func raw(_ from: Int) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: s[from..<min(i, s.count)])
        return out
    }

    private static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" }

    private mutating func skipBlanks() {
        while let c = peek() {
            if Self.isBlank(c) {
                i += 1
            } else if c == "\\", peek(1) == "\n" {
                i += 2
            } else {
                return
            }
        }
    }

    // MARK: - Lists and commands

    /// Reads commands until the end of the text, or until the `)` that closes the list when
    /// `closedByParenthesis` (the `(` already consumed).
    mutating func parseList(closedByParenthesis: Bool) {
        var cmd = SimpleCommand()
        var discard = false  // the words of a `for NAME in …` header
        while i < s.count {
            let c = s[i]
            if cmd.isEmpty, !discard, caseArms.last == true, !Self.isBlank(c), c != "\n", c != ";", c != "#" {
                readCasePattern()
                continue
            }
            switch c {
            case " ", "\t", "\r":
                i += 1
            case "\\" where peek(1) == "\n":
                i += 2
            case "\n":
                finish(&cmd, &discard, piped: false)
                i += 1
                readHereDocuments()
            case "#":
                while let d = peek(), d != "\n" { i += 1 }
            case ";":
                finish(&cmd, &discard, piped: false)
                i += 1
                if peek() == ";" || peek() == "&" {
                    // `;;`, `;&`, `;;&` end a case arm.
                    i += 1
                    if peek() == "&" { i += 1 }
                    if !caseArms.isEmpty { caseArms[caseArms.count - 1] = true }
                }
            case "&":
                if peek(1) == ">" {
                    readRedirection(&cmd)
                } else {
                    finish(&cmd, &discard, piped: false)
                    i += peek(1) == "&" ? 2 : 1
                }
            case "|":
                let or = peek(1) == "|"
                finish(&cmd, &discard, piped: !or)
                i += or ? 2 : (peek(1) == "&" ? 2 : 1)
            case ")":
                finish(&cmd, &discard, piped: false)
                i += 1
                if closedByParenthesis { return }
            case "(":
                openParenthesis(&cmd, &discard)
            case "<", ">":
                if peek(1) == "(" {
                    // Process substitution: its commands run; the command sees a file name.
                    let start = i
                    i += 2
                    nestedList()
                    if !discard { cmd.words.append(ShellWord(text: raw(start))) }
                } else {
                    readRedirection(&cmd)
                }
            default:
                let word = readWord()
                if let d = peek(), d == "<" || d == ">", !word.quoted, !word.text.isEmpty,
                    word.text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
                {
                    readRedirection(&cmd)  // `2>`: the number names a file descriptor
                } else if word.text.isEmpty && !word.quoted {
                    i += 1  // a character no rule reads: step over it
                } else {
                    take(word, &cmd, &discard)
                }
            }
        }
        finish(&cmd, &discard, piped: false)
    }

    private mutating func openParenthesis(_ cmd: inout SimpleCommand, _ discard: inout Bool) {
        if peek(1) == "(" && cmd.words.isEmpty {
            i += 2
            skipArithmetic()  // `(( … ))` and `for (( … ))`
        } else if cmd.words.isEmpty && cmd.assignments.isEmpty && !discard {
            i += 1
            nestedList()  // a subshell
        } else if cmd.words.count == 1 {
            // `name() { …; }`: a function definition; its body's commands follow as commands.
            var j = i + 1
            while j < s.count, Self.isBlank(s[j]) { j += 1 }
            if j < s.count, s[j] == ")" {
                i = j + 1
                cmd = SimpleCommand()
            } else {
                i += 1
            }
        } else {
            i += 1
        }
    }

    private mutating func finish(_ cmd: inout SimpleCommand, _ discard: inout Bool, piped: Bool) {
        // Input alone (`done < file`) runs nothing: no command of its own.
        let runs = !(cmd.words.isEmpty && cmd.assignments.isEmpty && cmd.redirections.isEmpty)
        if !runs {
            for k in pending.indices where pending[k].command == nil { pending[k].command = -1 }
        }
        if !discard && runs {
            if nextIsPiped && cmd.input == .inherited { cmd.input = .pipe }
            for k in pending.indices where pending[k].command == nil { pending[k].command = commands.count }
            commands.append(cmd)
            nextIsPiped = piped
        } else if piped || discard {
            nextIsPiped = piped
        }
        cmd = SimpleCommand()
        discard = false
    }

    /// Adds a word to the command, reading reserved words and assignments where a command starts.
    private mutating func take(_ word: ShellWord, _ cmd: inout SimpleCommand, _ discard: inout Bool) {
        if discard { return }
        if cmd.words.isEmpty {
            if let name = word.assignedName {
                cmd.assignments.append(name)
                return
            }
            if cmd.assignments.isEmpty && cmd.redirections.isEmpty && !word.quoted {
                switch word.text {
                case "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "coproc":
                    return
                case "esac":
                    if !caseArms.isEmpty { caseArms.removeLast() }
                    return
                case "for", "select":
                    discard = true
                    return
                case "case":
                    skipBlanks()
                    _ = readWord()  // the subject: its substitutions run
                    while let c = peek(), Self.isBlank(c) || c == "\n" { i += 1 }
                    _ = readWord()  // `in`
                    caseArms.append(true)
                    return
                case "function":
                    skipBlanks()
                    _ = readWord()
                    skipBlanks()
                    if peek() == "(" && peek(1) == ")" { i += 2 }
                    return
                case "[[":
                    cmd.words.append(word)
                    testMode = true
                    while i < s.count {
                        skipBlanks()
                        guard let c = peek(), c != "\n", c != ";" else { break }
                        let w = readWord()
                        cmd.words.append(w)
                        if w.text == "]]" && !w.quoted { break }
                    }
                    testMode = false
                    return
                default:
                    break
                }
            }
        }
        cmd.words.append(word)
    }

    /// A `case` arm's pattern, up to its `)`; `esac` closes the `case`.
    private mutating func readCasePattern() {
        let start = i
        let word = readWord()
        if word.text == "esac" && !word.quoted {
            caseArms.removeLast()
            return
        }
        i = start
        if peek() == "(" { i += 1 }
        var quote: Unicode.Scalar? = nil
        while let c = peek() {
            i += 1
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "\\" {
                i += 1
            } else if c == ")" {
                break
            }
        }
        caseArms[caseArms.count - 1] = false
    }

    // MARK: - Redirections and here-documents

    private mutating func readRedirection(_ cmd: inout SimpleCommand) {
        var op: String
        if s[i] == "&" {
            i += 2
            op = "&>"
            if peek() == ">" { op = "&>>"; i += 1 }
        } else if s[i] == ">" {
            i += 1
            switch peek() {
            case ">": op = ">>"; i += 1
            case "|": op = ">|"; i += 1
            case "&": op = ">&"; i += 1
            default: op = ">"
            }
        } else {
            i += 1
            switch peek() {
            case "<":
                i += 1
                if peek() == "<" { op = "<<<"; i += 1 } else if peek() == "-" { op = "<<-"; i += 1 } else { op = "<<" }
            case ">": op = "<>"; i += 1
            case "&": op = "<&"; i += 1
            default: op = "<"
            }
        }
        skipBlanks()
        let target = readWord()
        switch op {
        case "<<", "<<-":
            pending.append((target.text, op == "<<-", target.quoted, nil))
        case "<<<":
            cmd.input = .text(target.text)
        case "<":
            cmd.input = .file(target.text)
        case "<&":
            break
        case ">&" where target.text == "-" || target.text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }):
            break  // `>&2`, `2>&1`: a descriptor is duplicated, nothing is written
        default:
            // An empty target is a syntax error: the shell writes nothing.
            if !target.text.isEmpty || target.quoted { cmd.redirections.append(ShellRedirection(op: op, target: target.text)) }
        }
    }

    /// Reads the bodies of the here-documents of the line just ended.
    private mutating func readHereDocuments() {
        while !pending.isEmpty {
            let doc = pending.removeFirst()
            var lines: [String] = []
            while i < s.count {
                var j = i
                while j < s.count, s[j] != "\n" { j += 1 }
                var line = ""
                line.unicodeScalars.append(contentsOf: s[i..<j])
                i = min(j + 1, s.count)
                if doc.stripTabs { line = String(line.drop { $0 == "\t" }) }
                if line == doc.delimiter || line == doc.delimiter + "\r" { break }
                lines.append(line)
            }
            attach(lines.joined(separator: "\n"), doc)
        }
    }

    /// Here-documents whose line never ended: their bodies are empty.
    mutating func finishHereDocuments() {
        while !pending.isEmpty { attach("", pending.removeFirst()) }
    }

    private mutating func attach(_ body: String, _ doc: (delimiter: String, stripTabs: Bool, literal: Bool, command: Int?)) {
        if !doc.literal {
            // An unquoted delimiter: `$(…)` and backticks in the body run.
            var sub = ShellParser(Array(body.unicodeScalars), depth: level + 1)
            var ignored = ""
            sub.readDoubleQuoted(into: &ignored, untilQuote: false)
            commands += sub.commands
            expansions += sub.expansions
            tooDeep = tooDeep || sub.tooDeep
        }
        if let k = doc.command, k >= 0, k < commands.count { commands[k].input = .text(body) }
    }

    // MARK: - Nesting

    /// The list of a `$(`, `(` or `<(` whose opening is consumed, up to its `)`.
    mutating func nestedList() {
        guard level < ShellScript.maximumDepth else {
            tooDeep = true
            skipBalancedParenthesis()
            return
        }
        let (piped, arms, test) = (nextIsPiped, caseArms, testMode)
        (nextIsPiped, caseArms, testMode) = (false, [], false)
        level += 1
        parseList(closedByParenthesis: true)
        level -= 1
        (nextIsPiped, caseArms, testMode) = (piped, arms, test)
    }

    mutating func skipBalancedParenthesis() {
        var depth = 1
        var quote: Unicode.Scalar? = nil
        while let c = peek(), depth > 0 {
            i += 1
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "\\" {
                i += 1
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            }
        }
    }

    /// Skips an arithmetic expression whose `((` is consumed, up to the matching `))`.
    mutating func skipArithmetic() {
        var depth = 2
        while let c = peek(), depth > 0 {
            i += 1
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
        }
    }

    /// Parses the text between backticks (consumed from the opening one) as commands of their own.
    mutating func readBackticks(into text: inout String) {
        let start = i
        i += 1
        var inner: [Unicode.Scalar] = []
        while let c = peek(), c != "`" {
            if c == "\\", let n = peek(1), n == "`" || n == "\\" || n == "$" {
                inner.append(n)
                i += 2
            } else {
                inner.append(c)
                i += 1
            }
        }
        i += 1
        text += raw(start)
        guard level < ShellScript.maximumDepth else {
            tooDeep = true
            return
        }
        var sub = ShellParser(inner, depth: level + 1)
        sub.parseList(closedByParenthesis: false)
        sub.finishHereDocuments()
        commands += sub.commands
        expansions += sub.expansions
        tooDeep = tooDeep || sub.tooDeep
    }
}
