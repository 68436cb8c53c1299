/// Replaces secret values with a mask wherever text is shown or written: output lines, commands,
/// journals and reports.
public struct SecretMasker: Sendable, Hashable {
    public static let mask = "••••••"
    /// Secret values, longest first so that a value containing another is masked whole.
    public private(set) var secrets: [String]

    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.utf8.count > $1.utf8.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func mask(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for s in secrets where out.contains(s) {
            out = out.replacingAll(s, with: Self.mask)
        }
        return out
    }

    /// Masks every line of `batch` that shows a secret, as `mask(_:)` does its text; a line that
    /// changes loses its styles (they no longer fit its text). Lines without a secret stay as they are.
    public func mask(_ batch: inout OutputLineBatch) {
        guard !secrets.isEmpty else { return }
        var rewritten: OutputLineBatch?
        for i in batch.indices {
            let line = batch[i]
            let text = mask(line.text)
            if text != line.text {
                if rewritten == nil { rewritten = OutputLineBatch(batch[..<i]) }
                rewritten!.append(OutputLine(channel: line.channel, text: text, droppedBytes: line.droppedBytes))
            } else {
                rewritten?.append(line)
            }
        }
        if let rewritten { batch = rewritten }
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard let first = target.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
