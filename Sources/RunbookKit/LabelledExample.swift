/// A step's example output that says which way it should be judged: "Example output when healthy:" or
/// "Example output when failing (wrong password, exit 2):" and the block after it.
///
/// `runbook test` runs every indicator of the step over the example, through the runner's own judge
/// (`IndicatorEvaluator`, `StepOutcome.judge`), and reports an example whose outcome differs from its label.
public struct LabelledExample: Sendable, Hashable {
    public enum Label: String, Sendable, Hashable, Codable {
        /// All is well: the step must pass (or wait only for manual answers).
        case healthy
        /// The problem is there: the step must fail.
        case failing
    }

    public var label: Label
    /// How the command ended when it printed the example: `exit 0` unless the label says otherwise.
    public var end: StepEnd
    /// The label's words in parentheses other than the exit status ("wrong password").
    public var note: String
    /// The example's text, as the command printed it (both streams, in order).
    public var output: String
    /// Where the label's paragraph starts.
    public var location: SourceLocation

    public init(label: Label, end: StepEnd = .exited(0), note: String = "", output: String, location: SourceLocation) {
        self.label = label
        self.end = end
        self.note = note
        self.output = output
        self.location = location
    }

    /// The output's lines, as the indicators see them one by one.
    public var lines: [String] {
        output.isEmpty ? [] : output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// What a label paragraph says: its label, exit status and note.
    public struct Heading: Sendable, Hashable {
        public var label: Label
        public var end: StepEnd
        public var note: String
    }

    /// Reads a label paragraph's plain text: `Example output when healthy:` or
    /// `Expected output when failing (note, exit 1):`, any case. Returns nil when the text is not a
    /// labelled example (an unlabelled "Example output:" included); `.failure` with the problem when it
    /// starts like one but does not complete the form.
    public static func heading(_ text: String) -> Result<Heading, ExampleLabelError>? {
        let lower = text.lowercased()
        guard let prefix = ["example output when ", "expected output when "].first(where: { lower.hasPrefix($0) }),
            lower.hasSuffix(":")
        else { return nil }
        var rest = String(lower.dropFirst(prefix.count).dropLast()).trimmingASCIISpaces()
        let original = String(text.dropFirst(prefix.count).dropLast()).trimmingASCIISpaces()
        let label: Label
        if rest.hasPrefix("healthy") {
            label = .healthy
        } else if rest.hasPrefix("failing") {
            label = .failing
        } else {
            return .failure(.unknownLabel(String(original.prefix(40))))
        }
        rest.removeFirst(label.rawValue.count)
        rest = rest.trimmingASCIISpaces()
        var note = ""
        var end = StepEnd.exited(0)
        if !rest.isEmpty {
            guard rest.hasPrefix("("), rest.hasSuffix(")") else { return .failure(.trailingText(label)) }
            // The note keeps the author's case: take it from the original text at the same place.
            let inner = String(original.dropFirst(label.rawValue.count).trimmingASCIISpaces().dropFirst().dropLast())
            var notes: [String] = []
            var sawExit = false
            for part in inner.split(whereSeparator: { $0 == "," || $0 == ";" }) {
                let words = part.split(separator: " ").map { $0.lowercased() }
                if words.first == "exit" || words.first == "signal" {
                    guard words.count == 2, let n = Int32(words[1]), (0...255).contains(n) else {
                        return .failure(.badStatus(part.trimmingASCIISpaces()))
                    }
                    guard !sawExit else { return .failure(.twoStatuses) }
                    sawExit = true
                    end = words[0] == "exit" ? .exited(n) : .signaled(n)
                } else {
                    let word = part.trimmingASCIISpaces()
                    if !word.isEmpty { notes.append(word) }
                }
            }
            note = notes.joined(separator: ", ")
        }
        return .success(Heading(label: label, end: end, note: note))
    }

    /// The label as written back, for reports: `when failing (wrong password, exit 2)`.
    public var summary: String {
        var parts: [String] = note.isEmpty ? [] : [note]
        switch end {
        case .exited(0): break
        case .exited(let n): parts.append("exit \(n)")
        case .signaled(let s): parts.append("signal \(s)")
        default: parts.append(end.description)
        }
        return "when \(label.rawValue)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

/// Why a label paragraph does not read as a labelled example.
public enum ExampleLabelError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownLabel(String)
    case trailingText(LabelledExample.Label)
    case badStatus(String)
    case twoStatuses

    public var description: String {
        switch self {
        case .unknownLabel(let words):
            "example label `when \(words)` is unknown: write `Example output when healthy:` or `Example output when failing:`"
        case .trailingText(let label):
            "after `when \(label.rawValue)`, only a note in parentheses may follow, as in: Example output when \(label.rawValue) (exit 1):"
        case .badStatus(let words):
            "`\(words)` in an example label is not an exit status: write `exit N` or `signal N`, N from 0 to 255"
        case .twoStatuses:
            "an example label names one exit status, not two"
        }
    }
}

extension Step {
    /// Keeps a labelled example read after the step. The first healthy example is also the step's
    /// displayed example output when it has no other (from prompts or an unlabelled "Example output:").
    mutating func takeExample(_ heading: LabelledExample.Heading, output: String, at location: SourceLocation) {
        examples.append(LabelledExample(label: heading.label, end: heading.end, note: heading.note, output: output, location: location))
        if heading.label == .healthy, exampleOutput == nil { exampleOutput = output }
    }
}
