import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// The TUI's sessions: a folder and a journal per runbook opened (``AppEffect/openSession(runbookPath:)``),
/// the `session_started` record written by the runtime (it knows the user, the host and the tool
/// version), then whatever the pure layer journals. Journal errors never stop the TUI; a session
/// that cannot be created is reported when the TUI exits.
final class SessionRecorder {
    struct Opened {
        var id: String
        var runbookPath: String
    }

    private let store: SessionStore
    private let library: RunbookLibrary
    private let user: String
    private let host: String
    private let drill: Bool
    private let drillScenario: String?
    private var journal: JournalWriter?
    private var current: Opened?
    /// Every session opened, in order, for the hint printed at exit.
    private(set) var sessions: [Opened] = []
    /// Why a session could not be recorded, for the message at exit.
    private(set) var problems: [String] = []

    init(store: SessionStore, library: RunbookLibrary, environment: [String: String], drill: Bool, drillScenario: String? = nil) {
        self.store = store
        self.library = library
        self.user = Self.userName(environment)
        self.host = Self.hostName()
        self.drill = drill
        self.drillScenario = drillScenario
    }

    /// Starts the session of the runbook at `path` (ending the current one, if it is another's).
    func open(runbookPath path: String) {
        if current?.runbookPath == path, journal != nil { return }
        close()
        let runbook = library.runbooks.first { $0.path == path }
        let id = runbook?.id ?? String(path.split(separator: "/").last ?? "runbook")
        do {
            let session = try store.create(runbookId: id)
            let writer = try JournalWriter(folder: session.folder)
            writer.append(
                .sessionStarted(
                    .init(
                        runbookId: id, runbookTitle: runbook?.title ?? id, version: runbook?.version?.description,
                        sha256: runbook?.sha256 ?? "", path: path, user: user, host: host, drill: drill, mode: "tui",
                        toolVersion: RunbookVersion.current, drillScenario: drillScenario)))
            journal = writer
            current = Opened(id: session.id, runbookPath: path)
            sessions.append(current!)
        } catch {
            problems.append("cannot record the session of \(path): \(error)")
        }
    }

    func append(_ event: JournalEvent, sync: Bool) {
        guard let journal else { return }
        journal.append(event)
        if sync { journal.sync() }
    }
}

/// Steps' executions journal into the current session.
extension SessionRecorder: JournalSink {
    func append(_ event: JournalEvent) { append(event, sync: false) }
    func sync() { journal?.sync() }

    /// Makes the journal durable and closes it.
    func close() {
        journal?.close()
        journal = nil
        current = nil
    }

    static func userName(_ environment: [String: String]) -> String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? "unknown"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
