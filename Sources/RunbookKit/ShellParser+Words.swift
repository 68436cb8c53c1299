/// How `ShellParser` reads one word: quotes, escapes, `$…` expansions and the commands inside them.
extension ShellParser {
    /// `NAME` of a `NAME=value` or `NAME+=value` word.
    static func assignedName(_ text: String) -> String? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        var name = text[..<eq]
        if name.hasSuffix("+") { name = name.dropLast() }
        guard let first = name.unicodeScalars.first, first == "_" || Self.isLetter(first),
            name.unicodeScalars.allSatisfy({ $0 == "_" || Self.isLetter($0) || ("0"..."9").contains($0) })
        else { return nil }
        return String(name)
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }

    /// One word, up to an unquoted blank or operator; quotes removed, expansions kept as written.
    mutating func readWord() -> ShellWord {
        var word = ShellWord(text: "")
        while let c = peek() {
            switch c {
            case " ", "\t", "\r", "\n", ";":
                return word
            case "&", "|", "<", ">", ")":
                if testMode {
                    word.text.unicodeScalars.append(c)
                    i += 1
                } else {
                    return word
                }
            case "(":
                if testMode {
                    word.text.unicodeScalars.append(c)
                    i += 1
                    continue
                }
                guard word.text.hasSuffix("="), Self.assignedName(word.text) != nil else { return word }
                let start = i  // an array assignment: `NAMES=(a b c)`
                i += 1
                skipBalancedParenthesis()
                word.text += raw(start)
            case "\\":
                if peek(1) == "\n" {
                    i += 2
                } else {
                    if let n = peek(1) { word.text.unicodeScalars.append(n) }
                    i += 2
                }
            case "'":
                if word.quotedFrom == nil { word.quotedFrom = word.text.unicodeScalars.count }
                i += 1
                while let d = peek(), d != "'" {
                    word.text.unicodeScalars.append(d)
                    i += 1
                }
                i += 1
            case "\"":
                if word.quotedFrom == nil { word.quotedFrom = word.text.unicodeScalars.count }
                i += 1
                readDoubleQuoted(into: &word.text, untilQuote: true)
            case "$":
                if peek(1) == "'", word.quotedFrom == nil { word.quotedFrom = word.text.unicodeScalars.count }
                readDollar(into: &word.text)
            case "`":
                readBackticks(into: &word.text)
            default:
                word.text.unicodeScalars.append(c)
                i += 1
            }
        }
        return word
    }

    /// Double-quoted text after its opening quote, up to the closing one (or the end of the text).
    mutating func readDoubleQuoted(into text: inout String, untilQuote: Bool) {
        while let c = peek() {
            if untilQuote && c == "\"" {
                i += 1
                return
            }
            switch c {
            case "\\":
                if let n = peek(1), n == "$" || n == "`" || n == "\"" || n == "\\" || n == "\n" {
                    if n != "\n" { text.unicodeScalars.append(n) }
                    i += 2
                } else {
                    text.unicodeScalars.append(c)
                    i += 1
                }
            case "$":
                readDollar(into: &text)
            case "`":
                readBackticks(into: &text)
            default:
                text.unicodeScalars.append(c)
                i += 1
            }
        }
    }

    /// `$'…'`, `$(…)`, `$((…))`, `${…}`, `$NAME`, `$1`, `$?` …: kept as written, their commands read.
    mutating func readDollar(into text: inout String) {
        let start = i
        guard let n = peek(1) else {
            text += "$"
            i += 1
            return
        }
        switch n {
        case "'":
            i += 2
            while let c = peek(), c != "'" {
                if c == "\\", let e = peek(1) {
                    text.unicodeScalars.append(e)
                    i += 2
                } else {
                    text.unicodeScalars.append(c)
                    i += 1
                }
            }
            i += 1
            return
        case "(":
            if peek(2) == "(" {
                i += 3
                skipArithmetic()
            } else {
                i += 2
                nestedList()
            }
        case "{":
            if let e = bracedExpansion(at: i + 2) { expansions.append(e) }
            i += 2
            var depth = 1
            while let c = peek() {
                if c == "}" {
                    i += 1
                    depth -= 1
                    if depth == 0 { break }
                } else if c == "{" {
                    depth += 1
                    i += 1
                } else if c == "\\" {
                    i += 2
                } else if c == "$" {
                    // `${A:-${B:-$(cmd)}}`: nested expansions count towards the depth like `$(…)`.
                    guard level < ShellScript.maximumDepth else {
                        tooDeep = true
                        i += 1
                        continue
                    }
                    var ignored = ""
                    level += 1
                    readDollar(into: &ignored)
                    level -= 1
                } else if c == "`" {
                    var ignored = ""
                    readBackticks(into: &ignored)
                } else {
                    i += 1
                }
            }
        default:
            if n == "_" || Self.isLetter(n) {
                i += 1
                while let c = peek(), c == "_" || Self.isLetter(c) || ("0"..."9").contains(c) { i += 1 }
                expansions.append(ShellExpansion(name: String(raw(start).dropFirst()), hasDefault: false))
            } else if "@*#?$!-0123456789".unicodeScalars.contains(n) {
                i += 2
            } else {
                i += 1
            }
        }
        text += raw(start)
    }

    /// The variable a `${…}` whose text starts at `j` expands: `${NAME}`, `${#NAME}`, `${NAME%x}`, and
    /// whether the expansion supplies a value of its own when NAME is unset (`-`, `:-`, `=`, `:=`, `+`,
    /// `:+`). Nil for special parameters (`${1}`, `${@}`) and indirection (`${!NAME}`).
    func bracedExpansion(at j: Int) -> ShellExpansion? {
        var k = j
        if k < s.count, s[k] == "#" { k += 1 }
        var name = ""
        while k < s.count, s[k] == "_" || Self.isLetter(s[k]) || (!name.isEmpty && ("0"..."9").contains(s[k])) {
            name.unicodeScalars.append(s[k])
            k += 1
        }
        guard !name.isEmpty else { return nil }
        if k < s.count, s[k] == ":" { k += 1 }
        let hasDefault = k < s.count && (s[k] == "-" || s[k] == "=" || s[k] == "+")
        return ShellExpansion(name: name, hasDefault: hasDefault && s[j] != "#")
    }
}

/// A parameter expansion of a shell text: the variable it reads, and whether it has a value of its own
/// for an unset variable (`${NAME:-default}`).
struct ShellExpansion: Sendable, Hashable {
    var name: String
    var hasDefault: Bool
}
