/// What a shell command says about variables, read without running it: the variables it expands,
/// the ones it assigns, and its `<placeholders>`. A small lexer that knows quoting, escapes and comments.
public struct ShellText: Sendable, Hashable {
    /// The variables the command expands (`$NAME`, `${NAME}`, `${NAME:-x}`), in order, as the shell
    /// parser reads them: not inside single quotes (`awk '{print $1}'`) nor quoted here-documents.
    public var references: [String]
    /// The variables the command expands with no value of its own for an unset one: `$NAME`, but not
    /// `${NAME:-x}`. What must have a value before the command runs.
    public var needed: [String]
    /// Variables the command assigns (`NAME=...`, `export NAME=`, `read NAME`, `for NAME in`).
    public var assignments: Set<String>
    /// `<placeholder>` tokens, by the variable name each becomes.
    public var placeholders: [String]
    /// The command with every `<placeholder>` replaced by an expansion of its variable.
    public var rewritten: String

    /// Variables every shell or environment has; a command may use them without declaring them.
    public static let ambient: Set<String> = [
        "HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR", "EDITOR",
        "VISUAL", "PAGER", "HOSTNAME", "UID", "EUID", "PPID", "RANDOM", "LINENO", "SECONDS", "IFS", "KUBECONFIG",
        "OSTYPE", "BASH_SOURCE", "PIPESTATUS", "REPLY", "OPTARG", "OPTIND", "XDG_STATE_HOME", "XDG_CONFIG_HOME",
        // Set by the shell itself.
        "BASH", "BASH_VERSION", "BASH_VERSINFO", "BASHPID", "ZSH_VERSION", "SHLVL", "HOSTTYPE", "MACHTYPE",
        "FUNCNAME", "BASH_REMATCH", "EPOCHSECONDS", "EPOCHREALTIME", "COLUMNS", "LINES", "TZ", "DISPLAY",
    ]

    /// The variable a `<placeholder>` becomes: `<pod-name>` -> `POD_NAME`.
    /// A placeholder that would shadow a variable every shell has (`<path>`, `<user>`) gets `ARG_` in front.
    public static func variableName(forPlaceholder name: String) -> String {
        let v = String(name.uppercased().map { $0.isASCIILetter || $0.isASCIIDigit ? $0 : "_" })
        return ambient.contains(v) ? "ARG_" + v : v
    }

    public init(_ command: String) {
        var assigns = Set<String>()
        var placeholders: [String] = []
        // The rewritten command, as UTF-8: cheaper to build than a String a scalar at a time.
        var out: [UInt8] = []
        out.reserveCapacity(command.utf8.count)
        func emit(_ c: UnicodeScalar) {
            if c.isASCII {
                out.append(UInt8(c.value))
            } else {
                out.append(contentsOf: UTF8.encode(c)!)
            }
        }
        func emit(_ text: String) { out.append(contentsOf: text.utf8) }
        let s = Array(command.unicodeScalars)
        var i = 0
        var quote: UnicodeScalar? = nil  // "'" or "\""
        var atWordStart = true
        var previousWord = ""
        var currentWord = ""
        var pendingReadOrFor = false

        func isNameStart(_ c: UnicodeScalar) -> Bool { c == "_" || Self.isASCIILetter(c) }
        func isNameChar(_ c: UnicodeScalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }
        func endWord() {
            if !currentWord.isEmpty {
                if pendingReadOrFor, isNameStart(currentWord.unicodeScalars.first!),
                    currentWord.unicodeScalars.allSatisfy(isNameChar)
                {
                    assigns.insert(currentWord)
                } else if pendingReadOrFor, !currentWord.hasPrefix("-"), previousWord == "for" {
                    pendingReadOrFor = false
                }
                if currentWord == "read" || currentWord == "for" || currentWord == "export" || currentWord == "local"
                    || currentWord == "readonly" || currentWord == "declare" || currentWord == "typeset"
                {
                    pendingReadOrFor = currentWord == "read" || currentWord == "for"
                } else if previousWord == "for" {
                    pendingReadOrFor = false
                }
                previousWord = currentWord
            }
            currentWord = ""
            atWordStart = true
        }

        while i < s.count {
            let c = s[i]
            if quote == "'" {
                if c == "'" { quote = nil }
                // A placeholder inside single quotes: close the quotes around its expansion.
                if c == "<", let (p, end) = Self.placeholder(s, i) {
                    let v = Self.variableName(forPlaceholder: p)
                    placeholders.append(v)
                    emit("'\"${\(v)}\"'")
                    i = end
                    continue
                }
                emit(c)
                i += 1
                continue
            }
            if c == "\\" {
                emit(c)
                if i + 1 < s.count { emit(s[i + 1]) }
                atWordStart = false
                i += 2
                continue
            }
            if quote == nil, atWordStart, c == "#" {
                // A comment runs to the end of the line.
                while i < s.count, s[i] != "\n" {
                    emit(s[i])
                    i += 1
                }
                continue
            }
            if c == "'" && quote == nil {
                quote = "'"
                atWordStart = false
                emit(c)
                i += 1
                continue
            }
            if c == "\"" {
                quote = quote == "\"" ? nil : "\""
                atWordStart = false
                emit(c)
                i += 1
                continue
            }
            if c == "$", i + 1 < s.count {
                emit(c)
                currentWord.unicodeScalars.append(c)
                atWordStart = false
                i += 1
                continue
            }
            if c == "<", let (p, end) = Self.placeholder(s, i), !(i > 0 && s[i - 1] == "<") {
                let v = Self.variableName(forPlaceholder: p)
                placeholders.append(v)
                emit(quote == "\"" ? "${\(v)}" : "\"${\(v)}\"")
                i = end
                atWordStart = false
                continue
            }
            if quote == nil, c == " " || c == "\t" || c == "\n" || c == ";" || c == "&" || c == "|" || c == "(" || c == ")" || c == "`" {
                endWord()
                if c == "\n" || c == ";" || c == "&" || c == "|" || c == "(" { previousWord = "" ; pendingReadOrFor = false }
                emit(c)
                i += 1
                continue
            }
            if quote == nil, c == "=", !currentWord.isEmpty, isNameStart(currentWord.unicodeScalars.first!),
                currentWord.unicodeScalars.allSatisfy(isNameChar)
            {
                assigns.insert(currentWord)
            }
            currentWord.unicodeScalars.append(c)
            atWordStart = false
            emit(c)
            i += 1
        }
        endWord()
        let expansions = ShellScript(command).expansions
        references = expansions.map(\.name)
        var needed: [String] = []
        for e in expansions where !e.hasDefault && !needed.contains(e.name) { needed.append(e.name) }
        self.needed = needed
        assignments = assigns
        self.placeholders = placeholders
        rewritten = String(decoding: out, as: UTF8.self)
    }

    /// A-Z or a-z: the ASCII scalars whose Unicode `Alphabetic` property is set, without the property
    /// lookup.
    private static func isASCIILetter(_ c: UnicodeScalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    /// `<name>` at `i`: letters, digits, `_`, `-` and `.`, starting with a letter; words may be
    /// separated by single spaces (`<pod name>`), the last ending right before the `>`.
    private static func placeholder(_ s: [UnicodeScalar], _ i: Int) -> (String, Int)? {
        var k = i + 1
        guard k < s.count, isASCIILetter(s[k]) else { return nil }
        var n = ""
        while k < s.count, s[k].isASCII,
            isASCIILetter(s[k]) || ("0"..."9").contains(s[k]) || s[k] == "_" || s[k] == "-" || s[k] == "."
                || (s[k] == " " && k + 1 < s.count && s[k + 1] != " " && s[k + 1] != ">" && n.last != " ")
        {
            n.unicodeScalars.append(s[k])
            k += 1
        }
        guard k < s.count, s[k] == ">", n.count <= 64, n.last != " " else { return nil }
        // Words after a space must start with a letter or digit: `<a -b>` is no placeholder.
        guard n.split(separator: " ").allSatisfy({ $0.first.map { $0.isLetter || $0.isNumber } ?? false }) else { return nil }
        return (n, k + 1)
    }
}
