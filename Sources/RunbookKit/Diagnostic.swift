/// A place in a source file: 1-based line, 1-based column counted in bytes (as compilers do).
public struct SourceLocation: Sendable, Hashable, Comparable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// How serious a diagnostic is. Only errors make `runbook lint` fail.
public enum Severity: String, Sendable, Codable, Comparable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding about a runbook: `file:line:col: severity: message`.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var location: SourceLocation
    public var severity: Severity
    public var message: String

    public init(file: String, location: SourceLocation, severity: Severity, message: String) {
        self.file = file
        self.location = location
        self.severity = severity
        self.message = message
    }

    public var description: String {
        "\(file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
    }

    enum CodingKeys: String, CodingKey {
        case file, line, column, severity, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        location = SourceLocation(
            line: try c.decode(Int.self, forKey: .line),
            column: try c.decode(Int.self, forKey: .column))
        severity = try c.decode(Severity.self, forKey: .severity)
        message = try c.decode(String.self, forKey: .message)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(location.line, forKey: .line)
        try c.encode(location.column, forKey: .column)
        try c.encode(severity, forKey: .severity)
        try c.encode(message, forKey: .message)
    }
}

/// A runbook that could not be loaded at all (not text, too large, unreadable).
/// Anything less serious loads, with diagnostics.
public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var diagnostic: Diagnostic

    public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

    public init(file: String, line: Int = 1, column: Int = 1, _ message: String) {
        diagnostic = Diagnostic(
            file: file, location: SourceLocation(line: line, column: column), severity: .error, message: message)
    }

    public var description: String { diagnostic.description }
}
