/// A drill: a runbook practised in a simulated environment that is broken in one known way.
///
/// Read from a YAML scenario file (`runbooks/drills/<id>.yaml`) by ``DrillScenarioLoader``; every
/// path in it is resolved against the scenario file's folder, and every file it names exists (it
/// did when the scenario was loaded). The format is described in docs/drills.md.
public struct DrillScenario: Sendable, Hashable {
    /// The scenario's id: the file's stem (`id:` may repeat it, never differ from it).
    public var id: String
    public var title: String
    /// What the trainee will meet, without the answer.
    public var description: String
    /// The scenario file.
    public var path: String
    /// The runbook the drill opens on, resolved against the scenario's folder.
    public var runbook: String
    /// The entry the decision tree must reach (`runbook check --triage`); nil for a healthy drill.
    public var entry: String?
    /// The folder of simulators copied to the workspace's `bin/`, resolved.
    public var simulators: String
    /// The files laid into the workspace's `repo/`, in the order written.
    public var files: [File]
    /// The initial facts, in the order written.
    public var facts: [Fact]
    /// The lab: an executable run with `start` when the drill begins (after the facts are written) and
    /// `stop` when it ends, which starts real services in the workspace (runbooks/drills/lab/postgres);
    /// resolved; nil when the drill has none.
    public var lab: String?

    public init(
        id: String, title: String, description: String, path: String, runbook: String, entry: String?,
        simulators: String, files: [File] = [], facts: [Fact] = [], lab: String? = nil
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.path = path
        self.runbook = runbook
        self.entry = entry
        self.simulators = simulators
        self.files = files
        self.facts = facts
        self.lab = lab
    }

    /// One `files:` entry: where it goes in the workspace's repository, and the file it copies.
    public struct File: Sendable, Hashable {
        /// Relative to the workspace's `repo/`: no leading `/`, no `..`.
        public var workspacePath: String
        /// The file copied, resolved against the scenario's folder.
        public var source: String

        public init(workspacePath: String, source: String) {
            self.workspacePath = workspacePath
            self.source = source
        }
    }

    /// One `state:` entry: a fact the simulators read from `$RUNBOOK_DRILL_STATE/<name>`.
    public struct Fact: Sendable, Hashable {
        /// `[a-z][a-z0-9_]*`.
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// Whether `name` can name a fact: a lowercase letter, then lowercase letters, digits and `_`.
        public static func isValidName(_ name: String) -> Bool {
            guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
                return false
            }
            return name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "_")
            } && name.utf8.count <= 64
        }
    }

    /// What the drill practises, for `--list`: its entry, or `healthy`.
    public var drills: String { entry ?? "healthy" }

    /// Why `path` cannot be a place in the workspace, or nil when it can: relative, no `..`, no
    /// empty name, no control characters.
    public static func workspacePathProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") { return "starts with `/`" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains a control character"
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "goes up with `..`" }
        if parts.contains("") { return "has an empty folder name (`//` or a trailing `/`)" }
        if parts.contains(".") { return "has a `.` folder name" }
        return nil
    }
}
