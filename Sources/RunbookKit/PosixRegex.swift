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

    public let pattern: String

    public enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let s): s
            }
        }
    }

    public init(_ pattern: String) throws(Failure) {
        self.pattern = pattern
        if pattern.utf8.contains(0) { throw .invalid("the pattern contains a NUL byte") }
        let rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        if rc != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(rc, &regex, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .invalid(message.isEmpty ? "invalid pattern" : message)
        }
    }

    deinit { regfree(&regex) }

    /// Whether some part of `line` matches.
    public func matches(_ line: String) -> Bool {
        regexec(&regex, line, 0, nil, 0) == 0
    }

    /// Why `pattern` is not a valid expression, or nil when it is.
    public static func problem(with pattern: String) -> String? {
        do {
            _ = try PosixRegex(pattern)
            return nil
        } catch {
            return error.description
        }
    }
}
