import Testing

@testable import RunbookKit

/// The shell reader behind command safety: which simple commands a text holds, with what input.
@Suite("shell script reader")
struct ShellScriptTests {
    func programs(_ text: String) -> [String] {
        ShellScript(text).commands.map { $0.words.first?.text ?? "=" + $0.assignments.joined(separator: ",") }
    }

    @Test("lists, pipelines, groups, conditionals, loops and case arms yield their simple commands")
    func structure() {
        #expect(programs("a | b && c || d; e & f\ng") == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(programs("( a; b ) && { c; }") == ["a", "b", "c"])
        #expect(programs("if a; then b; elif c; then d; else e; fi") == ["a", "b", "c", "d", "e"])
        #expect(programs("for x in $(a) b c; do d \"$x\"; done") == ["a", "d"])
        #expect(programs("while read -r l; do b; done < f") == ["read", "b"])
        #expect(programs("case $(a) in\n x|y) b ;;\n (z) c ;&\n *) d ;;\nesac\ne") == ["a", "b", "c", "d", "e"])
        #expect(programs("f() { a; }\nf") == ["a", "f"])
        #expect(programs("X=1 Y=$(a) b c") == ["a", "b"])
        #expect(programs("X=$(a)") == ["a", "=X"])
        #expect(programs("[[ -n $(a) && x < y ]] || b") == ["a", "[[", "b"])
        #expect(programs("echo 'a; b' \"c | d\" e\\;f # g; h") == ["echo"])
        #expect(programs("a \\\n  --flag") == ["a"])
    }

    @Test("words lose their quotes and keep expansions as written")
    func words() throws {
        let cmd = try #require(ShellScript(#"kubectl get "pod name" 'a b'c -n "$NS" ${X:-y} $'t\'x'"#).commands.first)
        #expect(cmd.words.map(\.text) == ["kubectl", "get", "pod name", "a bc", "-n", "$NS", "${X:-y}", "t'x"])
    }

    @Test("input comes from a here-document, a here-string, a file or a pipe")
    func input() throws {
        let s = ShellScript("cat <<-EOF | grep x\n\tbody $(a)\n\tEOF\nb <<< 'w'\nc < f.txt\nd <<'Q'\n$(e)\nQ\n")
        #expect(s.commands.map { $0.words.first?.text ?? "" } == ["cat", "grep", "a", "b", "c", "d"])
        try #require(s.commands.count > 5)
        #expect(s.commands[0].input == .text("body $(a)"))
        #expect(s.commands[1].input == .pipe)
        #expect(s.commands[3].input == .text("w"))
        #expect(s.commands[4].input == .file("f.txt"))
        #expect(s.commands[5].input == .text("$(e)"))
    }

    @Test("redirections that write are kept; descriptor duplications are not")
    func redirections() throws {
        let r = try #require(ShellScript("a > x 2>&1 >> y &> z 2> /dev/null >&2 <&0 >| w").commands.first).redirections
        #expect(r.map { "\($0.op) \($0.target)" } == ["> x", ">> y", "&> z", "> /dev/null", ">| w"])
        #expect(r.map(\.writesFile) == [true, true, true, false, true])
    }

    @Test("SQL text splits into statements; strings, comments and dollar quotes are not words")
    func sql() {
        let statements = SQLText.statements("SELECT 'a;b' -- ; DROP\n; /* x; */ DELETE FROM t WHERE x = $$;$$;\n\\dt+ jobs\nVALUES (1)")
        #expect(statements == [["select"], ["delete", "from", "t", "where", "x"], ["\\dt+", "jobs"], ["values"]])
    }
}
