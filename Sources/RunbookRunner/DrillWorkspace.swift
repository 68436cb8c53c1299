import Foundation
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// Why a drill's workspace could not be made or removed.
public struct DrillWorkspaceError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    static func system(_ path: String, _ what: String, _ code: Int32 = errno) -> DrillWorkspaceError {
        DrillWorkspaceError(path: path, problem: "cannot \(what): \(String(cString: strerror(code)))")
    }
}

/// A drill's private, temporary workspace, made fresh for each drill and removed at its end:
///
/// ```
/// $WS/repo/    the scenario's `files:`, copied (parent folders made)
/// $WS/state/   one file per fact, holding its value (no trailing newline)
/// $WS/bin/     a copy of the scenario's simulators (exec bits kept), plus `runbook`, a symlink to
///              the running executable
/// $WS/home/    HOME for the drill (.kube/, .config/gcloud/, .docker/ made empty)
/// ```
///
/// `$WS` is made with mkdtemp under `$TMPDIR` (or /tmp), so it is new and mode 0700.
public struct DrillWorkspace: Sendable, Hashable {
    /// `$WS`.
    public let root: String
    /// The scenario's id (`RUNBOOK_DRILL`).
    public let scenarioId: String

    public var repository: String { root + "/repo" }
    public var state: String { root + "/state" }
    public var bin: String { root + "/bin" }
    public var home: String { root + "/home" }

    /// Copies nested deeper than this in the simulators folder are refused (a symlink loop).
    static let maximumDepth = 32

    init(root: String, scenarioId: String) {
        self.root = root
        self.scenarioId = scenarioId
    }

    /// Makes the workspace of `scenario`. `executable` is what `bin/runbook` points to (the running
    /// program: ``currentExecutable()``). On failure whatever was made is removed again.
    public static func create(
        for scenario: DrillScenario, environment: [String: String], executable: String
    ) throws(DrillWorkspaceError) -> DrillWorkspace {
        var temporary = environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        while temporary.count > 1 && temporary.hasSuffix("/") { temporary.removeLast() }
        let safeId = String(scenario.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(40))
        var template = Array((temporary + "/runbook-drill-\(safeId)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .system(temporary, "make the drill workspace (check TMPDIR)")
        }
        let workspace = DrillWorkspace(root: String(cString: made), scenarioId: scenario.id)
        do throws(DrillWorkspaceError) {
            try workspace.populate(scenario, executable: executable)
        } catch {
            try? workspace.remove()
            throw error
        }
        return workspace
    }

    private func populate(_ scenario: DrillScenario, executable: String) throws(DrillWorkspaceError) {
        for folder in [repository, state, bin, home, home + "/.kube", home + "/.config", home + "/.config/gcloud", home + "/.docker"] {
            try Self.makeFolder(folder)
        }
        for file in scenario.files {
            // The loader checked the path; check again, since a scenario value can be made by hand.
            if let problem = DrillScenario.workspacePathProblem(file.workspacePath) {
                throw DrillWorkspaceError(path: file.workspacePath, problem: "not a workspace path: it \(problem)")
            }
            let target = repository + "/" + file.workspacePath
            var parent = repository
            for part in file.workspacePath.split(separator: "/").dropLast() {
                parent += "/" + part
                try Self.makeFolder(parent, existing: true)
            }
            try Self.copyFile(file.source, to: target)
        }
        for fact in scenario.facts {
            guard DrillScenario.Fact.isValidName(fact.name) else {
                throw DrillWorkspaceError(path: fact.name, problem: "not a fact name")
            }
            try Self.writeFile(state + "/" + fact.name, Array(fact.value.utf8), mode: 0o600)
        }
        try Self.copyFolder(scenario.simulators, into: bin, depth: 0)
        let link = bin + "/runbook"
        if access(link, F_OK) == 0 || errno != ENOENT {
            // A simulator named `runbook` would shadow the build under test.
            throw DrillWorkspaceError(
                path: scenario.simulators + "/runbook", problem: "a simulator may not be called `runbook`: rename it")
        }
        guard symlink(executable, link) == 0 else { throw .system(link, "link the runbook executable") }
    }

    /// The environment of the drill's steps or command: `inherited`, with the drill's variables set
    /// and `bin/` first on PATH. Sessions stay where they were: `XDG_STATE_HOME` is pinned to the
    /// inherited store's folder, so a journal written with the drill's HOME outlives the workspace.
    public func environment(inheriting inherited: [String: String]) -> [String: String] {
        var environment = inherited
        let path = inherited["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
        environment["PATH"] = bin + ":" + path
        environment["HOME"] = home
        environment["RUNBOOK_DRILL"] = scenarioId
        environment["RUNBOOK_DRILL_WORKSPACE"] = root
        environment["RUNBOOK_DRILL_STATE"] = state
        environment["BACKEND_REPO"] = repository
        environment["KUBECONFIG"] = home + "/.kube/config"
        environment["CLOUDSDK_CONFIG"] = home + "/.config/gcloud"
        environment["DOCKER_CONFIG"] = home + "/.docker"
        if !(inherited["XDG_STATE_HOME"]?.hasPrefix("/") ?? false) {
            environment["XDG_STATE_HOME"] = (inherited["HOME"] ?? "/tmp") + "/.local/state"
        }
        return environment
    }

    /// Removes the workspace and everything in it, folders the drill made read-only included.
    /// Symlinks are removed, never followed.
    public func remove() throws(DrillWorkspaceError) {
        try Self.removeTree(root)
    }

    /// The running program's executable (the target of /proc/self/exe), or nil.
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: File helpers

    static func makeFolder(_ path: String, existing: Bool = false) throws(DrillWorkspaceError) {
        if mkdir(path, 0o700) == 0 { return }
        if existing && errno == EEXIST {
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw DrillWorkspaceError(path: path, problem: "a file is in the way of a folder the scenario needs")
        }
        throw .system(path, "make the folder")
    }

    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(DrillWorkspaceError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw .system(path, "create the file") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "write the file")
            }
            offset += n
        }
        _ = fchmod(fd, mode)
    }

    /// Copies a regular file (following symlinks at the source), keeping its permission bits and
    /// making it writable by its owner (a trainee edits the repository's files).
    static func copyFile(_ source: String, to target: String) throws(DrillWorkspaceError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .system(source, "read the file") }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw .system(source, "read the file") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DrillWorkspaceError(path: source, problem: "is not a regular file")
        }
        let mode = (info.st_mode & 0o777) | 0o200
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard output >= 0 else { throw .system(target, "create the file") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(source, "read the file")
            }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let w = buffer[offset..<n].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                if w < 0 {
                    if errno == EINTR { continue }
                    throw .system(target, "write the file")
                }
                offset += w
            }
        }
        guard fchmod(output, mode) == 0 else { throw .system(target, "set the file's mode") }
    }

    /// Copies the contents of `source` into the existing folder `target`: files with their modes,
    /// folders recursively; symlinks are followed; hidden names, sockets and devices are skipped.
    static func copyFolder(_ source: String, into target: String, depth: Int) throws(DrillWorkspaceError) {
        guard depth < maximumDepth else {
            throw DrillWorkspaceError(path: source, problem: "folders nest too deep (a symlink loop?)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: source).sorted()
        } catch {
            throw DrillWorkspaceError(path: source, problem: "cannot read the simulators folder")
        }
        for name in names where !name.hasPrefix(".") {
            let from = source + "/" + name
            let to = target + "/" + name
            var info = stat()
            guard stat(from, &info) == 0 else { throw .system(from, "read the simulator") }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try makeFolder(to)
                try copyFolder(from, into: to, depth: depth + 1)
            case S_IFREG:
                try copyFile(from, to: to)
            default:
                continue
            }
        }
    }

    /// `rm -rf` that also enters folders without write or search permission and never follows a
    /// symlink. It works relative to open folders (openat, unlinkat), by the names' bytes, so a name
    /// that is not UTF-8 or a path longer than PATH_MAX is removed too.
    static func removeTree(_ path: String) throws(DrillWorkspaceError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw .system(path, "remove")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            guard unlink(path) == 0 || errno == ENOENT else { throw .system(path, "remove") }
            return
        }
        _ = chmod(path, 0o700)
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path, "read the folder to remove it") }
        defer { close(fd) }
        try removeContents(of: fd, path: path, depth: 0)
        guard rmdir(path) == 0 || errno == ENOENT else { throw .system(path, "remove the folder") }
    }

    /// Removes everything in the open folder `fd` (`path` is for messages only).
    private static func removeContents(of fd: Int32, path: String, depth: Int) throws(DrillWorkspaceError) {
        guard depth < 4096 else { throw DrillWorkspaceError(path: path, problem: "folders nest too deep to remove") }
        let copy = dup(fd)
        guard copy >= 0, let dir = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw .system(path, "read the folder to remove it")
        }
        // Names first, then removal: unlinking while readdir runs may skip entries.
        var names: [[CChar]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }) + [0]
            }
            if name == [0x2E, 0] || name == [0x2E, 0x2E, 0] { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names {
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { continue }
                throw .system(path + "/" + String(cString: name), "remove")
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                _ = fchmodat(fd, name, 0o700, 0)
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw .system(path + "/" + String(cString: name), "read the folder to remove it") }
                do throws(DrillWorkspaceError) {
                    try removeContents(of: child, path: path + "/" + String(cString: name), depth: depth + 1)
                } catch {
                    close(child)
                    throw error
                }
                close(child)
                guard unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                    throw .system(path + "/" + String(cString: name), "remove the folder")
                }
            } else {
                guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else {
                    throw .system(path + "/" + String(cString: name), "remove")
                }
            }
        }
    }
}
