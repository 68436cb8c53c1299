/// Heading anchors as GitHub makes them: the heading's text lowercased, every character that is not a
/// letter, a number, a mark, `-` or `_` removed, spaces turned into `-`; a repeated slug gets `-1`, `-2`, ...
/// in document order.
public struct HeadingSlugger: Sendable {
    private var seen: [String: Int] = [:]

    public init() {}

    /// The slug of `text` without de-duplication.
    public static func slug(_ text: String) -> String {
        // Built as UTF-8: cheaper than appending to a String a scalar at a time.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.lowercased().unicodeScalars {
            if scalar == " " {
                out.append(UInt8(ascii: "-"))
            } else if scalar.isASCII {
                if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == "-" || scalar == "_" {
                    out.append(UInt8(scalar.value))
                }
            } else {
                switch scalar.properties.generalCategory {
                case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                    .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
                    .connectorPunctuation:
                    out.append(contentsOf: UTF8.encode(scalar)!)
                default:
                    break
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The anchor GitHub gives the next heading with this text.
    public mutating func anchor(for text: String) -> String {
        let base = Self.slug(text)
        var candidate = base
        if let n = seen[base] {
            var k = n
            repeat {
                k += 1
                candidate = "\(base)-\(k)"
            } while seen[candidate] != nil
            seen[base] = k
        }
        seen[candidate] = seen[candidate] ?? 0
        return candidate
    }
}
