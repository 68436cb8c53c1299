import Foundation
import RunbookTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn (not Foundation.Process: its children inherit a blocked signal
/// mask, and it waits on an inherited socketpair that a grandchild such as the tmux server keeps
/// open) and collects what it prints.
struct Subprocess {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `arguments` (the first is looked up in PATH) with exactly `environment`, stdin from
    /// /dev/null, and waits for it (at most `timeout` for its output to end).
    static func run(
        _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)
    ) throws -> Subprocess {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw POSIXError(.EMFILE) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw POSIXError(.EMFILE)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[0])
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard let program = arguments.first else { throw POSIXError(.EINVAL) }
        let rc = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT)
        }
        var out = [UInt8]()
        var err = [UInt8]()
        var fds = [
            pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
            pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0),
        ]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while open > 0 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            let ms = Int32(clamping: left.components.seconds * 1000 + 1)
            let ready = poll(&fds, 2, ms)
            if ready < 0, errno == EINTR { continue }
            if ready <= 0 { break }
            for k in 0..<2 where fds[k].fd >= 0 && fds[k].revents != 0 {
                let n = read(fds[k].fd, &buffer, buffer.count)
                if n > 0 {
                    if k == 0 { out += buffer[0..<n] } else { err += buffer[0..<n] }
                } else {
                    close(fds[k].fd)
                    fds[k].fd = -1
                    open -= 1
                }
            }
        }
        for k in 0..<2 where fds[k].fd >= 0 { close(fds[k].fd) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Subprocess(
            status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

extension Subprocess {
    /// Runs the built `runbook args...` in a private environment (``ProgramEnvironment``: its own
    /// `HOME`, `XDG_*` folders and `TMPDIR` in a folder removed afterwards, the standard `PATH`), with
    /// `environment` applied on top.
    static func runbook(_ arguments: [String], environment: [String: String] = [:]) throws -> Subprocess {
        let folder = try TemporaryFolder("runbook-program")
        defer { withExtendedLifetime(folder) {} }
        return try run(
            [Paths.binary] + arguments, environment: try ProgramEnvironment.make(in: folder.path, overrides: environment))
    }
}

/// Where the built `runbook` and the repository are.
enum Paths {
    /// The `runbook` executable built beside the tests.
    static var binary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var dir = (exe as NSString).deletingLastPathComponent
        while !dir.isEmpty, dir != "/", !FileManager.default.isExecutableFile(atPath: dir + "/runbook") {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir + "/runbook"
    }

    /// The repository's root folder.
    static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    /// A new private folder under /tmp.
    static func temporaryFolder(_ prefix: String) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return made.map { String(cString: $0) } ?? "/tmp"
    }
}
