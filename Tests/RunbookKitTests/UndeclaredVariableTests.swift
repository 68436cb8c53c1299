import RunbookTestSupport
import Testing
@testable import RunbookKit

/// Issue 11, item 5: an undeclared `$VAR` is asked for like a placeholder, never run empty; what a
/// command has by itself (shell specials, loop variables, its own assignments, defaults) is not.
@Suite("undeclared variables, placeholders with spaces and secret names")
struct UndeclaredVariableTests {
    static let fixture = PackageRoot.path + "/Tests/Fixtures/variables/undeclared.md"

    func load() throws -> Runbook { try RunbookLoader().load(path: Self.fixture) }

    func step(_ rb: Runbook, _ id: String) throws -> Step { try #require(rb.allSteps.first { $0.id == id }) }

    func resolver(_ rb: Runbook, given: [String: String] = [:], environment: [String: String] = [:]) -> VariableResolver {
        VariableResolver(runbook: rb, given: given, environment: environment)
    }

    @Test("an undeclared $VAR without a value is missing, with the step that needs it")
    func undeclaredIsMissing() throws {
        let rb = try load()
        let r = resolver(rb)
        let missing = r.missing(for: [try step(rb, "uses-undeclared")])
        #expect(missing.map(\.name) == ["APP_LABEL"])
        #expect(missing.first?.step.id == "uses-undeclared")
        #expect(!r.isDeclared("APP_LABEL"))
        #expect(r.undeclared.contains("APP_LABEL"))
    }

    @Test("an undeclared variable set in the environment is taken from it, not asked")
    func fromEnvironment() throws {
        let rb = try load()
        let r = resolver(rb, environment: ["APP_LABEL": "prometheus", "UNRELATED": "x"])
        #expect(r.missing(for: [try step(rb, "uses-undeclared")]).isEmpty)
        #expect(r.value(of: "APP_LABEL")?.source == .environment)
        #expect(r.value(of: "UNRELATED") == nil, "a variable no command uses is not a runbook variable")
    }

    @Test("specials, shell variables, loops, own assignments, defaults and awk text are not asked")
    func notAsked() throws {
        let rb = try load()
        #expect(resolver(rb).missing(for: [try step(rb, "not-asked")]).isEmpty)
        let text = ShellText(#"read ANSWER; echo "$ANSWER" '$QUOTED' ${WITH_DEFAULT:-x} ${ALT:+y} ${#LEN} $((1 + 2))"#)
        #expect(text.needed == ["ANSWER", "LEN"])
        #expect(text.assignments.contains("ANSWER"))
    }

    @Test("a quoted here-document is text; an unquoted one expands")
    func hereDocuments() {
        #expect(ShellText("cat <<'EOF'\n$LITERAL\nEOF").needed.isEmpty)
        #expect(ShellText("cat <<EOF\n$EXPANDED\nEOF").needed == ["EXPANDED"])
    }

    @Test("a placeholder the step assigns itself is not offered for input")
    func assignsItself() throws {
        let rb = try load()
        let s = try step(rb, "assigns-itself")
        #expect(s.placeholders == ["POD_NAME"])
        #expect(resolver(rb).missing(for: [s]).isEmpty)
    }

    @Test("a variable an earlier step assigns is not missing; alone, the later step asks for it")
    func assignedEarlier() throws {
        let rb = try load()
        let first = try step(rb, "assigns-cluster")
        let later = try step(rb, "uses-cluster")
        #expect(resolver(rb).missing(for: [first, later]).isEmpty)
        #expect(resolver(rb).missing(for: [later], assignedEarlier: ["CLUSTER"]).isEmpty)
        #expect(resolver(rb).missing(for: [later]).map(\.name) == ["CLUSTER"], "never run empty")
        var r = resolver(rb)
        r.record(assignedByStep: ["CLUSTER": "kind-staging"])
        #expect(r.missing(for: [later]).isEmpty)
    }

    @Test("what a step assigns is newer than a value typed before it ran")
    func stepAssignmentWins() throws {
        var r = resolver(try load(), given: ["POD_NAME": "typed"])
        r.record(assignedByStep: ["POD_NAME": "prometheus-0"])
        #expect(r.value(of: "POD_NAME")?.value == "prometheus-0")
        #expect(r.value(of: "POD_NAME")?.source == .step)
    }

    @Test("a <placeholder with spaces> becomes a variable; redirections stay redirections")
    func spacedPlaceholder() throws {
        let rb = try load()
        let s = try step(rb, "spaced-placeholder")
        #expect(s.placeholders == ["ALERT_NAME"])
        #expect(s.command == #"echo "${ALERT_NAME}""#)
        #expect(rb.variables.contains { $0.name == "ALERT_NAME" && $0.origin == .placeholder })
        let sort = ShellText("sort <in.txt >out.txt")
        #expect(sort.placeholders.isEmpty)
        #expect(sort.rewritten == "sort <in.txt >out.txt")
        #expect(ShellText("grep <a -b>").placeholders.isEmpty)
        #expect(ShellText("kubectl logs <pod  name>").placeholders.isEmpty, "two spaces: not a placeholder")
    }

    @Test("the secret-name rule: a name of, reference to or id of a secret is not secret",
          arguments: [
            ("DB_PASSWORD", true), ("API_TOKEN", true), ("SECRET", true), ("AWS_SECRET_ACCESS_KEY", true),
            ("SECRET_NAME", false), ("SECRET_REF", false), ("KEY_ID", false), ("AWS_ACCESS_KEY_ID", false),
            ("TOKEN_FILE", false), ("SECRET_NAMESPACE", false), ("NAMESPACE", false),
          ])
    func secretNames(name: String, secret: Bool) {
        #expect(Variable.nameLooksSecret(name) == secret)
    }
}
