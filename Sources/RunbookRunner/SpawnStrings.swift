#if canImport(Glibc)
import Glibc
#endif

/// What a spawn hands the C side: argv and envp (`NAME=value`, sorted by name) as `strdup`ed,
/// NULL-terminated arrays; ``release()`` frees them. Used by every way a step or command is started
/// (``ChildProcess``, ``ForegroundCommand``, the TUI's interactive steps), so all refuse the same input.
public struct SpawnStrings {
    public let argv: [UnsafeMutablePointer<CChar>?]
    public let envp: [UnsafeMutablePointer<CChar>?]

    /// Nil when the request cannot be passed to a process: an empty program, a NUL byte in an
    /// argument, a value or the working directory, or a variable name that is empty or holds `=`.
    /// `arguments` starts with argv[0], the program.
    public init?(arguments: [String], environment: [String: String], workingDirectory: String? = nil) {
        guard let program = arguments.first, !program.isEmpty,
            arguments.allSatisfy({ !$0.utf8.contains(0) }),
            !(workingDirectory?.utf8.contains(0) ?? false)
        else { return nil }
        var env: [String] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, !name.utf8.contains(0), !name.utf8.contains(UInt8(ascii: "=")),
                !value.utf8.contains(0)
            else { return nil }
            env.append(name + "=" + value)
        }
        argv = arguments.map { strdup($0) } + [nil]
        envp = env.map { strdup($0) } + [nil]
    }

    public func release() {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
}
