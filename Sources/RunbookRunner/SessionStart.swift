import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// Who runs `runbook` and where: the user and host every session's `session_started` names.
public struct SessionIdentity: Sendable, Hashable {
    public var user: String
    public var host: String

    public init(user: String, host: String) {
        self.user = user
        self.host = host
    }

    /// This process's user (from the password database, else `USER`) and host name.
    public init(environment: [String: String]) {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name {
            user = String(cString: name)
        } else {
            user = environment["USER"] ?? "unknown"
        }
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension SessionStore {
    /// A session begun: its id, its folder and its journal, whose first record is `session_started`.
    public struct Begun {
        public var id: String
        public var folder: String
        public var journal: JournalWriter
    }

    /// Makes a session folder for `runbook` (or, when it did not load, for `path`) and starts its
    /// journal with the one `session_started` record every mode writes.
    public func begin(
        runbook: Runbook?, path: String, mode: String, identity: SessionIdentity, drillScenario: String?
    ) throws -> Begun {
        let id = runbook?.id ?? String(path.split(separator: "/").last ?? "runbook")
        let session = try create(runbookId: id)
        let journal = try JournalWriter(folder: session.folder)
        journal.append(
            .sessionStarted(
                .init(
                    runbookId: id, runbookTitle: runbook?.title ?? id, version: runbook?.version?.description,
                    sha256: runbook?.sha256 ?? "", path: runbook?.path ?? path, user: identity.user, host: identity.host,
                    drill: drillScenario != nil, mode: mode, toolVersion: RunbookVersion.current,
                    drillScenario: drillScenario.flatMap { $0.isEmpty ? nil : $0 })))
        return Begun(id: session.id, folder: session.folder, journal: journal)
    }
}
