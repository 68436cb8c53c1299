import CSystem
import Foundation
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// What makes sure nothing outlives `runbook`, however it ends — SIGKILL and the OOM killer included —
/// and where its temporary state lives.
///
/// - **The run folder**: one private folder (mode 0700) under `$TMPDIR` (else /tmp),
///   `runbook-run-<pid>-XXXXXX`, holding every temporary file of this process (the capture files of
///   steps that assign variables). Its `owner` file names the process (pid and start time); the next
///   start of `runbook` removes the run folders whose owner is gone.
/// - **The watcher**: a small `/bin/sh` loop in a session of its own, whose standard input is one end
///   of a socket pair whose other end only this process holds. ``ChildProcess`` and the foreground
///   monitor register every process group they start with the crash guard, which also tells the
///   watcher (`+PGID`, and `-PGID` once reaped). When this process ends in any way, the kernel closes
///   its end; the watcher reads end-of-file, sends SIGTERM to every group still registered, SIGKILL
///   half a second later to what is left, and removes the run folder and every folder registered with
///   ``watchFolder(_:)`` (a drill's workspace). Unless told `bye` first (a normal end), it then also
///   kills every process whose environment holds this run's mark, `RUNBOOK_RUN=<run folder>` (which
///   the crash guard puts into everything this process starts): a step started in the instant before
///   its group was registered, or a process that left its group. `PR_SET_PDEATHSIG` could only reach direct children,
///   and a step's children are not; a subreaper would not outlive its own death. See docs/reliability.md.
public final class RunGuard {
    /// The private run folder.
    public let folder: String
    private var socket: Int32
    private let watcher: pid_t

    /// The watcher, fixed text: no value from a runbook or a user is ever part of it. Folders come as
    /// `dir PATH` lines, groups as `+N` / `-N` with digits only.
    static let script = #"""
        trap '' INT HUP TERM QUIT PIPE TSTP TTIN TTOU
        groups=' '
        dirs=''
        ended=''
        while IFS= read -r line; do
          case $line in
            bye) ended=1 ;;
            +*) g=${line#+}; case $g in ''|*[!0-9]*) ;; *) groups="$groups$g " ;; esac ;;
            -*) g=${line#-}; rest=' '
                for x in $groups; do [ "$x" = "$g" ] || rest="$rest$x "; done
                groups=$rest ;;
            'dir '/*) dirs="$dirs${line#dir }
        " ;;
          esac
        done
        set -- $groups
        if [ $# -gt 0 ]; then
          for g; do kill -TERM "-$g" 2>/dev/null; done
          n=0
          while [ $n -lt 5 ]; do
            alive=0
            for g; do kill -0 "-$g" 2>/dev/null && alive=1; done
            [ $alive -eq 0 ] && break
            sleep 0.1
            n=$((n + 1))
          done
          for g; do kill -KILL "-$g" 2>/dev/null; done
        fi
        if [ -z "$ended" ]; then
          n=0
          while [ $n -lt 10 ]; do
            pids=$(grep -lzxF -- "RUNBOOK_RUN=$RUNBOOK_RUN_FOLDER" /proc/[0-9]*/environ 2>/dev/null |
              sed -n 's#^/proc/\([0-9]*\)/environ$#\1#p')
            [ -z "$pids" ] && [ $n -gt 0 ] && break
            [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
            sleep 0.1
            n=$((n + 1))
          done
        fi
        printf '%s' "$dirs" | while IFS= read -r d; do [ -n "$d" ] && rm -rf -- "$d"; done
        rm -rf -- "$RUNBOOK_RUN_FOLDER"
        """#

    /// Removes stale run folders, makes this process's, starts the watcher. Nil (nothing guarded,
    /// temporary files in /tmp) only when the folder or the watcher cannot be made; `problem` says why.
    public static func start(environment: [String: String]) -> Result<RunGuard, Failure> {
        let base = temporaryBase(environment)
        sweep(base)
        var template = Array((base + "/runbook-run-\(getpid())-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .failure(Failure(description: "cannot make a run folder in \(base): \(String(cString: strerror(errno)))"))
        }
        let folder = String(cString: made)
        let owner = "\(getpid()) \(processStartTime(getpid()) ?? 0)\n"
        let fd = open(folder + "/owner", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            _ = owner.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            try? FileManager.default.removeItem(atPath: folder)
            return .failure(Failure(description: "cannot make the watcher's socket: \(String(cString: strerror(errno)))"))
        }
        let env = ["RUNBOOK_RUN_FOLDER": folder, "PATH": "/usr/bin:/bin", "LC_ALL": "C"]
        guard let strings = SpawnStrings(arguments: ["/bin/sh", "-c", script], environment: env) else {
            return .failure(Failure(description: "cannot start the watcher"))
        }
        defer { strings.release() }
        var pid: pid_t = -1
        let code = rb_spawn_watcher("/bin/sh", strings.argv, strings.envp, pair[1], &pid)
        close(pair[1])
        guard code == 0 else {
            close(pair[0])
            try? FileManager.default.removeItem(atPath: folder)
            return .failure(Failure(description: "cannot start the watcher: \(String(cString: strerror(code)))"))
        }
        rb_watch_set_fd(pair[0])
        _ = rb_watch_set_mark("RUNBOOK_RUN=" + folder)
        return .success(RunGuard(folder: folder, socket: pair[0], watcher: pid))
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private init(folder: String, socket: Int32, watcher: pid_t) {
        self.folder = folder
        self.socket = socket
        self.watcher = watcher
    }

    deinit { end() }

    /// The watcher's process id (for tests).
    public var watcherPID: pid_t { watcher }

    /// Has the watcher also remove `path` (a folder this process made, such as a drill's workspace)
    /// when this process ends.
    public func watchFolder(_ path: String) {
        guard socket >= 0, path.hasPrefix("/"), !path.contains("\n") else { return }
        let line = "dir \(path)\n"
        _ = line.withCString { rb_watch_note_text($0, Int32(strlen($0))) }
    }

    /// Ends normally: the watcher is told (its socket closes), removes the run folder and exits;
    /// it is reaped here.
    public func end() {
        guard socket >= 0 else { return }
        // A normal end: the watcher need not look for unregistered processes of this run.
        _ = "bye\n".withCString { rb_watch_note_text($0, Int32(strlen($0))) }
        rb_watch_set_fd(-1)
        close(socket)
        socket = -1
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(watcher, &status, 0) } while r < 0 && errno == EINTR
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// `$TMPDIR` when it is an absolute path, else /tmp.
    public static func temporaryBase(_ environment: [String: String]) -> String {
        if let t = environment["TMPDIR"], t.hasPrefix("/") {
            return t.count > 1 && t.hasSuffix("/") ? String(t.dropLast()) : t
        }
        return "/tmp"
    }

    /// Removes the run folders under `base` whose owner process is gone (or is another process now).
    static func sweep(_ base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("runbook-run-") {
            let path = base + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else { continue }
            let owner = (try? String(contentsOfFile: path + "/owner", encoding: .utf8)) ?? ""
            let fields = owner.split(separator: " ").compactMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if fields.count == 2, let pid = pid_t(exactly: fields[0]), processStartTime(pid) == fields[1] { continue }
            if fields.isEmpty, Date().timeIntervalSince1970 - Double(info.st_mtim.tv_sec) < 60 { continue }  // being made
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), nil when gone.
    static func processStartTime(_ pid: pid_t) -> Int64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, so start time (field 22) is the 20th here.
        guard fields.count > 19 else { return nil }
        return Int64(fields[19])
    }
}
