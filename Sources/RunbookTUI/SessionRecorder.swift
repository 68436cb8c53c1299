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
    private let identity: SessionIdentity
    /// The drill's scenario id ("" for a drill without one), nil outside a drill.
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
        identity = SessionIdentity(environment: environment)
        do {
            try store.prepare()
        } catch {
            problems.append("cannot record sessions: \(error)")
        }
        self.drillScenario = drill ? (drillScenario ?? "") : nil
    }

    /// Starts the session of the runbook at `path` (ending the current one, if it is another's).
    func open(runbookPath path: String) {
        if current?.runbookPath == path, journal != nil { return }
        close()
        let runbook = library.runbooks.first { $0.path == path }
        do {
            let session = try store.begin(
                runbook: runbook, path: path, mode: "tui", identity: identity, drillScenario: drillScenario)
            let writer = session.journal
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

    /// Why sessions are not (or no longer) recorded, if they are not.
    var failure: String? { journal?.failure ?? problems.last }

    /// Makes the journal durable and closes it.
    func close() {
        journal?.close()
        journal = nil
        current = nil
    }

}
