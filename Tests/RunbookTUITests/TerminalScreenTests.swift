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
}
