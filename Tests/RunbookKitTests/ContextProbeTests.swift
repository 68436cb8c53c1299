import Testing

@testable import RunbookKit

/// Front matter `context:`: probes of where the commands would land, and the patterns they must match.
@Suite("context probes")
struct ContextProbeTests {
    static func runbook(_ context: String, variables: String = "PROJECT: coditect-cloud-infra") throws -> Runbook {
        let md = """
            ---
            version: 1.0.0
            variables:
              \(variables)
            context:
            \(context)
            ---
            # Runbook
            """
        return try RunbookLoader().load(bytes: Array(md.utf8), path: "context.md")
    }

    static func probe(_ expect: String) -> ContextProbe {
        ContextProbe(name: "kube", command: "kubectl config current-context", expect: expect, location: .init(line: 1, column: 1))
    }

    @Test("the block form reads into probes, in order, as probe steps with the short time limit")
    func reads() throws {
        let r = try Self.runbook("""
              kube:
                command: kubectl config current-context
                expect: "*staging*"
              project: {command: gcloud config get-value project, expect: $PROJECT}
            """)
        #expect(r.diagnostics.filter { $0.severity != .note }.isEmpty, "\(r.diagnostics)")
        #expect(r.context.map(\.name) == ["kube", "project"])
        let step = try #require(r.context.first?.step)
        #expect(step.role == .probe)
        #expect(step.id == "context-kube")
        #expect(step.attributes.timeout == ContextProbe.timeLimit)
        #expect(r.context.last?.expectVariables == ["PROJECT"])
    }

    @Test("a probe that changes something is an error and is dropped: it never runs")
    func changingProbe() throws {
        let r = try Self.runbook("""
              kube:
                command: kubectl config use-context gke_prod
                expect: "*staging*"
            """)
        #expect(r.context.isEmpty)
        #expect(r.diagnostics.contains { $0.severity == .error && $0.message.contains("must only read") }, "\(r.diagnostics)")
    }

    @Test("problems are errors with their line: no expect, an unknown variable, not a mapping")
    func problems() throws {
        let noExpect = try Self.runbook("  kube: {command: kubectl config current-context}")
        #expect(noExpect.diagnostics.contains { $0.severity == .error && $0.message.contains("needs both") })
        let unknown = try Self.runbook("  project: {command: gcloud config get-value project, expect: $NOPE}")
        #expect(unknown.diagnostics.contains { $0.severity == .error && $0.message.contains("`$NOPE`") && $0.location.line == 6 })
        let scalar = try Self.runbook("  staging")
        #expect(scalar.diagnostics.contains { $0.severity == .error && $0.message.contains("`context` must map") })
    }

    @Test("expect is a glob on the whole value", arguments: [
        ("*staging*", "gke_coditect-cloud-infra_us-central1_coditect-staging-cluster", true),
        ("*staging*", "gke_coditect-cloud-prod_us-central1_coditect-production-cluster", false),
        ("staging", "staging-2", false),
        ("gke_?_x", "gke_a_x", true),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("*", "", true),
    ])
    func glob(_ pattern: String, _ value: String, _ matches: Bool) {
        #expect(Self.probe(pattern).matches(value) { _ in nil } == matches)
    }

    @Test("$VAR is the variable's value taken literally, never a pattern; without a value nothing matches")
    func variables() {
        let values = ["PROJECT": "coditect-cloud-infra", "STAR": "a*"]
        #expect(Self.probe("$PROJECT").matches("coditect-cloud-infra") { values[$0] })
        #expect(!Self.probe("$PROJECT").matches("coditect-cloud-prod") { values[$0] })
        #expect(Self.probe("${PROJECT}-x").matches("coditect-cloud-infra-x") { values[$0] })
        #expect(!Self.probe("$STAR").matches("abc") { values[$0] })
        #expect(Self.probe("$STAR").matches("a*") { values[$0] })
        #expect(!Self.probe("$MISSING").matches("") { values[$0] })
        #expect(Self.probe("*$PROJECT").expectation { values[$0] } == "*coditect-cloud-infra")
    }

    @Test("the value is the first non-empty line, trimmed")
    func value() {
        #expect(ContextProbe.value(ofLines: ["", "  gke_x  ", "other"]) == "gke_x")
        #expect(ContextProbe.value(ofLines: ["", " "]) == nil)
    }

    @Test("a reading says what it found", arguments: [
        (ContextReading(name: "kube", command: "c", value: "gke_s", expect: "*s*", matches: true), "kube=gke_s (matches)"),
        (ContextReading(name: "kube", command: "c", value: "gke_p", expect: "*s*", matches: false), "kube=gke_p (does not match: expected *s*)"),
        (ContextReading(name: "kube", command: "c", value: nil, expect: "*s*", matches: false, problem: "timed out"), "kube unknown: timed out (expected *s*)"),
    ])
    func summary(_ reading: ContextReading, _ text: String) {
        #expect(reading.summary == text)
    }
}
