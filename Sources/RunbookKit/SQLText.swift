/// SQL text split into statements for the command table: each statement as its words (keywords and names,
/// lower case), without string literals, comments, numbers or punctuation. A psql meta-command (`\dt+`,
/// `\copy … to 'f'`) is a statement of its own, running to the end of its line.
enum SQLText {
    static func statements(_ text: String) -> [[String]] {
        let s = Array(text.unicodeScalars)
        var statements: [[String]] = []
        var words: [String] = []
        var word = ""
        var i = 0
        func isWordScalar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c.value > 0x7F
        }
        func endWord() {
            if !word.isEmpty, let f = word.unicodeScalars.first, !("0"..."9").contains(f) { words.append(word.lowercased()) }
            word = ""
        }
        func endStatement() {
            endWord()
            if !words.isEmpty { statements.append(words) }
            words = []
        }
        while i < s.count {
            let c = s[i]
            if c == "\\" && words.isEmpty && word.isEmpty {
                // A meta-command: to the end of the line, or to `\\`.
                var j = i
                while j < s.count, s[j] != "\n", !(j > i && s[j] == "\\" && j + 1 < s.count && s[j + 1] == "\\") { j += 1 }
                var line = ""
                line.unicodeScalars.append(contentsOf: s[i..<j])
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map { String($0).lowercased() }
                if !parts.isEmpty { statements.append(parts) }
                i = j
                continue
            }
            if isWordScalar(c) {
                word.unicodeScalars.append(c)
                i += 1
                continue
            }
            endWord()
            switch c {
            case ";":
                endStatement()
                i += 1
            case "\n":
                i += 1
            case "'", "\"":
                // A string, or a quoted name: `''` inside is a quote.
                i += 1
                while i < s.count {
                    if s[i] == c {
                        if i + 1 < s.count && s[i + 1] == c { i += 2; continue }
                        break
                    }
                    i += 1
                }
                i += 1
            case "-" where i + 1 < s.count && s[i + 1] == "-":
                while i < s.count, s[i] != "\n" { i += 1 }
            case "/" where i + 1 < s.count && s[i + 1] == "*":
                i += 2
                while i + 1 < s.count, !(s[i] == "*" && s[i + 1] == "/") { i += 1 }
                i += 2
            case "$":
                // A dollar-quoted string: `$$…$$` or `$tag$…$tag$`.
                var j = i + 1
                while j < s.count, isWordScalar(s[j]) { j += 1 }
                guard j < s.count, s[j] == "$" else {
                    i += 1
                    continue
                }
                let tag = Array(s[i...j])
                var k = j + 1
                while k + tag.count <= s.count, Array(s[k..<(k + tag.count)]) != tag { k += 1 }
                i = min(k + tag.count, s.count)
            default:
                i += 1
            }
        }
        endStatement()
        return statements
    }
}
