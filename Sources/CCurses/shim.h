#ifndef RUNBOOK_CURSES_SHIM_H
#define RUNBOOK_CURSES_SHIM_H
// SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600, which hides the wide-character API:
// ask for it explicitly before the header is read.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

// Swift 6 rejects mutable C globals and does not import function-like macros:
// these accessors stand in for them.
static inline WINDOW *runbook_stdscr(void) { return stdscr; }
static inline int runbook_lines(void) { return LINES; }
static inline int runbook_cols(void) { return COLS; }
static inline attr_t runbook_a_bold(void) { return A_BOLD; }
static inline attr_t runbook_a_reverse(void) { return A_REVERSE; }
static inline attr_t runbook_a_underline(void) { return A_UNDERLINE; }
static inline attr_t runbook_a_dim(void) { return A_DIM; }
static inline int runbook_key_resize(void) { return KEY_RESIZE; }
static inline int runbook_key_mouse(void) { return KEY_MOUSE; }
static inline int runbook_key_f(int n) { return KEY_F(n); }
static inline int runbook_colors(void) { return COLORS; }
static inline int runbook_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *runbook_curscr(void) { return curscr; }

/// A screen on the process's standard output and input, like initscr, but NULL instead of exiting
/// when the terminal cannot be set up.
static inline SCREEN *runbook_newterm(void) { return newterm(NULL, stdout, stdin); }

/// The mouse events the TUI asks for: the wheel only (buttons 4 and 5).
static inline mmask_t runbook_wheel_up_mask(void) { return BUTTON4_PRESSED; }
static inline mmask_t runbook_wheel_down_mask(void) {
#ifdef BUTTON5_PRESSED
    return BUTTON5_PRESSED;
#else
    return 0;
#endif
}

/// The C library's character width, as ncurses measures (glibc declares it only under _XOPEN_SOURCE).
extern int wcwidth(wchar_t);
static inline int runbook_wcwidth(wchar_t c) { return wcwidth(c); }

/// A terminfo string capability, or NULL when the terminal lacks it (tigetstr's -1 and 0 both).
static inline const char *runbook_tigetstr(const char *name) {
    char *value = tigetstr(name);
    if (value == NULL || value == (char *)-1) return NULL;
    return value;
}
#endif
