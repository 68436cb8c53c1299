#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX extended regular expression (`regcomp` with `REG_EXTENDED`): the dialect of `matches`
/// indicators, the same as `grep -E`.
public final class PosixRegex: @unchecked Sendable {
    // regex_t is used only through regexec, which is safe to call concurrently on one compiled pattern.
    private var regex = regex_t()
    /// The pattern compiled to report where a match ends, for ``readsPastMatch`` patterns only.
    private var positional: regex_t?

    public let pattern: String
    /// Whether the pattern has an assertion that reads the text after a match (`\>`, `\b`, `\B`,
    /// `\'`): where a window of a line ends before the line does, such a match is not trusted.
    public let readsPastMatch: Bool

    public enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let s): s
            }
        }
    }

    public convenience init(_ pattern: String) throws(Failure) {
        try self.init(pattern, positions: false)
    }

    /// `positions`: keep where a match starts and ends, for ``matchEnd(_:)``.
    init(_ pattern: String, positions: Bool) throws(Failure) {
        self.pattern = pattern
        if pattern.utf8.contains(0) { throw .invalid("the pattern contains a NUL byte") }
        let rc = regcomp(&regex, pattern, REG_EXTENDED | (positions ? 0 : REG_NOSUB))
        if rc != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .invalid(message.isEmpty ? "invalid pattern" : message)
        }
        readsPastMatch = Self.readsPastMatch(pattern)
        if readsPastMatch {
            var compiled = regex_t()
            if regcomp(&compiled, pattern, REG_EXTENDED) == 0 { positional = compiled }
        }
    }

    deinit {
        regfree(&regex)
        if positional != nil { regfree(&positional!) }
    }

    /// Whether `pattern` holds `\>`, `\b`, `\B` or `\'` (read over-cautiously: inside a bracket
    /// expression too).
    static func readsPastMatch(_ pattern: String) -> Bool {
        let bytes = Array(pattern.utf8)
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                if [UInt8(ascii: ">"), UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "'")].contains(bytes[i + 1]) {
                    return true
                }
                i += 2
            } else {
                i += 1
            }
        }
        return false
    }

    /// glibc's regcomp expands bounded repetitions: `((a{1,100}){1,100}){1,100}` needs gigabytes.
    /// Estimates the expanded size (atoms times the bounds they sit under) and refuses large ones.
    static func expansionProblem(_ pattern: String) -> String? {
        let limit = 10_000
        // Sizes of the sequence being read at each open group; `last` is the size of the latest atom.
        var stack: [(total: Int, last: Int)] = [(0, 0)]
        let chars = Array(pattern.utf8)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case UInt8(ascii: "\\"):
                stack[stack.count - 1].total += 1
                stack[stack.count - 1].last = 1
                i += 2
                continue
            case UInt8(ascii: "("):
                stack.append((0, 0))
            case UInt8(ascii: ")"):
                if stack.count > 1 {
                    let group = stack.removeLast()
                    stack[stack.count - 1].total += group.total
                    stack[stack.count - 1].last = group.total
                }
            case UInt8(ascii: "["):
                // A bracket expression is one atom.
                var k = i + 1
                if k < chars.count, chars[k] == UInt8(ascii: "^") { k += 1 }
                if k < chars.count, chars[k] == UInt8(ascii: "]") { k += 1 }
                while k < chars.count, chars[k] != UInt8(ascii: "]") { k += 1 }
                i = k
                stack[stack.count - 1].total += 1
                stack[stack.count - 1].last = 1
            case UInt8(ascii: "{"):
                var k = i + 1
                var numbers: [Int] = [0]
                while k < chars.count, chars[k] != UInt8(ascii: "}") {
                    if chars[k] == UInt8(ascii: ",") {
                        numbers.append(0)
                    } else if (48...57).contains(chars[k]) {
                        numbers[numbers.count - 1] = min(1_000_000, numbers[numbers.count - 1] * 10 + Int(chars[k] - 48))
                    }
                    k += 1
                }
                let bound = max(numbers.first ?? 0, numbers.count > 1 ? (numbers[1] == 0 ? (numbers.first ?? 0) + 1 : numbers[1]) : 0)
                if bound > 255 { return "a repetition bound of \(bound) is more than 255" }
                let last = stack[stack.count - 1].last
                stack[stack.count - 1].total += last * max(0, bound - 1)
                stack[stack.count - 1].last = last * bound
                i = k
            default:
                stack[stack.count - 1].total += 1
                stack[stack.count - 1].last = 1
            }
            if stack.contains(where: { $0.total > limit }) {
                return "the pattern's repetitions expand too far (keep nested {m,n} bounds small)"
            }
            i += 1
        }
        return nil
    }

    /// Whether some part of `line` matches.
    public func matches(_ line: String) -> Bool {
        regexec(&regex, line, 0, nil, 0) == 0
    }

    /// The UTF-8 offset where the first match in `line` ends, or nil when none matches (needs a pattern
    /// compiled with `positions: true`).
    func matchEnd(_ line: String) -> Int? {
        var match = regmatch_t()
        guard regexec(&regex, line, 1, &match, 0) == 0, match.rm_eo >= 0 else { return nil }
        return Int(match.rm_eo)
    }

    /// Whether some part of the NUL-terminated `line` matches.
    public func matches(cString line: UnsafePointer<CChar>) -> Bool {
        regexec(&regex, line, 0, nil, 0) == 0
    }

    /// Whether a match lies in `text[from...]`, a window of a longer line (no NUL in it): the bytes
    /// before `from` are read only as what precedes it (a word boundary sees them; `^` matches at
    /// `from` only when it is 0 and `atLineStart`). When the window ends before the line does
    /// (`atLineEnd` false), `$` does not match at its end, and for a ``readsPastMatch`` pattern a match
    /// that ends there is not trusted (when in doubt, no match).
    public func matches(window text: UnsafeBufferPointer<UInt8>, from: Int, atLineStart: Bool, atLineEnd: Bool) -> Bool {
        var eflags = REG_STARTEND
        if !(atLineStart && from == 0) { eflags |= REG_NOTBOL }
        if !atLineEnd { eflags |= REG_NOTEOL }
        var match = regmatch_t(rm_so: regoff_t(from), rm_eo: regoff_t(text.count))
        var empty: CChar = 0
        let base = text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        return withUnsafePointer(to: &empty) { fallback in
            let string = base ?? fallback
            guard readsPastMatch, !atLineEnd else { return regexec(&regex, string, 1, &match, eflags) == 0 }
            guard positional != nil, regexec(&positional!, string, 1, &match, eflags) == 0 else { return false }
            return Int(match.rm_eo) < text.count
        }
    }

    /// Why `pattern` is not a valid expression, or nil when it is.
    public static func problem(with pattern: String) -> String? {
        if pattern.utf8.count > 1024 { return "the pattern is longer than 1024 bytes" }
        if let why = expansionProblem(pattern) { return why }
        do {
            _ = try PosixRegex(pattern)
            return nil
        } catch {
            return error.description
        }
    }
}
