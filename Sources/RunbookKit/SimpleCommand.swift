/// One simple command of a shell text, as `ShellCommands` reads it: the variables it assigns, its words
/// after quote removal, its redirections and where its standard input comes from.
struct SimpleCommand: Sendable, Hashable {
    /// Names assigned before the command word (`FOO=1 cmd`), or by an assignment-only command.
    var assignments: [String] = []
    var words: [ShellWord] = []
    var redirections: [ShellRedirection] = []
    var input: ShellInput = .inherited

    var isEmpty: Bool { assignments.isEmpty && words.isEmpty && redirections.isEmpty && input == .inherited }
}

/// A word after quote removal. Expansions stay as written: `$NS`, `${EDITOR:-vi}`, `$(…)`.
struct ShellWord: Sendable, Hashable {
    var text: String
    /// Where in `text` (in scalars) the first quoted part starts, if any.
    var quotedFrom: Int?

    /// Some quote character was part of the word (a here-document delimiter written `'EOF'` keeps its body literal).
    var quoted: Bool { quotedFrom != nil }

    /// `NAME` when the word is an assignment whose `NAME=` part is unquoted (`NS="a b"`).
    var assignedName: String? {
        guard let name = ShellParser.assignedName(text), let eq = text.unicodeScalars.firstIndex(of: "=") else { return nil }
        let prefix = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: eq) + 1
        return (quotedFrom ?? Int.max) >= prefix ? name : nil
    }
}

/// An output redirection (`>`, `>>`, `>|`, `&>`, `&>>`, `<>`, `>&FILE`) and its target.
struct ShellRedirection: Sendable, Hashable {
    /// The operator as written, without the file descriptor.
    var op: String
    var target: String

    /// Targets that are not files: writing to them changes nothing.
    static let harmlessTargets: Set<String> = ["/dev/null", "/dev/stdout", "/dev/stderr"]

    var writesFile: Bool { !Self.harmlessTargets.contains(target) }
}

/// Where a command's standard input comes from.
enum ShellInput: Sendable, Hashable {
    /// Nothing said: the step's own input.
    case inherited
    /// A here-document's body or a here-string's word.
    case text(String)
    /// `< FILE`.
    case file(String)
    /// The previous command of a pipeline.
    case pipe
}

/// The simple commands of a shell text, including the ones inside `$(…)`, backticks, `<(…)`, subshells,
/// groups, conditionals, loops and `case` arms.
struct ShellScript: Sendable, Hashable {
    var commands: [SimpleCommand]
    /// The parameter expansions, in order (see ``ShellParser/expansions``).
    var expansions: [ShellExpansion]
    /// Set when the text nests deeper than the reader follows; the commands found so far are kept.
    var tooDeep: Bool

    /// How deep `$(…)`, subshells and backticks may nest before the reader stops following them.
    static let maximumDepth = 24

    init(_ text: String, depth: Int = 0) {
        var parser = ShellParser(Array(text.unicodeScalars), depth: depth)
        parser.parseList(closedByParenthesis: false)
        parser.finishHereDocuments()
        commands = parser.commands
        expansions = parser.expansions
        tooDeep = parser.tooDeep
    }
}
