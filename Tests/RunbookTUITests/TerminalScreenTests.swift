import CCurses
import Testing

@testable import RunbookTUI

/// How the backend decodes what `get_wch` returns. (Drawing and the terminal's life are covered end
/// to end in tmux: TerminalRestoreTests, RuntimeTests.)
@Suite("TerminalScreen: key decoding")
struct TerminalScreenTests {
    @Test("control bytes become named keys; Ctrl with a letter stays a key (raw mode)")
    func characters() {
        #expect(InputDecoder.characterKey(13) == .enter)
        #expect(InputDecoder.characterKey(10) == .enter)
        #expect(InputDecoder.characterKey(9) == .tab)
        #expect(InputDecoder.characterKey(27) == .escape)
        #expect(InputDecoder.characterKey(127) == .backspace)
        #expect(InputDecoder.characterKey(8) == .backspace)
        #expect(InputDecoder.characterKey(3) == .control("c"))
        #expect(InputDecoder.characterKey(26) == .control("z"))
        #expect(InputDecoder.characterKey(0) == nil)
        #expect(InputDecoder.characterKey(28) == nil)
    }

    @Test("text keys are characters, C1 controls are dropped")
    func text() {
        #expect(InputDecoder.characterKey(UInt32(UInt8(ascii: "q"))) == .character("q"))
        #expect(InputDecoder.characterKey(0xE9) == .character("é"))
        #expect(InputDecoder.characterKey(0x6F22) == .character("漢"))
        #expect(InputDecoder.characterKey(0x85) == nil)
        #expect(InputDecoder.characterKey(0xD800) == nil, "not a scalar")
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
        func keys(_ text: String) -> [Key] { InputDecoder.keys(text.unicodeScalars.map(\.value)) }
        #expect(keys("\u{1B}[4~") == [.end], "tmux's End under TERM=xterm")
        #expect(keys("\u{1B}[1~") == [.home])
        #expect(keys("\u{1B}[7~\u{1B}[8~") == [.home, .end], "rxvt")
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[3~") == [.pageUp, .pageDown, .delete])
        #expect(keys("\u{1B}OF\u{1B}OH") == [.end, .home])
        #expect(keys("\u{1B}[1;5A") == [.up], "a modifier is ignored")
        #expect(keys("\u{1B}[Z") == [.backTab])
        #expect(keys("\u{1B}[2~") == [], "Insert is not used: dropped, not typed")
        #expect(keys("\u{1B}[[A") == [], "the linux console's F1 is dropped")
        #expect(keys("\u{1B}[200~") == [], "a paste starts: no key")
        #expect(keys("\u{1B}[201~") == [], "a stray end of paste is dropped")
        #expect(keys("\u{1B}") == [.escape])
        #expect(keys("\u{1B}q") == [.escape, .character("q")])
        #expect(keys("ab\u{1B}[4~c") == [.character("a"), .character("b"), .end, .character("c")])
    }

    @Test("a bracketed paste is one input, its text as it came, across reads; keys inside it are text")
    func bracketedPaste() {
        func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }
        var d = InputDecoder()
        #expect(d.characters(scalars("a\u{1B}[200~yarn install\r\ny\u{1B}[201~b"))
            == [.key(.character("a")), .paste("yarn install\r\ny"), .key(.character("b"))])
        // Split over reads, the end mark too; an ESC inside that does not end it stays text.
        #expect(d.characters(scalars("\u{1B}[200~one\u{1B}[A")) == [])
        #expect(d.isPasting)
        #expect(d.key(.up) == [], "a key ncurses decoded inside a paste is dropped")
        #expect(d.key(.enter) == [], "Enter inside a paste is a newline of it")
        #expect(d.characters(scalars("two\u{1B}[20")) == [])
        #expect(d.characters(scalars("1~q")) == [.paste("one\u{1B}[A\ntwo"), .key(.character("q"))])
        #expect(!d.isPasting)
        #expect(d.key(.enter) == [.key(.enter)])
        // A long paste keeps its first characters and still ends.
        var long = InputDecoder()
        let text = String(repeating: "x", count: InputDecoder.pasteLimit + 10)
        let out = long.characters(scalars("\u{1B}[200~" + text + "\u{1B}[201~"))
        #expect(out == [.paste(String(repeating: "x", count: InputDecoder.pasteLimit))])
    }
}
