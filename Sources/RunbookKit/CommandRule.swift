/// One row of the command table (see `CommandTable.text` for the format): which commands it matches and
/// what it makes of them.
struct CommandRule: Sendable {
    /// The row's line in the table, for messages.
    var line: Int
    var programs: [String]
    /// One entry per word, each a list of alternatives (`view,current-context`, `add-*`).
    var words: [[String]]
    /// The words may start at any positional word (`... describe`), not only at the first.
    var wordsAnywhere: Bool
    var conditions: [Condition]
    var action: Action
    var reason: String
    /// A command this row decides: the table test runs every one.
    var example: String

    enum Condition: Sendable {
        /// One of the flags is given; with `values`, with one of them; with `file`, naming a file.
        case flag([String], values: [String]?, file: Bool)
        /// None of the flags is given.
        case noFlag([String])
        /// Some argument follows the row's words (`args`), or none does (`args=0`).
        case arguments(Bool)
        /// Some argument after the row's words names a file (not `-`, /dev/null, /dev/stdout, /dev/stderr).
        case argumentFile
        /// Some positional word is one of these.
        case word([String])
        /// Standard input is given (here-document, here-string, `<`, a pipe), or it is not (`!stdin`).
        case input(Bool)
    }

    /// A final class, with the terminal hand-over and follow marks.
    struct Outcome: Sendable, Hashable {
        var safety: SafetyClass
        var terminal = false
        var follow = false
    }

    enum Action: Sendable {
        case classify(Outcome)
        /// A wrapper: the command after its words (and `skip`) is judged instead.
        case runs(Runs)
        /// The shell text of a flag (`-c TEXT`) or of standard input is judged.
        case shell(flags: [String])
        /// The SQL text of a flag (`-c SQL`, `-e SQL`) or of standard input is judged.
        case sql(flags: [String])
    }

    struct Runs: Sendable {
        /// Positional words to step over before the command (a duration, a pod); -1 steps over `NAME=value`.
        var skip = 0
        /// A program put in front of the inner words (`dbshell -- -c SQL` runs `psql -c SQL`).
        var prefix: String?
        /// The class when no command follows.
        var empty = Outcome(safety: .readOnly)
        /// The least the wrapper itself is (`watch` never ends by itself).
        var atLeast: SafetyClass?
        var terminal = false
        var follow = false
        /// The wrapper ends the command (`timeout`): "runs until interrupted" no longer holds.
        var bounded = false
    }

    /// What matching found: the words that decided, and where the inner command of a wrapper starts.
    struct Match {
        var deciding: [String]
        /// The arguments after the row's words.
        var rest: [String]
        var inner: [String]
        var parsed: CommandArguments
        var cut: Int
    }

    /// Matches the row against `program`'s arguments. `input` is where its standard input comes from.
    func match(_ arguments: CommandArguments, program: String, input: ShellInput) -> Match? {
        let positionals = arguments.positionals
        var start = 0
        if !words.isEmpty {
            let last = wordsAnywhere ? positionals.count - words.count : 0
            guard last >= 0, let s = (0...last).first(where: { wordsMatch(positionals, at: $0) }) else { return nil }
            start = s
        }
        let end = start + words.count
        var deciding = [program] + positionals[0..<end].map(\.text)
        var cut = arguments.words.count
        var inner: [String] = []
        if case .runs(let runs) = action {
            var k = end
            if runs.skip >= 0 {
                k += runs.skip
            } else {
                while k < positionals.count, ShellParser.assignedName(positionals[k].text) != nil { k += 1 }
            }
            if k < positionals.count {
                cut = positionals[k].index
                inner = Array(arguments.words[cut...])
            } else if let after = arguments.afterDoubleDash {
                cut = arguments.doubleDashIndex ?? cut
                inner = after
            }
            if let p = runs.prefix { inner = [p] + inner }
        } else if let dash = arguments.doubleDashIndex {
            cut = dash
        }
        let flags = arguments.flags.filter { $0.index < cut }
        let rest = positionals[end...].map(\.text) + (arguments.afterDoubleDash ?? [])
        for condition in conditions {
            switch condition {
            case .flag(let names, let values, let file):
                guard let f = flags.first(where: { f in
                    guard Self.flagMatches(f, names) else { return false }
                    if let values { return values.contains { $0.caseInsensitiveEquals(f.value ?? "") } }
                    if file { return f.value.map(Self.namesFile) ?? false }
                    return true
                }) else { return nil }
                let shown = values != nil || file ? f.value.map { f.written.hasSuffix($0) ? f.written : "\(f.written) \($0)" } : nil
                deciding.append(shown ?? f.written)
            case .noFlag(let names):
                if flags.contains(where: { Self.flagMatches($0, names) }) { return nil }
            case .arguments(let wanted):
                if rest.isEmpty == wanted { return nil }
            case .argumentFile:
                guard let file = rest.first(where: Self.namesFile) else { return nil }
                deciding.append(file)
            case .word(let alternatives):
                guard let w = positionals.first(where: { p in alternatives.contains { Self.wordMatches(p.text, $0) } }) else {
                    return nil
                }
                deciding.append("… " + w.text)
            case .input(let wanted):
                if (input != .inherited) != wanted { return nil }
            }
        }
        return Match(deciding: deciding, rest: rest, inner: inner, parsed: arguments, cut: cut)
    }

    private func wordsMatch(_ positionals: [(text: String, index: Int)], at start: Int) -> Bool {
        for (k, alternatives) in words.enumerated() {
            guard start + k < positionals.count, alternatives.contains(where: { Self.wordMatches(positionals[start + k].text, $0) })
            else { return false }
        }
        return true
    }

    /// `pattern` is a word, `prefix*`, `*suffix` or `*part*`; case does not matter (SQL keywords).
    static func wordMatches(_ word: String, _ pattern: String) -> Bool {
        let w = word.lowercased()
        if pattern.count > 2, pattern.hasPrefix("*"), pattern.hasSuffix("*") { return w.contains(pattern.dropFirst().dropLast()) }
        if pattern.hasSuffix("*") { return w.hasPrefix(pattern.dropLast()) }
        if pattern.hasPrefix("*") { return w.hasSuffix(pattern.dropFirst()) }
        return w == pattern
    }

    /// A flag given as `--tty=false` counts as not given.
    static func flagMatches(_ flag: CommandArguments.Flag, _ names: [String]) -> Bool {
        guard flag.value?.lowercased() != "false" else { return false }
        return names.contains { $0.hasSuffix("*") ? flag.name.hasPrefix($0.dropLast()) : flag.name == $0 }
    }

    static func namesFile(_ value: String) -> Bool {
        value != "-" && !ShellRedirection.harmlessTargets.contains(value)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
