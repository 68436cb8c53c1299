import Testing

@testable import RunbookRunner

/// The one check every spawn passes through (steps, interactive steps, `drill -- COMMAND`).
@Suite("spawn strings")
struct SpawnStringsTests {
    @Test("argv and a sorted NAME=value envp, each NULL-terminated")
    func lists() throws {
        let s = try #require(SpawnStrings(arguments: ["/bin/sh", "-c", "echo"], environment: ["B": "2", "A": "1"]))
        defer { s.release() }
        #expect(s.argv.dropLast().map { String(cString: $0!) } == ["/bin/sh", "-c", "echo"])
        #expect(s.envp.dropLast().map { String(cString: $0!) } == ["A=1", "B=2"])
        #expect(s.argv.last! == nil && s.envp.last! == nil)
    }

    @Test("what cannot reach a process is refused, not cut short at a NUL")
    func refusals() {
        #expect(SpawnStrings(arguments: [], environment: [:]) == nil)
        #expect(SpawnStrings(arguments: [""], environment: [:]) == nil)
        #expect(SpawnStrings(arguments: ["/bin/sh", "a\u{0}b"], environment: [:]) == nil)
        #expect(SpawnStrings(arguments: ["/bin/sh"], environment: ["A": "x\u{0}y"]) == nil)
        #expect(SpawnStrings(arguments: ["/bin/sh"], environment: ["A=B": "x"]) == nil)
        #expect(SpawnStrings(arguments: ["/bin/sh"], environment: ["": "x"]) == nil)
        #expect(SpawnStrings(arguments: ["/bin/sh"], environment: [:], workingDirectory: "/tmp\u{0}x") == nil)
    }
}
