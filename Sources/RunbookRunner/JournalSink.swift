import RunbookKit

/// Where a step's records go: a session's ``JournalWriter`` for `check`, the TUI's session recorder.
/// Records arrive already masked.
public protocol JournalSink: AnyObject {
    func append(_ event: JournalEvent)
    /// Makes what was appended durable (called at every step's end).
    func sync()
}

extension JournalWriter: JournalSink {}
