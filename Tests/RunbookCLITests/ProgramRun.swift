import Foundation
import RunbookTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `runbook` binary built beside the tests, with posix_spawn (not Foundation.Process,
/// whose children inherit a blocked signal mask), and collects what it prints.
struct ProgramRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The built `runbook` executable: next to the test bundle in the build folder.
    static var binary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var dir = (exe as NSString).deletingLastPathComponent
        // The test binary may sit inside an .xctest bundle folder.
        while !dir.isEmpty, dir != "/", !FileManager.default.isExecutableFile(atPath: dir + "/runbook") {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir + "/runbook"
    }

    /// The repository's root folder.
    static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    /// Runs another program (found on /usr/sbin:/usr/bin:/sbin:/bin) with output discarded; its exit status.
    static func system(_ argv: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let path = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map { $0 + "/" + argv[0] }.first { access($0, X_OK) == 0 } ?? argv[0]
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs `runbook args...` (or `executable args...`), stdin from /dev/null (or the file `stdin`), in
    /// a private environment (``ProgramEnvironment``: its own `HOME`, `XDG_*` and `TMPDIR` in a folder
    /// removed afterwards, `PATH` /usr/local/bin:/usr/bin:/bin) with `environment` applied on top.
    static func run(
        _ args: [String], environment: [String: String] = [:], executable: String = binary, stdin: String = "/dev/null"
    ) throws -> ProgramRun {
        let folder = try TemporaryFolder("runbook-program")
        defer { withExtendedLifetime(folder) {} }
        let env = try ProgramEnvironment.make(in: folder.path, overrides: environment)
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[0])

        let argv = ([executable] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT)
        }
        // Drain both pipes with poll so neither fills up and blocks the child.
        var out = [UInt8]()
        var err = [UInt8]()
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, 2, 30_000) <= 0 { break }
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
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProgramRun(
            status: exitCode, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}

/// The real `runbook` binary started without waiting for it, its output going to files, so that a
/// test can signal it while it runs.
struct StartedProgram {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    /// The private folders of its environment, removed when the last copy of this value goes.
    let environmentFolder: TemporaryFolder
    /// The environment it was started with.
    let environment: [String: String]

    /// Starts `runbook args...` (or `executable args...`), stdin from /dev/null, stdout and stderr
    /// into files in `folder`, in a private environment (as ``ProgramRun/run(_:environment:executable:)``)
    /// with `environment` applied on top.
    static func start(
        _ args: [String], environment: [String: String] = [:], folder: String, executable: String = ProgramRun.binary
    ) throws -> StartedProgram {
        let private_ = try TemporaryFolder("runbook-program")
        let env = try ProgramEnvironment.make(in: private_.path, overrides: environment)
        let out = folder + "/stdout", err = folder + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT) }
        return StartedProgram(
            pid: pid, stdoutPath: out, stderrPath: err, environmentFolder: private_, environment: env)
    }

    /// Waits for the program to end (at most `seconds`, then it is killed) and returns its status,
    /// as a shell reports it (128 + the signal for a signal).
    func wait(seconds: Double = 30) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 { return -1 }
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                return -1
            }
            usleep(10_000)  // poll interval while waiting for the exit; bounded by the deadline
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Waits for the program to end, however long it takes (for a build), and returns its status as a
    /// shell reports it.
    func waitUntilExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
}
