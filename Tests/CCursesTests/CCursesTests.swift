import CCurses
import Testing

@Suite("ncursesw system library")
struct CCursesTests {
    @Test("links against ncursesw 6 with the wide-character API visible")
    func linksWideCurses() {
        let version = String(cString: curses_version())
        #expect(version.hasPrefix("ncurses 6"), "got \(version)")
        // wcwidth-aware functions only exist when NCURSES_WIDECHAR is on; taking the address proves it.
        let addWide: (UnsafeMutablePointer<WINDOW>?, UnsafePointer<cchar_t>?) -> Int32 = { w, c in wadd_wch(w, c) }
        _ = addWide
        #expect(runbook_key_resize() == KEY_RESIZE)
    }
}
