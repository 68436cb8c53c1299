import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The live processes, read from /proc: enough to find a step's process group and prove that
/// nothing of it is left.
struct ProcessTable {
    struct Entry: Hashable {
        var pid: pid_t
        var parent: pid_t
        var group: pid_t
        /// The state letter (`R`, `S`, `Z`, ...).
        var state: Character
        var command: String
    }

    var entries: [Entry]

    static func snapshot() -> ProcessTable {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var entries: [Entry] = []
        for name in names {
            guard let pid = pid_t(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let command = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 4, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2])
            else { continue }
            entries.append(Entry(pid: pid, parent: parent, group: group, state: state, command: command))
        }
        return ProcessTable(entries: entries)
    }

    func children(of pid: pid_t) -> [Entry] { entries.filter { $0.parent == pid } }

    /// The children of `pid` that run its steps: every child but its run watcher (RunGuard's `sh`,
    /// whose script names `RUNBOOK_RUN_FOLDER`).
    func stepChildren(of pid: pid_t) -> [Entry] {
        children(of: pid).filter { entry in
            let cmdline = FileManager.default.contents(atPath: "/proc/\(entry.pid)/cmdline").map { String(decoding: $0, as: UTF8.self) } ?? ""
            return !cmdline.contains("RUNBOOK_RUN_FOLDER")
        }
    }

    /// Processes of `group` that are not zombies (a zombie is dead, only not yet collected).
    func living(inGroup group: pid_t) -> [Entry] { entries.filter { $0.group == group && $0.state != "Z" } }
}
