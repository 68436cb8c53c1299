/// How dangerous running a step is, in order of severity: a step's class is its most severe command's.
public enum SafetyClass: String, Sendable, Hashable, Comparable, CaseIterable {
    /// Only reads: safe to run headless, in any section.
    case readOnly = "read-only"
    /// Not in the command table (a team's script, an unfamiliar tool): never guessed read-only.
    case unknown
    /// Needs a terminal or never ends by itself (`kubectl exec -it`, an editor, `logs -f`).
    case interactive
    /// Changes something: cluster objects, cloud resources, files, data.
    case changes

    public static func < (a: SafetyClass, b: SafetyClass) -> Bool { a.severity < b.severity }

    private var severity: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// What the command table makes of a step's command.
public struct SafetyAssessment: Sendable, Hashable {
    public var safety: SafetyClass
    /// Names the deciding word: "`oc patch` changes cluster objects", "`>` writes to out.txt".
    public var reason: String
    /// The command takes over the terminal (editor, psql prompt, `exec -it`, ssh, `gcloud sql connect`).
    public var needsTerminal: Bool
    /// The command never ends by itself (`logs -f`, `tail -f`, `get -w`, `journalctl -f`, `ping` without -c).
    public var runsUntilInterrupted: Bool
    /// When the author vouched for the step (`readonly=true`): the class the table gave, which `safety`
    /// no longer shows.
    public var vouchedOver: SafetyClass?
    /// When the author vouched: the table's reason.
    public var vouchedOverReason: String?

    public init(
        safety: SafetyClass, reason: String, needsTerminal: Bool = false, runsUntilInterrupted: Bool = false,
        vouchedOver: SafetyClass? = nil, vouchedOverReason: String? = nil
    ) {
        self.safety = safety
        self.reason = reason
        self.needsTerminal = needsTerminal
        self.runsUntilInterrupted = runsUntilInterrupted
        self.vouchedOver = vouchedOver
        self.vouchedOverReason = vouchedOverReason
    }

    /// The reason `readonly=true` gives.
    public static let vouchedReason = "vouched read-only by the author (readonly=true)"

    /// This assessment with the author's word over it: read-only, the table's class and reason kept.
    public func vouchedReadOnly() -> SafetyAssessment {
        SafetyAssessment(
            safety: .readOnly, reason: Self.vouchedReason, needsTerminal: needsTerminal,
            runsUntilInterrupted: runsUntilInterrupted, vouchedOver: safety, vouchedOverReason: reason)
    }

    /// The more severe of the two; on a tie the first. The terminal and follow marks add up.
    func combined(with other: SafetyAssessment) -> SafetyAssessment {
        var out = other.safety > safety ? other : self
        out.needsTerminal = needsTerminal || other.needsTerminal
        out.runsUntilInterrupted = runsUntilInterrupted || other.runsUntilInterrupted
        return out
    }
}

/// Classifies shell text with the command table (`CommandTable`), without running anything.
public enum CommandSafety {
    /// The class of `command`: the most severe of its simple commands, their redirections, and the
    /// commands inside `$(…)`, backticks, `bash -c`, `kubectl exec … --`, here-documents fed to a shell and
    /// SQL given to psql or mysql.
    public static func assess(_ command: String) -> SafetyAssessment {
        var judge = SafetyJudge(table: .standard)
        return judge.script(command, depth: 0)
    }

    /// A step's assessment: the command's, with the terminal hand-over `interactive=true` asks for, and
    /// the author's `readonly=true` over it.
    public static func assess(_ command: String, attributes: StepAttributes) -> SafetyAssessment {
        var a = assess(command)
        if attributes.interactive { a.needsTerminal = true }
        return attributes.readonly ? a.vouchedReadOnly() : a
    }
}
