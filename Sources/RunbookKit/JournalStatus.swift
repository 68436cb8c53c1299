/// Whether a session's journal recorded everything: `"journal": {"recorded": true}` in a check's JSON,
/// or `{"recorded": false, "error": "…"}` when the session folder could not be made or a write failed.
public struct JournalStatus: Sendable, Hashable, Codable {
    public var recorded: Bool
    public var error: String?

    public init(recorded: Bool, error: String? = nil) {
        self.recorded = recorded
        self.error = error
    }

    public static let recorded = JournalStatus(recorded: true)
}
