/// The stream a piece of a step's output arrived on.
///
/// A step run on a pseudo-terminal has one stream, reported as `.stdout`.
public enum OutputChannel: String, Sendable, Codable, Hashable {
    case stdout
    case stderr
}
