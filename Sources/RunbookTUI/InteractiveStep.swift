import CSystem
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// An interactive step (a `psql` prompt, `kubectl exec -it`, `$EDITOR`) running in the foreground
/// of the real terminal while the TUI has given it up.
///
/// The screen is suspended first (`def_prog_mode` + `endwin`: the shell's terminal modes are back).
/// The step's shell is started in a process group of its own that becomes the terminal's foreground
/// group before it runs (so Ctrl-C and Ctrl-\ reach it, not the TUI, and it may read the
/// terminal), with fds 0-2 inherited from the TUI, which are the terminal. The TUI keeps its one
/// loop going meanwhile (other steps' output, signals), without drawing or reading keys. When the
/// leader exits the group is killed (its background jobs do not outlive it), the terminal is given
/// back to the TUI's group, the screen resumes and repaints, and
/// ``AppEvent/interactiveFinished(_:end:durationMs:)`` reports the end.
///
/// A stop (Ctrl-Z) is undone: the step is put back in the foreground and continued, because the
/// TUI cannot offer a job-control shell to return to. Variables the step assigns are handed on to
/// later steps as a background step's are: through ``StepInvocation``'s wrapper and a private
/// capture file (``PrivateFolder``), read and deleted when the step ends.
final class InteractiveStep {
    /// How the step ended, how long it took, and what it assigned.
    struct Result {
        var end: StepEnd
        var durationMs: Int
        var assigned: [String: String]
    }

    let id: RunID
    let pid: pid_t
    private var pidFD: Int32?
    let startedAt: MonotonicInstant
    private let terminal: Int32
    private let ownGroup: pid_t
    private var termination: (start: MonotonicInstant, sent: Int, reason: StepEnd)?
    private var exited = false
    private let plan = TerminationPlan.standard
    private let capture: RunningStep.Capture?
    private let captures: [String]

    /// Starts `launch` in the foreground of `terminal` (the screen must be suspended already).
    init(_ id: RunID, _ launch: StepLaunch, terminal: Int32, runtimeDirectory: String? = nil) throws(SpawnError) {
        self.id = id
        self.terminal = terminal
        ownGroup = getpgrp()
        let shellName = launch.shell ?? "/bin/sh"
        guard let shell = StepInvocation.shellPath(launch.shell, path: launch.environment["PATH"]) else {
            throw SpawnError(stage: .shell, code: ENOENT, shell: shellName)
        }
        // A private folder for the values the step assigns, only when it assigns any.
        var capture: RunningStep.Capture?
        if !StepInvocation(command: launch.step.command, captureFile: "/").captures.isEmpty,
            let folder = PrivateFolder.make(in: runtimeDirectory)
        {
            capture = RunningStep.Capture(folder: folder, file: folder + "/assigned")
        }
        let invocation = StepInvocation(command: launch.step.command, captureFile: capture?.file)
        self.capture = capture
        captures = invocation.captures
        var environment = launch.environment
        for (k, v) in invocation.environment { environment[k] = v }
        guard
            let strings = SpawnStrings(
                arguments: [shell] + invocation.arguments, environment: environment,
                workingDirectory: launch.workingDirectory)
        else {
            capture?.remove()
            throw SpawnError(stage: .request, code: EINVAL, shell: shell, workingDirectory: launch.workingDirectory)
        }
        defer { strings.release() }
        var pid: pid_t = -1
        var pidfd: Int32 = -1
        let code: Int32
        if let cwd = launch.workingDirectory {
            code = rb_spawn_foreground(shell, strings.argv, strings.envp, cwd, terminal, &pid, &pidfd)
        } else {
            code = rb_spawn_foreground(shell, strings.argv, strings.envp, nil, terminal, &pid, &pidfd)
        }
        guard code == 0 else {
            capture?.remove()
            throw SpawnError(
                stage: access(shell, X_OK) != 0 ? .shell : .system, code: code, shell: shell,
                workingDirectory: launch.workingDirectory)
        }
        self.pid = pid
        self.pidFD = pidfd >= 0 ? pidfd : nil
        startedAt = .now()
        _ = rb_crash_guard_add_group(pid)
    }

    deinit {
        if let fd = pidFD { close(fd) }
    }

    /// The pidfd to poll, if there is one; without it the owner polls at least every 100 ms.
    var exitFD: Int32? { pidFD }

    /// Asks the step to stop (a signal to the TUI, or quitting): the standard escalation, SIGINT,
    /// SIGTERM after 2 s, SIGKILL after 2 s more, to its group.
    func terminate(now: MonotonicInstant = .now()) {
        guard termination == nil, !exited else { return }
        termination = (now, 0, .cancelled)
    }

    /// Sends what is due and checks the leader: returns its end once it has exited (the group then
    /// killed, the leader reaped, the terminal given back to the TUI's group).
    func advance(now: MonotonicInstant) -> Result? {
        if var t = termination {
            for stage in plan.due(start: t.start, now: now, sent: t.sent) {
                _ = rb_kill_group(pid, stage.signal)
                t.sent += 1
            }
            termination = t
        }
        switch rb_exited_or_stopped(pid) {
        case 1:
            return finish()
        case 2:
            // Stopped (Ctrl-Z, or it read the terminal from the background): foreground it again.
            _ = rb_set_foreground_group(terminal, pid)
            _ = rb_kill_group(pid, SIGCONT)
            return nil
        case -1:
            return finish()
        default:
            return nil
        }
    }

    /// The next instant a signal is due, or a stop check (every 100 ms).
    func nextDeadline(now: MonotonicInstant) -> MonotonicInstant {
        let check = now + .milliseconds(100)
        guard let t = termination, let next = plan.nextDeadline(start: t.start, sent: t.sent) else { return check }
        return min(next, check)
    }

    /// Gives up waiting (the runtime is leaving): SIGKILL to the group, and the terminal back to the
    /// TUI's group. The leader is left to be reaped by whoever inherits it.
    func abandon() {
        guard !exited else { return }
        exited = true
        _ = rb_kill_group(pid, SIGKILL)
        rb_crash_guard_remove_group(pid)
        _ = rb_set_foreground_group(terminal, ownGroup)
        capture?.remove()
    }

    private func finish() -> Result {
        exited = true
        _ = rb_kill_group(pid, SIGKILL)  // background jobs of the step; the leader is not reaped yet
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, 0) } while r < 0 && errno == EINTR
        rb_crash_guard_remove_group(pid)
        if let fd = pidFD {
            close(fd)
            pidFD = nil
        }
        _ = rb_set_foreground_group(terminal, ownGroup)
        let duration = MonotonicInstant.now() - startedAt
        let ms = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        let end: StepEnd
        if let t = termination {
            end = t.reason
        } else if r == pid, let status = ExitStatus(waitStatus: raw) {
            switch status {
            case .exited(let c): end = .exited(c)
            case .signaled(let s): end = .signaled(s)
            }
        } else {
            end = .failedToStart("its exit status was lost")
        }
        var assigned: [String: String] = [:]
        if let capture {
            if let bytes = PrivateFolder.read(capture.file) {
                assigned = StepInvocation.parseCaptures(bytes, allowed: captures)
            }
            capture.remove()
        }
        return Result(end: end, durationMs: ms, assigned: assigned)
    }
}
