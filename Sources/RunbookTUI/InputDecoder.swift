/// What the terminal reported: a key, a bracketed paste, or a new size.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    /// Text pasted with bracketed paste on (between `ESC [ 200 ~` and `ESC [ 201 ~`), as it came:
    /// newlines and control characters included. ``AppState`` cleans it for the field it goes into.
    case paste(String)
    case resize(ScreenSize)
}

/// Turns the characters `get_wch` returned into keys and pastes: an explicit state machine, with
/// the state of a paste kept from one read to the next (a long paste arrives in several).
///
/// - Outside a paste, an escape sequence ncurses did not decode becomes its key when it is a known
///   one (Home, End, PgUp, PgDn, Delete, the arrows, Shift-Tab) and is dropped otherwise, so that it
///   is never typed into a filter or a search as text. An ESC alone, or before anything else, is
///   Escape. `ESC [ 200 ~` starts a paste.
/// - Inside a paste, every character is text until `ESC [ 201 ~`; the whole paste is one
///   ``TerminalInput/paste(_:)``. Keys ncurses decoded inside it (a pasted arrow sequence) are
///   dropped, but Enter, which becomes a newline. At most ``pasteLimit`` characters are kept; the
///   rest of a longer paste is dropped.
struct InputDecoder: Sendable {
    /// The characters of the paste so far; nil outside a paste.
    private var paste: [UInt32]?
    /// The start of a possible end mark, not yet known to be text.
    private var mark: [UInt32] = []

    /// The most characters a paste keeps (a certificate or a long token fits).
    static let pasteLimit = 64 << 10
    static let pasteEnd: [UInt32] = [27, 0x5B, 0x32, 0x30, 0x31, 0x7E]  // ESC [ 2 0 1 ~

    /// Whether a paste has started and not ended yet.
    var isPasting: Bool { paste != nil }

    /// Decodes characters read in one go.
    mutating func characters(_ characters: [UInt32]) -> [TerminalInput] {
        var out: [TerminalInput] = []
        var i = 0
        while i < characters.count {
            if paste != nil {
                pasteCharacter(characters[i], into: &out)
                i += 1
                continue
            }
            let c = characters[i]
            i += 1
            let introducer = i < characters.count ? characters[i] : nil
            guard c == 27, introducer == 0x5B || introducer == 0x4F else {
                if let key = Self.characterKey(c) { out.append(.key(key)) }
                continue
            }
            // CSI (`ESC [`) or SS3 (`ESC O`): parameters and intermediates, then one final byte.
            i += 1
            var body: [UInt8] = []
            var final: UInt8?
            while i < characters.count {
                let b = characters[i]
                i += 1
                guard b < 0x80 else { break }
                if (0x40...0x7E).contains(b), !(introducer == 0x5B && body.isEmpty && b == 0x5B) {
                    final = UInt8(b)
                    break
                }
                body.append(UInt8(b))
                if body.count > 16 { break }
            }
            guard let final else { continue }
            let params = String(decoding: body, as: UTF8.self)
            if introducer == 0x5B, final == UInt8(ascii: "~"), params == "200" {
                paste = []
                mark = []
            } else if let key = Self.sequenceKey(params: params, final: final) {
                out.append(.key(key))
            }
        }
        return out
    }

    /// A key ncurses decoded: itself, or inside a paste a newline (Enter) or nothing.
    mutating func key(_ key: Key) -> [TerminalInput] {
        guard paste != nil else { return [.key(key)] }
        var out: [TerminalInput] = []
        if key == .enter { pasteCharacter(10, into: &out) }
        return out
    }

    private mutating func pasteCharacter(_ c: UInt32, into out: inout [TerminalInput]) {
        let candidate = mark + [c]
        if candidate == Self.pasteEnd {
            let text = String(String.UnicodeScalarView((paste ?? []).compactMap(Unicode.Scalar.init)))
            paste = nil
            mark = []
            out.append(.paste(text))
            return
        }
        if Self.pasteEnd.starts(with: candidate) {
            mark = candidate
            return
        }
        // Not the end mark: what was held back is text (the mark's ESC appears only at its start, so
        // a new ESC may begin it again).
        for held in mark { keep(held) }
        mark = []
        if c == 27 { mark = [c] } else { keep(c) }
    }

    private mutating func keep(_ c: UInt32) {
        guard var p = paste, p.count < Self.pasteLimit else { return }
        paste = nil  // no copy on append
        p.append(c)
        paste = p
    }

    /// Decodes `characters` alone, from a fresh state: the keys (for tests of single sequences).
    static func keys(_ characters: [UInt32]) -> [Key] {
        var decoder = InputDecoder()
        return decoder.characters(characters).compactMap {
            if case .key(let k) = $0 { return k }
            return nil
        }
    }

    /// The key of an escape sequence ncurses did not decode, if it is one the TUI uses.
    static func sequenceKey(params: String, final: UInt8) -> Key? {
        // Only digits and `;` are parameters of the keys here (`ESC [ [ A` is the console's F1).
        guard params.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ";") }) else { return nil }
        // A modifier (`1;5A` is Ctrl-Up) is ignored: the key is the same.
        let first = params.split(separator: ";").first.map(String.init) ?? ""
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "~"):
            switch first {
            case "1", "7": return .home
            case "4", "8": return .end
            case "5": return .pageUp
            case "6": return .pageDown
            case "3": return .delete
            default: return nil
            }
        default: return nil
        }
    }

    /// The key of one character `get_wch` returned (raw mode: control characters are keys).
    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            return .control(Character(Unicode.Scalar(UInt8(0x60 + value))))
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(value), !(0x80..<0xA0).contains(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}
