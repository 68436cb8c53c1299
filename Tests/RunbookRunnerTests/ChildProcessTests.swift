import Foundation
import Testing
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// Spawning: what the child gets (environment, directory, stdin, descriptors, signal state, a
/// terminal) and what it does not.
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("the environment is exactly what was given, and values are data, never code")
    func environmentIsData() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var env = ProcessProbe.environment
        env["A"] = "$(touch pwned)"
        env["B"] = "; touch pwned2; rm -rf x"
        env["C"] = "`touch pwned3`"
        env["D"] = "' \" \\ \n end"
        let (outcome, output) = try runCapturing(
            #"printf '%s|%s|%s|%s|%s' "$A" "$B" "$C" "$D" "${HOME-unset}""#, environment: env, in: dir)
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == "$(touch pwned)|; touch pwned2; rm -rf x|`touch pwned3`|' \" \\ \n end|unset")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test("nothing else is inherited: the shell sees only the given variables (plus its own PWD)")
    func noInheritedVariables() throws {
        let (_, output) = try runCapturing("env | sort", environment: ["PATH": "/usr/bin:/bin", "ONLY": "1"], in: "/")
        #expect(output.text(.stdout) == "ONLY=1\nPATH=/usr/bin:/bin\nPWD=/\n")
    }

    @Test("the working directory is honoured")
    func workingDirectory() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (outcome, output) = try runCapturing("pwd -P", in: dir)
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == dir + "\n")
    }

    @Test("a missing shell is a typed error naming it")
    func missingShell() {
        let request = SpawnRequest(shell: "/nonexistent/bin/sh", arguments: ["-c", "true"], environment: [:])
        #expect {
            _ = try ChildProcess(request)
        } throws: { error in
            guard let error = error as? SpawnError else { return false }
            return error.stage == .shell && error.code == ENOENT && error.message.contains("/nonexistent/bin/sh")
        }
    }

    @Test("a missing working directory is a typed error naming it")
    func missingDirectory() {
        let request = ProcessProbe.request("true", in: "/nonexistent/dir")
        #expect {
            _ = try ChildProcess(request)
        } throws: { error in
            guard let error = error as? SpawnError else { return false }
            return error.stage == .workingDirectory && error.code == ENOENT
                && error.message.contains("/nonexistent/dir")
        }
    }

    @Test("a NUL byte or a bad variable name is refused before spawning")
    func invalidRequest() {
        for env in [["A": "x\0y"], ["": "x"], ["A=B": "x"]] {
            #expect(throws: SpawnError.self) { _ = try ChildProcess(ProcessProbe.request("true", environment: env)) }
        }
        #expect(throws: SpawnError.self) { _ = try ChildProcess(ProcessProbe.request("echo \0")) }
    }

    @Test("a step that reads stdin gets EOF at once: stdin is /dev/null")
    func stdinIsDevNull() throws {
        let supervisor = ProcessProbe.fastSupervisor(timeLimit: TimeLimit(milliseconds: 20_000))
        let (outcome, output) = try runCapturing(
            #"cat; read x; echo "read:$?"; readlink /proc/self/fd/0"#, supervisor: supervisor)
        #expect(outcome.reason == .exited)
        #expect(output.text(.stdout) == "read:1\n/dev/null\n")
    }

    @Test("the child inherits no descriptor but 0, 1 and 2, even one not marked close-on-exec")
    func noInheritedDescriptors() throws {
        let leaky = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        #expect(leaky >= 0)
        defer { close(leaky) }
        let (_, output) = try runCapturing("ls /proc/$$/fd")
        #expect(output.text(.stdout) == "0\n1\n2\n")
    }

    @Test("the step leads its own session and process group")
    func ownSession() throws {
        let child = try ChildProcess(ProcessProbe.request("exec sleep 1000"))
        #expect(child.processGroup == child.pid)
        #expect(getpgid(child.pid) == child.pid)
        #expect(getsid(child.pid) == child.pid)
        #expect(child.signalGroup(SIGKILL))
        #expect(ProcessProbe.eventually(within: .seconds(5)) { child.hasExited() })
        #expect(child.reap() == .signaled(SIGKILL))
        #expect(!child.signalGroup(0), "a reaped leader's id must not be signalled any more")
    }

    /// The parent blocks SIGINT and ignores SIGTERM around the spawn (as Foundation.Process's
    /// children inherit, swift-corelibs-foundation #4772); the child must start with neither.
    @Test("the child starts with an empty signal mask and default dispositions")
    func signalStateIsReset() throws {
        for (signal, name) in [(SIGTERM, "TERM"), (SIGINT, "INT")] {
            let command = "grep -E '^Sig(Blk|Ign)' /proc/self/status; kill -\(name) $$; echo survived"
            let child = try withHostileSignalState { try ChildProcess(ProcessProbe.request(command)) }
            var output = CapturedOutput()
            let outcome = ProcessProbe.fastSupervisor(timeLimit: TimeLimit(milliseconds: 20_000)).run(child) {
                output.append($0, $1)
            }
            #expect(outcome.status == .signaled(signal))
            #expect(output.text(.stdout) == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
        }
    }

    @Test("dropping a ChildProcess closes its descriptors and ends its group")
    func deinitReleasesEverything() throws {
        var targets: [String] = []
        var pgid: pid_t = 0
        do {
            let child = try ChildProcess(ProcessProbe.request("sleep 1000 & exec sleep 1000"))
            pgid = child.processGroup
            for fd in [child.outputFD, child.errorFD, child.pidFD].compactMap({ $0 }) {
                if let target = ProcessProbe.target(ofDescriptor: fd) { targets.append(target) }
            }
        }
        #expect(targets.count >= 2)
        // Pipe inodes are not reused while open, so another test's descriptors cannot match.
        #expect(ProcessProbe.openTargets().isDisjoint(with: targets.filter { $0.hasPrefix("pipe:") }))
        #expect(ProcessProbe.groupIsGone(pgid))
    }

    @Test("pty mode: fds 0-2 are the terminal, it is the controlling terminal, lines end in CRLF")
    func pseudoTerminal() throws {
        let command = """
            test -t 0 && test -t 1 && test -t 2 && echo tty
            (: </dev/tty) 2>/dev/null && echo ctty
            echo err >&2
            stty size
            """
        let (outcome, output) = try runCapturing(command, pty: true)
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == "tty\r\nctty\r\nerr\r\n24 80\r\n")
        #expect(output.text(.stderr).isEmpty)
    }

    @Test("pipe mode: no terminal at all")
    func noTerminalInPipeMode() throws {
        let (_, output) = try runCapturing(#"test -t 1 || echo notty; (: </dev/tty) 2>/dev/null || echo noctty"#)
        #expect(output.text(.stdout) == "notty\nnoctty\n")
    }

    /// Runs `body` on this thread with SIGINT blocked and SIGTERM ignored, restoring both after.
    private func withHostileSignalState<T>(_ body: () throws -> T) rethrows -> T {
        var block = sigset_t()
        var previousMask = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGINT)
        pthread_sigmask(SIG_BLOCK, &block, &previousMask)
        let previousTerm = signal(SIGTERM, SIG_IGN)
        defer {
            signal(SIGTERM, previousTerm)
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        return try body()
    }
}
