/// The in-page search of the walkthrough and the step screen, with one set of keys (Home's filter
/// searches every entry with the same `/`, typing, Enter and Esc):
///
/// - `/` opens the field; typed and pasted text goes in, and the screen shows the first match as
///   you type; `↓`/`↑` (or Ctrl-N/Ctrl-P) go to the next or previous match while typing;
/// - `Enter` ends typing and stays at the match; `Esc` while typing closes the field and clears it;
/// - once typing has ended, `n`/`N` go to the next or previous match and `Esc` ends the search.
///
/// The field only reads keys and says what they mean (``Action``); the screen finds the matches.
struct SearchField: Sendable, Hashable {
    var text = ""
    var isOpen = false

    enum Action: Sendable, Hashable {
        /// `/`: the field opened, empty.
        case opened
        /// The text changed.
        case edited
        /// Enter: typing ended; the search stays.
        case done
        /// Esc while typing: the field closed and was cleared.
        case cancelled
        /// Esc after typing: the search ended.
        case cleared
        case next, previous
        /// A key the open field takes and does nothing with.
        case ignored
    }

    /// Whether a search is set or being typed (then `n`/`N` belong to it).
    var isActive: Bool { isOpen || !text.isEmpty }

    /// What `key` does to the field; nil when it is not the field's (the screen's own key).
    mutating func handle(_ key: Key) -> Action? {
        if isOpen {
            switch key {
            case .character(let c) where !c.isNewline:
                text.append(c)
                return .edited
            case .backspace, .delete:
                if !text.isEmpty { text.removeLast() }
                return .edited
            case .enter:
                isOpen = false
                return .done
            case .escape:
                isOpen = false
                text = ""
                return .cancelled
            case .down, .control("n"):
                return .next
            case .up, .control("p"):
                return .previous
            default:
                return .ignored
            }
        }
        switch key {
        case .character("/"):
            isOpen = true
            text = ""
            return .opened
        case .character("n") where !text.isEmpty:
            return .next
        case .character("N") where !text.isEmpty:
            return .previous
        case .escape where !text.isEmpty:
            text = ""
            return .cleared
        default:
            return nil
        }
    }

    /// `/text▏` while typing, `/text` after, with ` (no match)` when nothing matched.
    func label(matched: Bool) -> String {
        var label = "/" + text.safeLine + (isOpen ? "▏" : "")
        if !matched, !text.isEmpty { label += " (no match)" }
        return label
    }

    /// The keys of the bottom line while the field is open; nil when it is closed.
    var typingHints: [KeyHint]? {
        guard isOpen else { return nil }
        return [KeyHint("⏎", "done"), KeyHint("↑↓", "next/prev"), KeyHint("Esc", "cancel"), KeyHint("⌫", "delete")]
    }

    /// The keys of a search that is set, for the bottom line.
    var activeHints: [KeyHint] {
        text.isEmpty || isOpen ? [] : [KeyHint("n/N", "next/prev"), KeyHint("Esc", "end search")]
    }
}
