import CCurses
import Testing

@testable import RunbookTUI

/// How the backend decodes what `get_wch` returns. (Drawing and the terminal's life are covered end
/// to end in tmux: TerminalRestoreTests, RuntimeTests.)
@Suite("TerminalScreen: key decoding")
struct TerminalScreenTests {
    @Test("control bytes become named keys; Ctrl with a letter stays a key (raw mode)")
    func characters() {
        #expect(TerminalScreen.characterKey(13) == .enter)
        #expect(TerminalScreen.characterKey(10) == .enter)
        #expect(TerminalScreen.characterKey(9) == .tab)
        #expect(TerminalScreen.characterKey(27) == .escape)
        #expect(TerminalScreen.characterKey(127) == .backspace)
        #expect(TerminalScreen.characterKey(8) == .backspace)
        #expect(TerminalScreen.characterKey(3) == .control("c"))
        #expect(TerminalScreen.characterKey(26) == .control("z"))
        #expect(TerminalScreen.characterKey(0) == nil)
        #expect(TerminalScreen.characterKey(28) == nil)
    }

    @Test("text keys are characters, C1 controls are dropped")
    func text() {
        #expect(TerminalScreen.characterKey(UInt32(UInt8(ascii: "q"))) == .character("q"))
        #expect(TerminalScreen.characterKey(0xE9) == .character("é"))
        #expect(TerminalScreen.characterKey(0x6F22) == .character("漢"))
        #expect(TerminalScreen.characterKey(0x85) == nil)
        #expect(TerminalScreen.characterKey(0xD800) == nil, "not a scalar")
    }

    @Test("function keys map to Key")
    func functionKeys() {
        #expect(TerminalScreen.functionKey(KEY_UP) == .up)
        #expect(TerminalScreen.functionKey(KEY_DOWN) == .down)
        #expect(TerminalScreen.functionKey(KEY_LEFT) == .left)
        #expect(TerminalScreen.functionKey(KEY_RIGHT) == .right)
        #expect(TerminalScreen.functionKey(KEY_PPAGE) == .pageUp)
        #expect(TerminalScreen.functionKey(KEY_NPAGE) == .pageDown)
        #expect(TerminalScreen.functionKey(KEY_HOME) == .home)
        #expect(TerminalScreen.functionKey(KEY_END) == .end)
        #expect(TerminalScreen.functionKey(KEY_BACKSPACE) == .backspace)
        #expect(TerminalScreen.functionKey(KEY_DC) == .delete)
        #expect(TerminalScreen.functionKey(KEY_BTAB) == .backTab)
        #expect(TerminalScreen.functionKey(KEY_ENTER) == .enter)
        #expect(TerminalScreen.functionKey(runbook_key_f(1)) == .function(1))
        #expect(TerminalScreen.functionKey(runbook_key_f(12)) == .function(12))
        #expect(TerminalScreen.functionKey(KEY_IC) == nil)
    }

    @Test("escape sequences ncurses does not know become their key, or nothing: never text")
    func unknownSequences() {
        func keys(_ text: String) -> [Key] { TerminalScreen.decode(text.unicodeScalars.map(\.value)) }
        #expect(keys("\u{1B}[4~") == [.end], "tmux's End under TERM=xterm")
        #expect(keys("\u{1B}[1~") == [.home])
        #expect(keys("\u{1B}[7~\u{1B}[8~") == [.home, .end], "rxvt")
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[3~") == [.pageUp, .pageDown, .delete])
        #expect(keys("\u{1B}OF\u{1B}OH") == [.end, .home])
        #expect(keys("\u{1B}[1;5A") == [.up], "a modifier is ignored")
        #expect(keys("\u{1B}[Z") == [.backTab])
        #expect(keys("\u{1B}[2~") == [], "Insert is not used: dropped, not typed")
        #expect(keys("\u{1B}[[A") == [], "the linux console's F1 is dropped")
        #expect(keys("\u{1B}[200~") == [], "a bracketed-paste mark is dropped")
        #expect(keys("\u{1B}") == [.escape])
        #expect(keys("\u{1B}q") == [.escape, .character("q")])
        #expect(keys("ab\u{1B}[4~c") == [.character("a"), .character("b"), .end, .character("c")])
    }
}
