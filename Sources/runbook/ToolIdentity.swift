import RunbookKit
import RunbookRunner

/// This build of runbook, as caches key on it: the version, and the executable's size and
/// modification time (two builds of one version parse alike only by chance).
enum ToolIdentity {
    static let current: String = {
        let stamp = FileStamp(path: "/proc/self/exe")
        return "\(RunbookVersion.current) \(stamp?.size ?? 0) \(stamp?.modified ?? 0)"
    }()
}
