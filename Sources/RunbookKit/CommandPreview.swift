/// A command as a person should read it before it runs: every expansion of a variable that has a
/// value shown as that value (secrets masked). Only for showing: the command runs as written, with
/// the values in its environment.
public enum CommandPreview {
    public static func render(_ command: String, values: (String) -> ResolvedValue?) -> String {
        var out = ""
        let s = Array(command.unicodeScalars)
        var i = 0
        var inSingle = false
        func isStart(_ c: UnicodeScalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
        func isName(_ c: UnicodeScalar) -> Bool { isStart(c) || ("0"..."9").contains(c) }
        func shown(_ name: String) -> String? {
            guard let v = values(name) else { return nil }
            return v.isSecret ? SecretMasker.mask : v.value
        }
        while i < s.count {
            let c = s[i]
            if inSingle {
                if c == "'" { inSingle = false }
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            if c == "\\", i + 1 < s.count {
                out.unicodeScalars.append(c)
                out.unicodeScalars.append(s[i + 1])
                i += 2
                continue
            }
            if c == "'" {
                inSingle = true
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            if c == "$", i + 1 < s.count {
                if s[i + 1] == "{" {
                    // ${NAME} only; ${NAME:-x} and other forms are left as written.
                    var k = i + 2
                    var name = ""
                    while k < s.count, isName(s[k]) {
                        name.unicodeScalars.append(s[k])
                        k += 1
                    }
                    if k < s.count, s[k] == "}", let first = name.unicodeScalars.first, isStart(first), let v = shown(name) {
                        out += v
                        i = k + 1
                        continue
                    }
                } else if isStart(s[i + 1]) {
                    var k = i + 1
                    var name = ""
                    while k < s.count, isName(s[k]) {
                        name.unicodeScalars.append(s[k])
                        k += 1
                    }
                    if let v = shown(name) {
                        out += v
                        i = k
                        continue
                    }
                }
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        return out
    }
}
