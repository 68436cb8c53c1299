/// A runnable shell block of a runbook.
public struct Step: Sendable, Hashable {
    public var id: String
    public var role: StepRole
    /// The fence's language tag as written (`sh`, `bash`, `console`, ...).
    public var language: String
    /// The command as it runs: prompts stripped, `<placeholders>` turned into variable expansions.
    public var command: String
    public var location: SourceLocation
    public var attributes: StepAttributes
    /// Output shown beside the live output for comparison: the lines after `$ ` prompts, or an
    /// "Expected output:" block.
    public var exampleOutput: String?
    public var indicators: [Indicator]
    /// What the runbook says just before the block (its lead-in paragraph or heading).
    public var title: String
    /// The fix option the step belongs to (`Option A: ...`), when a fix offers a choice.
    public var option: String?
    /// Variables this step's `<placeholders>` stand for.
    public var placeholders: [String]
    /// What running the command does, by the command table (`CommandSafety`), with the author's
    /// `readonly=true` and `interactive=true` applied. Computed from the command and attributes given here.
    public var safety: SafetyAssessment
    /// Example outputs labelled healthy or failing, in document order: what `runbook test` judges.
    public var examples: [LabelledExample] = []
    /// What the command is typed into when that is not the engineer's shell (`psql`, `redis-cli`,
    /// `a root shell`), from its prompt; nil for the shell the step runs with.
    public var typedInto: String?
    /// Why the step is shown and never run, besides `skip`: it is typed into another program, or its
    /// text is no command (YAML, a query, output). Nil for a step that may run.
    public var notRun: String?
    /// The block as read, prompts and example output included: what the walkthrough shows. It differs
    /// from the block's text when the command was written on the fence line.
    public var blockText: String?
    /// The step that opened the shell (on a node, in a container, on another host) this step is typed
    /// into; nil for a step of the engineer's own shell.
    public var remoteOf: String?
    /// What running this step opens (`a debug shell on the node`): it hands the terminal over, and the
    /// steps after it in its section are typed there.
    public var opensShell: String?

    public init(
        id: String, role: StepRole, language: String, command: String, location: SourceLocation,
        attributes: StepAttributes = StepAttributes(), exampleOutput: String? = nil, indicators: [Indicator] = [],
        title: String = "", option: String? = nil, placeholders: [String] = []
    ) {
        self.id = id
        self.role = role
        self.language = language
        self.command = command
        self.location = location
        self.attributes = attributes
        self.exampleOutput = exampleOutput
        self.indicators = indicators
        self.title = title
        self.option = option
        self.placeholders = placeholders
        self.safety = CommandSafety.assess(command, attributes: attributes)
    }

    /// Whether the step asks before it runs: fixes and walkthrough steps do unless `confirm=false`;
    /// checks do only with `confirm=true`.
    public var needsConfirmation: Bool {
        attributes.confirm ?? (role == .fix || role == .walkthrough)
    }

    /// Whether running the step hands the terminal over to it: `interactive=true`, or a command that
    /// needs one (an editor, a `psql` prompt, `kubectl exec -it`: see ``CommandSafety``).
    public var handsOverTerminal: Bool { attributes.interactive || safety.needsTerminal || opensShell != nil }

    /// Whether the step asks before it runs in the TUI: ``needsConfirmation``, or a command the table
    /// says changes something, in any section.
    public var asksFirst: Bool { needsConfirmation || safety.safety == .changes }

    /// Whether the step may run at all (`skip` blocks are shown only).
    public var isRunnable: Bool { !attributes.skip && !command.isEmpty && notRun == nil }

    /// Why the step is shown and never run, or nil when it may run.
    public var shownOnlyReason: String? {
        if attributes.skip { return "marked skip: shown, never run" }
        if let notRun { return notRun }
        if command.isEmpty { return "empty command" }
        return nil
    }
}

/// What a step is for, from its section or its `role` attribute.
public enum StepRole: String, Sendable, Hashable, CaseIterable {
    /// Changes something; always confirmed first.
    case fix
    /// A read-only check of whether the problem is gone.
    case verify
    /// A read-only check that narrows the problem down.
    case diagnose
    /// A decision-tree command whose output suggests a branch.
    case probe
    /// Any other shell block: a runnable part of reading the runbook.
    case walkthrough
}

/// Attributes written in braces after a fence's language: ```` ```sh {name=x timeout=30s} ````.
public struct StepAttributes: Sendable, Hashable {
    public var name: String?
    public var timeout: TimeLimit?
    public var confirm: Bool?
    /// Hands the real terminal over to the command (prompts, editors, `kubectl exec -it`).
    public var interactive: Bool
    /// Runs the command on a pseudo-terminal, for tools that colour or line-buffer only on one.
    public var pty: Bool
    /// Working directory, relative to the runbook's folder unless absolute.
    public var cwd: String?
    /// Shown, never run.
    public var skip: Bool
    /// A role given explicitly, overriding the section's.
    public var role: StepRole?
    /// The author vouches that the command only reads, whatever the command table says.
    public var readonly: Bool

    public init(
        name: String? = nil, timeout: TimeLimit? = nil, confirm: Bool? = nil, interactive: Bool = false,
        pty: Bool = false, cwd: String? = nil, skip: Bool = false, role: StepRole? = nil, readonly: Bool = false
    ) {
        self.name = name
        self.timeout = timeout
        self.confirm = confirm
        self.interactive = interactive
        self.pty = pty
        self.cwd = cwd
        self.skip = skip
        self.role = role
        self.readonly = readonly
    }

    /// The attribute names the format knows.
    public static let known = ["name", "timeout", "confirm", "interactive", "pty", "cwd", "skip", "role", "readonly"]
}
