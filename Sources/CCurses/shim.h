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
#endif
