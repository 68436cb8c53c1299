/// One line of a session journal: when, in which order, and what happened.
public struct JournalRecord: Sendable, Hashable, Codable {
    /// UTC time, ISO 8601 with milliseconds.
    public var time: String
    /// 1, 2, 3 ... in the order written.
    public var seq: Int
    public var event: JournalEvent

    public init(time: String, seq: Int, event: JournalEvent) {
        self.time = time
        self.seq = seq
        self.event = event
    }

    enum CodingKeys: String, CodingKey { case time, seq, type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(String.self, forKey: .time)
        seq = try c.decode(Int.self, forKey: .seq)
        event = try JournalEvent(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(seq, forKey: .seq)
        try event.encode(to: encoder)
    }
}

/// What a session records. Secrets are masked before an event is made.
public enum JournalEvent: Sendable, Hashable, Codable {
    case sessionStarted(SessionStart)
    case stepStarted(StepStart)
    case output(OutputRecord)
    case outputTruncated(step: String, droppedLines: Int)
    case verdict(VerdictRecord)
    case stepFinished(StepFinish)
    case stepSkipped(step: String, reason: String)
    case decision(Decision)
    /// What a context probe found, at the session's start (front matter `context:`).
    case context(ContextReading)
    case sessionEnded(result: String)

    public struct SessionStart: Sendable, Hashable, Codable {
        public var runbookId: String
        public var runbookTitle: String
        public var version: String?
        public var sha256: String
        public var path: String
        public var user: String
        public var host: String
        public var drill: Bool
        /// The drill's scenario id (`drill_scenario`), when `drill` is set; absent in older journals.
        public var drillScenario: String?
        /// `check`, `tui`, ...
        public var mode: String
        public var toolVersion: String

        public init(
            runbookId: String, runbookTitle: String, version: String?, sha256: String, path: String, user: String,
            host: String, drill: Bool, mode: String, toolVersion: String, drillScenario: String? = nil
        ) {
            self.drillScenario = drillScenario
            self.runbookId = runbookId
            self.runbookTitle = runbookTitle
            self.version = version
            self.sha256 = sha256
            self.path = path
            self.user = user
            self.host = host
            self.drill = drill
            self.mode = mode
            self.toolVersion = toolVersion
        }

        enum CodingKeys: String, CodingKey {
            case runbookId = "runbook_id", runbookTitle = "runbook_title", version, sha256, path, user, host, drill,
                drillScenario = "drill_scenario", mode, toolVersion = "tool_version"
        }
    }

    public struct StepStart: Sendable, Hashable, Codable {
        public var step: String
        public var entry: String?
        public var role: String
        public var title: String
        /// The command as run, secrets masked.
        public var command: String
        /// The values of the variables the command uses, secrets masked.
        public var variables: [String: String]

        public init(step: String, entry: String?, role: String, title: String, command: String, variables: [String: String]) {
            self.step = step
            self.entry = entry
            self.role = role
            self.title = title
            self.command = command
            self.variables = variables
        }
    }

    public struct OutputRecord: Sendable, Hashable, Codable {
        public var step: String
        public var channel: OutputChannel
        public var line: Int
        public var text: String
        /// Bytes cut off the end of a line longer than the sanitizer keeps; absent for a whole line.
        public var droppedBytes: Int?

        enum CodingKeys: String, CodingKey {
            case step, channel, line, text, droppedBytes = "dropped_bytes"
        }

        public init(step: String, channel: OutputChannel, line: Int, text: String, droppedBytes: Int = 0) {
            self.step = step
            self.channel = channel
            self.line = line
            self.text = text
            self.droppedBytes = droppedBytes > 0 ? droppedBytes : nil
        }
    }

    public struct VerdictRecord: Sendable, Hashable, Codable {
        public var step: String
        public var index: Int
        public var kind: String
        public var value: String?
        public var text: String
        public var state: Verdict.State
        public var line: String?
        public var reason: String?
        /// True for the implied `exit 0` of a step without an `exit` indicator; absent otherwise.
        public var implied: Bool?

        public init(
            step: String, index: Int, kind: String, value: String?, text: String, state: Verdict.State, line: String?,
            reason: String?, implied: Bool? = nil
        ) {
            self.implied = implied
            self.step = step
            self.index = index
            self.kind = kind
            self.value = value
            self.text = text
            self.state = state
            self.line = line
            self.reason = reason
        }
    }

    public struct StepFinish: Sendable, Hashable, Codable {
        public var step: String
        /// `exit 0`, `killed by signal 9`, `timed out`, `cancelled`, `could not start: ...`
        public var end: String
        public var exitCode: Int32?
        public var durationMs: Int
        /// passed, failed, cancelled (the TUI: Ctrl-C, or leaving while it ran), manual (waiting for
        /// answers) or skipped.
        public var result: String

        public init(step: String, end: String, exitCode: Int32?, durationMs: Int, result: String) {
            self.step = step
            self.end = end
            self.exitCode = exitCode
            self.durationMs = durationMs
            self.result = result
        }

        enum CodingKeys: String, CodingKey {
            case step, end, exitCode = "exit_code", durationMs = "duration_ms", result
        }
    }

    /// Something the engineer decided, or the tool decided for them (`triage`).
    public struct Decision: Sendable, Hashable, Codable {
        /// branch_chosen, probe_suggested, entry_reached, fix_confirmed, fix_declined, option_chosen,
        /// manual_answered, variable_set, step_cancelled (Ctrl-C), quit (leaving while steps ran)
        public var kind: String
        public var step: String?
        public var detail: String

        public init(kind: String, step: String? = nil, detail: String) {
            self.kind = kind
            self.step = step
            self.detail = detail
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, session, step, output, verdict, finish, decision, context, reason, droppedLines = "dropped_lines", result
    }

    public var typeName: String {
        switch self {
        case .sessionStarted: "session_started"
        case .stepStarted: "step_started"
        case .output: "output"
        case .outputTruncated: "output_truncated"
        case .verdict: "verdict"
        case .stepFinished: "step_finished"
        case .stepSkipped: "step_skipped"
        case .decision: "decision"
        case .context: "context"
        case .sessionEnded: "session_ended"
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "session_started": self = .sessionStarted(try c.decode(SessionStart.self, forKey: .session))
        case "step_started": self = .stepStarted(try c.decode(StepStart.self, forKey: .step))
        case "output": self = .output(try c.decode(OutputRecord.self, forKey: .output))
        case "output_truncated":
            self = .outputTruncated(
                step: try c.decode(String.self, forKey: .step), droppedLines: try c.decode(Int.self, forKey: .droppedLines))
        case "verdict": self = .verdict(try c.decode(VerdictRecord.self, forKey: .verdict))
        case "step_finished": self = .stepFinished(try c.decode(StepFinish.self, forKey: .finish))
        case "step_skipped":
            self = .stepSkipped(step: try c.decode(String.self, forKey: .step), reason: try c.decode(String.self, forKey: .reason))
        case "decision": self = .decision(try c.decode(Decision.self, forKey: .decision))
        case "context": self = .context(try c.decode(ContextReading.self, forKey: .context))
        case "session_ended": self = .sessionEnded(result: try c.decode(String.self, forKey: .result))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .sessionStarted(let s): try c.encode(s, forKey: .session)
        case .stepStarted(let s): try c.encode(s, forKey: .step)
        case .output(let o): try c.encode(o, forKey: .output)
        case .outputTruncated(let step, let n):
            try c.encode(step, forKey: .step)
            try c.encode(n, forKey: .droppedLines)
        case .verdict(let v): try c.encode(v, forKey: .verdict)
        case .stepFinished(let f): try c.encode(f, forKey: .finish)
        case .stepSkipped(let step, let reason):
            try c.encode(step, forKey: .step)
            try c.encode(reason, forKey: .reason)
        case .decision(let d): try c.encode(d, forKey: .decision)
        case .context(let r): try c.encode(r, forKey: .context)
        case .sessionEnded(let r): try c.encode(r, forKey: .result)
        }
    }
}

extension JournalEvent.VerdictRecord {
    /// The journal's record of one indicator's verdict, secrets masked: one place for the headless
    /// runner and the TUI.
    public init(step: String, index: Int, verdict v: Verdict, masker: SecretMasker) {
        let value: String?
        switch v.indicator.kind {
        case .exit(let expected): value = expected.words
        case .contains(let s), .notContains(let s), .matches(let s), .equals(let s): value = masker.mask(s)
        case .manual: value = nil
        }
        self.init(
            step: step, index: index, kind: v.indicator.kind.name, value: value, text: masker.mask(v.indicator.text),
            state: v.state, line: v.decidingLine.map(masker.mask), reason: v.reason.map(masker.mask),
            implied: v.implied ? true : nil)
    }
}
