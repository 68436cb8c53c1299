/// A command's arguments split into flags and positional words, as getopt would split them, using what the
/// command table says about the program's flags that take a value. Flags may stand anywhere before `--`.
struct CommandArguments: Sendable {
    struct Flag: Sendable {
        /// `-f` or `--follow`: a bundle `-it` gives `-i` and `-t`.
        var name: String
        var value: String?
        /// The argument the flag stands in.
        var index: Int
        /// As written, for a reason: `-f`, `--follow`, `-c3`.
        var written: String
    }

    var words: [String]
    var flags: [Flag] = []
    /// Positional words and the argument each stands in.
    var positionals: [(text: String, index: Int)] = []
    /// The words after `--`, or nil without one.
    var afterDoubleDash: [String]?
    /// Where `--` stands.
    var doubleDashIndex: Int?

    /// What the command table knows about a program's flags.
    struct Options: Sendable, Hashable {
        /// Flags whose value is the next argument unless attached (`-n ns`, `-nns`, `--namespace ns`).
        var valueFlags: Set<String> = []
        /// Every `-word` is one flag (`find -delete`, `openssl s_client -connect`), never a bundle of letters.
        var singleDashWords = false
        /// Flags stop at the first positional word: what follows belongs to the command it runs.
        var optionsFirst = false
    }

    init(_ words: [String], options: Options) {
        self.words = words
        var k = 0
        while k < words.count {
            let w = words[k]
            if w == "--" {
                doubleDashIndex = k
                afterDoubleDash = Array(words[(k + 1)...])
                return
            }
            if w.hasPrefix("--") {
                if let eq = w.firstIndex(of: "=") {
                    flags.append(Flag(name: String(w[..<eq]), value: String(w[w.index(after: eq)...]), index: k, written: w))
                } else if options.valueFlags.contains(w), k + 1 < words.count {
                    flags.append(Flag(name: w, value: words[k + 1], index: k, written: w))
                    k += 1
                } else {
                    flags.append(Flag(name: w, value: nil, index: k, written: w))
                }
            } else if w.hasPrefix("-") && w.count > 1 {
                if options.singleDashWords {
                    let takes = options.valueFlags.contains(w) && k + 1 < words.count
                    flags.append(Flag(name: w, value: takes ? words[k + 1] : nil, index: k, written: w))
                    if takes { k += 1 }
                } else {
                    var letters = Substring(w.dropFirst())
                    while let letter = letters.first {
                        letters = letters.dropFirst()
                        let name = "-" + String(letter)
                        guard options.valueFlags.contains(name) else {
                            flags.append(Flag(name: name, value: nil, index: k, written: w))
                            continue
                        }
                        if !letters.isEmpty {
                            let attached = letters.hasPrefix("=") ? letters.dropFirst() : letters
                            flags.append(Flag(name: name, value: String(attached), index: k, written: w))
                        } else if k + 1 < words.count {
                            flags.append(Flag(name: name, value: words[k + 1], index: k, written: w))
                            k += 1
                        } else {
                            flags.append(Flag(name: name, value: nil, index: k, written: w))
                        }
                        break
                    }
                }
            } else {
                positionals.append((w, k))
                if options.optionsFirst {
                    positionals += (k + 1..<words.count).map { (words[$0], $0) }
                    return
                }
            }
            k += 1
        }
    }
}
