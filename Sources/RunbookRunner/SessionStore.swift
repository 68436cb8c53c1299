import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Where sessions live: `$XDG_STATE_HOME/runbook/sessions/<id>/` (by default under
/// `~/.local/state`), folders mode 0700, files 0600.
public struct SessionStore: Sendable {
    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// The store for this user, from `XDG_STATE_HOME` or `HOME`.
    public init(environment: [String: String]) {
        let state: String
        if let x = environment["XDG_STATE_HOME"], x.hasPrefix("/") {
            state = x
        } else {
            state = (environment["HOME"] ?? "/tmp") + "/.local/state"
        }
        root = state + "/runbook/sessions"
    }

    /// Makes a new session folder and returns its id and path.
    public func create(runbookId: String, now: Date = Date()) throws -> (id: String, folder: String) {
        try Self.makeFolders(root)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        let safeId = String(runbookId.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(48))
        for _ in 0..<16 {
            let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
            let id = "\(f.string(from: now))-\(safeId)-\(String(repeating: "0", count: 4 - suffix.count) + suffix)"
            let folder = root + "/" + id
            if mkdir(folder, 0o700) == 0 {
                return (id, folder)
            }
            if errno != EEXIST { throw SessionStoreError.cannotCreate(folder, String(cString: strerror(errno))) }
        }
        throw SessionStoreError.cannotCreate(root, "no free session id")
    }

    /// Every session id, oldest first.
    public func sessionIds() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/journal.jsonl") }.sorted()
    }

    /// The folder of a session named by its id, or by a unique prefix or suffix of it.
    public func folder(for name: String) throws -> String {
        if name.contains("/") {
            return name.hasSuffix("journal.jsonl") ? String(name.dropLast("/journal.jsonl".count)) : name
        }
        let ids = sessionIds()
        if ids.contains(name) { return root + "/" + name }
        let matches = ids.filter { $0.hasPrefix(name) || $0.hasSuffix(name) }
        if matches.count == 1 { return root + "/" + matches[0] }
        if matches.isEmpty { throw SessionStoreError.noSuchSession(name, root) }
        throw SessionStoreError.ambiguous(name, matches)
    }

    /// Why a session's journal stopped recording (its `incomplete` file), if it did.
    public func incompleteReason(in folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/incomplete") else { return nil }
        let text = String(decoding: data.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "the journal failed" : text
    }

    /// Reads a session's journal.
    public func journal(in folder: String) throws -> Journal {
        let path = folder + "/journal.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SessionStoreError.noSuchSession(folder, root)
        }
        return Journal.parse(Array(data))
    }

    /// Makes the store's folders if needed and checks that sessions can be made there: the TUI says
    /// at once, not after quitting, when nothing will be recorded.
    public func prepare() throws {
        try Self.makeFolders(root)
        if access(root, W_OK | X_OK) != 0 {
            throw SessionStoreError.cannotCreate(root + "/…", String(cString: strerror(errno)))
        }
    }

    /// mkdir -p with mode 0700 for every folder it creates.
    static func makeFolders(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw SessionStoreError.cannotCreate(current, String(cString: strerror(errno)))
            }
        }
    }
}

public enum SessionStoreError: Error, CustomStringConvertible {
    case cannotCreate(String, String)
    case noSuchSession(String, String)
    case ambiguous(String, [String])

    public var description: String {
        switch self {
        case .cannotCreate(let path, let why): "cannot create \(path): \(why)"
        case .noSuchSession(let name, let root): "no session `\(name)` in \(root): `runbook sessions` lists them"
        case .ambiguous(let name, let ids): "`\(name)` names several sessions: \(ids.joined(separator: ", "))"
        }
    }
}
