import Foundation
import Testing
import RunbookKit
import RunbookRunner
import RunbookTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Running one step with real processes: output, exit, cancel, time-out, and nothing left behind.
@Suite("StepSupervisor")
struct StepSupervisorTests {
    /// Two pipes cannot order writes made at the same instant: the loop sees both readable and reads
    /// one first. So the step writes one line, then waits on a gate until the test has seen it.
    @Test("stdout and stderr keep their channel and, when one waits for the other, their order")
    func channelsAndOrder() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-supervisor"), name: "gate")
        var environment = ProcessProbe.environment
        environment["GATE"] = gate.path
        var output = CapturedOutput()
        var released = 0
        let outcome = try StepSupervisor().run(
            ProcessProbe.request(
                #"for i in 1 2 3 4 5; do echo out$i; read x < "$GATE"; echo err$i >&2; read x < "$GATE"; done"#,
                environment: environment)
        ) { channel, bytes in
            output.append(channel, bytes)
            // One release per whole line seen: the step writes its next line only then.
            while released < output.taggedLines.count {
                gate.release()
                released += 1
            }
        }
        #expect(outcome.status == .exited(0))
        #expect(output.taggedLines == (1...5).flatMap { ["stdout:out\($0)", "stderr:err\($0)"] })
    }

    @Test("10,000 lines per channel arrive complete and in order within each channel")
    func orderWithinChannel() throws {
        let (outcome, output) = try runCapturing(
            #"i=1; while [ $i -le 10000 ]; do echo "o$i"; echo "e$i" >&2; i=$((i+1)); done"#)
        #expect(outcome.status == .exited(0))
        let expectedOut = (1...10_000).map { "o\($0)\n" }.joined()
        let expectedErr = (1...10_000).map { "e\($0)\n" }.joined()
        #expect(output.text(.stdout) == expectedOut)
        #expect(output.text(.stderr) == expectedErr)
    }

    @Test("exit codes and signals are reported", arguments: [true, false])
    func exitStatus(usesPidFD: Bool) throws {
        let supervisor = ProcessProbe.fastSupervisor(usesPidFD: usesPidFD)
        let (exited, _) = try runCapturing("exit 3", supervisor: supervisor)
        #expect(exited.status == .exited(3))
        #expect(exited.reason == .exited)
        #expect(exited.signalsSent.isEmpty)
        let (signaled, _) = try runCapturing("kill -TERM $$", supervisor: supervisor)
        #expect(signaled.status == .signaled(SIGTERM))
        #expect(signaled.reason == .exited)
    }

    @Test("cancel escalates to SIGKILL for a step that ignores INT and TERM, and nothing survives")
    func cancelEscalates() throws {
        let command = "sleep 1000 & (sleep 1000; true) & trap '' INT TERM; echo ready; sleep 1000"
        let child = try ChildProcess(ProcessProbe.request(command))
        let cancel = ProcessProbe.cancelPipe()
        defer {
            close(cancel.read)
            close(cancel.write)
        }
        var output = CapturedOutput()
        let outcome = ProcessProbe.fastSupervisor().run(child, cancelFD: cancel.read) { channel, bytes in
            output.append(channel, bytes)
            if output.text(.stdout).contains("ready") { _ = write(cancel.write, "x", 1) }
        }
        #expect(outcome.reason == .cancelled)
        #expect(outcome.signalsSent == [SIGINT, SIGTERM, SIGKILL])
        #expect(outcome.status == .signaled(SIGKILL))
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    @Test("a step that exits on SIGINT ends at the first signal")
    func cancelEndsAtInterrupt() throws {
        // dash catches SIGINT while it runs `-c` and may sit on one that lands between two commands,
        // so cancel only once `sleep` has replaced the shell.
        let child = try ChildProcess(ProcessProbe.request("echo ready; exec sleep 1000"))
        let cancel = ProcessProbe.cancelPipe()
        defer {
            close(cancel.read)
            close(cancel.write)
        }
        let outcome = StepSupervisor().run(child, cancelFD: cancel.read) { _, _ in
            let running = ProcessProbe.eventually(within: .seconds(5)) {
                ProcessProbe.commandName(of: child.pid) == "sleep"
            }
            #expect(running)
            _ = write(cancel.write, "x", 1)
        }
        #expect(outcome.reason == .cancelled)
        #expect(outcome.signalsSent == [SIGINT])
        #expect(outcome.status == .signaled(SIGINT))
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    /// A loop that spun on the pipe's end-of-file would never sleep: poll() returns at once for it.
    /// So while the step waits on a gate, the test waits until the supervising thread sleeps in the
    /// kernel, and only then lets the step go on.
    @Test("a cancel pipe whose writer closed neither cancels nor spins: the loop sleeps while the step waits")
    func closedCancelPipe() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-supervisor"), name: "gate")
        var environment = ProcessProbe.environment
        environment["GATE"] = gate.path
        let cancel = ProcessProbe.cancelPipe()
        close(cancel.write)
        defer { close(cancel.read) }
        let loopThread = try #require(ProcessProbe.currentThreadStat(), "no /proc/thread-self")
        let sawSleep = ThreadFlag()
        var watcher: Thread?
        var output = CapturedOutput()
        let outcome = try StepSupervisor().run(
            ProcessProbe.request(#"echo waiting; read x < "$GATE"; echo done"#, environment: environment),
            cancelFD: cancel.read
        ) { channel, bytes in
            output.append(channel, bytes)
            guard watcher == nil, output.text(.stdout) == "waiting\n" else { return }
            // The step now waits on the gate: the loop has nothing to do but wait too.
            let started = Thread {
                sawSleep.set(ProcessProbe.eventually(within: .seconds(20)) { ProcessProbe.threadSleepsInPoll(loopThread) })
                gate.release()
            }
            started.start()
            watcher = started
        }
        #expect(sawSleep.value, "the supervising thread never slept while the step waited: it spins")
        #expect(outcome.reason == .exited)
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == "waiting\ndone\n")
    }

    /// With the real clock the time-out may land before the step's shell has run a command, so only
    /// what holds whatever the timing is asserted here; ``StepMonitorStagesTests`` walks the stages.
    @Test("a time-out escalates and leaves nothing of the group", arguments: [true, false])
    func timeOut(usesPidFD: Bool) throws {
        let supervisor = ProcessProbe.fastSupervisor(timeLimit: TimeLimit(milliseconds: 300), usesPidFD: usesPidFD)
        let child = try ChildProcess(ProcessProbe.request("sleep 1000 & (sleep 1000; true) & trap '' INT; sleep 1000"))
        let outcome = supervisor.run(child) { _, _ in }
        #expect(outcome.reason == .timedOut)
        #expect(outcome.signalsSent.first == SIGINT)
        #expect(outcome.status.map { if case .signaled = $0 { true } else { false } } == true, "\(String(describing: outcome.status))")
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    @Test("a background job left after a normal exit is killed and the run returns promptly",
        arguments: [true, false])
    func backgroundJobAfterExit(usesPidFD: Bool) throws {
        for command in ["sleep 1000 & echo done", "sleep 1000 >/dev/null 2>&1 & echo done"] {
            let child = try ChildProcess(ProcessProbe.request(command))
            var output = CapturedOutput()
            let outcome = ProcessProbe.fastSupervisor(usesPidFD: usesPidFD).run(child) { output.append($0, $1) }
            #expect(outcome.status == .exited(0))
            #expect(outcome.reason == .exited)
            #expect(output.text(.stdout) == "done\n")
            #expect(ProcessProbe.groupIsGone(child.processGroup), "\(command)")
        }
    }

    @Test("pty mode: a background job is killed too and the run returns promptly")
    func backgroundJobOnPseudoTerminal() throws {
        let child = try ChildProcess(ProcessProbe.request("sleep 1000 & echo done", pty: true))
        var output = CapturedOutput()
        let outcome = StepSupervisor().run(child) { output.append($0, $1) }
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == "done\r\n")
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    @Test("a process that left the session cannot hold the run open: the run ends while it still lives")
    func escapedProcessDoesNotHang() throws {
        let (outcome, output) = try runCapturing("setsid sleep 1000 & echo $!")
        let escaped = try #require(pid_t(output.text(.stdout).trimmingCharacters(in: .whitespacesAndNewlines)))
        try #require(escaped > 1)
        defer { kill(escaped, SIGKILL) }
        // It holds the step's output open, and the run returned all the same.
        #expect(kill(escaped, 0) == 0, "the escaped process is gone: the test proves nothing")
        #expect(outcome.status == .exited(0))
    }

    /// Memory is measured by `scripts/benchmark` (b), on the `runbook check` process it starts, not
    /// here: this process's peak is raised by every other test.
    @Test("100 MB of output streams through in chunks no larger than one read, with an exact byte count")
    func largeOutput() throws {
        var bytes = 0
        var largestChunk = 0
        let outcome = try StepSupervisor().run(
            ProcessProbe.request("head -c 100000000 /dev/zero | tr '\\0' a | fold -w 100")
        ) { channel, chunk in
            if channel == .stdout { bytes += chunk.count }
            largestChunk = max(largestChunk, chunk.count)
        }
        #expect(outcome.status == .exited(0))
        #expect(bytes == 100_999_999)  // 1,000,000 lines of 100, newline after all but the last
        #expect(largestChunk <= StepSupervisor().readSize)
    }
}

/// A flag one thread sets and another reads.
final class ThreadFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set(_ value: Bool) {
        lock.lock()
        flag = value
        lock.unlock()
    }
    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}
