import Foundation
import Testing
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// Running one step with real processes: output, exit, cancel, time-out, and nothing left behind.
@Suite("StepSupervisor")
struct StepSupervisorTests {
    /// Two pipes cannot order writes made at the same instant: the loop sees both readable and reads
    /// one first. Writes separated in time arrive in order, and within one channel order always holds.
    @Test("stdout and stderr keep their channel and, when separated in time, their order")
    func channelsAndOrder() throws {
        let (outcome, output) = try runCapturing(
            "for i in 1 2 3 4 5; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done")
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
        let outcome = StepSupervisor().run(child, cancelFD: cancel.read) { channel, bytes in
            output.append(channel, bytes)
            if output.text(.stdout).contains("ready") { _ = write(cancel.write, "x", 1) }
        }
        #expect(outcome.reason == .cancelled)
        #expect(outcome.signalsSent == [SIGINT, SIGTERM, SIGKILL])
        #expect(outcome.status == .signaled(SIGKILL))
        // The standard plan: SIGKILL 4 s after the cancel.
        #expect(outcome.duration >= .seconds(4) && outcome.duration < .seconds(8))
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
        #expect(outcome.duration < .seconds(2), "SIGTERM would have come at 2 s")
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    @Test("a cancel pipe whose writer closed neither cancels nor spins")
    func closedCancelPipe() throws {
        let cancel = ProcessProbe.cancelPipe()
        close(cancel.write)
        defer { close(cancel.read) }
        var output = CapturedOutput()
        let cpuBefore = ProcessProbe.threadCPUTime()
        let outcome = try StepSupervisor().run(ProcessProbe.request("sleep 0.3; echo done"), cancelFD: cancel.read) {
            output.append($0, $1)
        }
        let cpu = ProcessProbe.threadCPUTime() - cpuBefore
        #expect(cpu < .milliseconds(50), "the loop used \(cpu) of CPU while the step slept 0.3 s")
        #expect(outcome.reason == .exited)
        #expect(outcome.status == .exited(0))
        #expect(output.text(.stdout) == "done\n")
    }

    @Test("a time-out escalates and leaves nothing of the group", arguments: [true, false])
    func timeOut(usesPidFD: Bool) throws {
        let supervisor = ProcessProbe.fastSupervisor(timeLimit: TimeLimit(milliseconds: 300), usesPidFD: usesPidFD)
        let child = try ChildProcess(ProcessProbe.request("sleep 1000 & (sleep 1000; true) & trap '' INT; sleep 1000"))
        let outcome = supervisor.run(child) { _, _ in }
        #expect(outcome.reason == .timedOut)
        #expect(outcome.signalsSent == [SIGINT, SIGTERM])
        #expect(outcome.status == .signaled(SIGTERM))
        #expect(outcome.duration >= .milliseconds(600) && outcome.duration < .seconds(5))
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
            #expect(outcome.duration < .seconds(5))
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
        #expect(outcome.duration < .seconds(5))
        #expect(ProcessProbe.groupIsGone(child.processGroup))
    }

    @Test("a process that left the session cannot hold the run open past the drain limit")
    func escapedProcessDoesNotHang() throws {
        let (outcome, output) = try runCapturing("setsid sleep 1000 & echo $!")
        let escaped = pid_t(output.text(.stdout).trimmingCharacters(in: .whitespacesAndNewlines))
        if let escaped, escaped > 1 { kill(escaped, SIGKILL) }
        #expect(escaped != nil)
        #expect(outcome.status == .exited(0))
        #expect(outcome.duration < .seconds(4))
    }

    @Test("100 MB of output streams through with bounded memory and an exact byte count")
    func largeOutput() throws {
        let before = peakResidentKilobytes()
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
        #expect(largestChunk <= 64 << 10)
        let growth = peakResidentKilobytes() - before
        #expect(growth < 32_000, "peak RSS grew by \(growth) kB while streaming 100 MB")
    }

    /// VmHWM from /proc/self/status, in kB.
    private func peakResidentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
