import Testing
@testable import RunbookKit

@Suite("variables, secrets and command previews")
struct VariableResolverTests {
    func runbook() throws -> Runbook {
        let md = """
            ---
            variables:
              NAMESPACE:
                default: staging
              REGION: us-central1
              DB_PASSWORD:
                description: the password
              SECRET_NAME:
                default: backend-secrets
                secret: false
            ---
            # T

            ```sh
            GKE_SA=$(gcloud get sa)
            ```

            ```sh
            kubectl get pods -n "$NAMESPACE" --sa "${GKE_SA}" <pod-name>
            ```

            ```sh
            echo "$DB_PASSWORD" | wc -c
            ```
            """
        return try RunbookLoader().load(bytes: Array(md.utf8), path: "t.md")
    }

    @Test("values come from --set, then the environment, then earlier steps, then defaults")
    func precedence() throws {
        var r = VariableResolver(runbook: try runbook(), given: [:], environment: ["REGION": "europe-west1", "UNRELATED": "x"])
        #expect(r.value(of: "NAMESPACE")?.value == "staging")
        #expect(r.value(of: "NAMESPACE")?.source == .defaultValue)
        #expect(r.value(of: "REGION")?.value == "europe-west1")
        #expect(r.value(of: "REGION")?.source == .environment)
        #expect(r.value(of: "UNRELATED") == nil, "only the runbook's variables come from the environment")
        r.record(assignedByStep: ["NAMESPACE": "from-step"])
        #expect(r.value(of: "NAMESPACE")?.source == .step)
        r.give("NAMESPACE", "given")
        #expect(r.value(of: "NAMESPACE")?.value == "given")
        r.give("REGION", "given-region")
        #expect(r.value(of: "REGION")?.source == .given)
    }

    @Test("missing values are named, with the step that needs them; earlier assignments count")
    func missing() throws {
        let rb = try runbook()
        let r = VariableResolver(runbook: rb, given: [:], environment: [:])
        let missing = r.missing(for: rb.allSteps)
        #expect(missing.map(\.name) == ["POD_NAME", "DB_PASSWORD"])
        try #require(rb.allSteps.count > 1)
        #expect(missing.first?.step.id == rb.allSteps[1].id)
        // Without the step that assigns GKE_SA, it is not missing either: it is not a runbook variable.
        let r2 = VariableResolver(runbook: rb, given: ["POD_NAME": "p", "DB_PASSWORD": "s3cret"], environment: [:])
        #expect(r2.missing(for: rb.allSteps).isEmpty)
    }

    @Test("the environment of a step carries every value; secrets are known by declaration and name")
    func environmentAndSecrets() throws {
        var r = VariableResolver(runbook: try runbook(), given: ["DB_PASSWORD": "hunter2hunter2"], environment: ["PATH": "/bin"])
        r.record(assignedByStep: ["API_TOKEN": "tok-123456", "GKE_SA": "sa@x"])
        let steps = try runbook().allSteps
        try #require(steps.count > 1)
        let env = r.environment(for: steps[1])
        #expect(env["NAMESPACE"] == "staging")
        #expect(env["GKE_SA"] == "sa@x")
        #expect(env["PATH"] == "/bin")
        #expect(env["DB_PASSWORD"] == "hunter2hunter2")
        #expect(r.isSecret("DB_PASSWORD"))
        #expect(r.isSecret("API_TOKEN"))
        #expect(!r.isSecret("SECRET_NAME"), "secret: false overrides the name")
        #expect(Set(r.secretValues) == ["hunter2hunter2", "tok-123456"])
    }

    @Test("the masker hides every occurrence, longest secrets first")
    func masking() {
        let m = SecretMasker(secrets: ["abc", "abcdef", ""])
        #expect(m.mask("x abcdef y abc z") == "x •••••• y •••••• z")
        #expect(m.mask("nothing here") == "nothing here")
        #expect(SecretMasker(secrets: []).isEmpty)
    }

    @Test("a preview shows values in place, masks secrets, and leaves single quotes alone")
    func preview() {
        let values: (String) -> ResolvedValue? = { name in
            switch name {
            case "NS": ResolvedValue(value: "staging", source: .defaultValue, isSecret: false)
            case "PW": ResolvedValue(value: "hunter2", source: .given, isSecret: true)
            default: nil
            }
        }
        let out = CommandPreview.render(#"kubectl -n "$NS" get '$NS' ${NS} ${NS:-x} $UNSET --pw="$PW" \$NS"#, values: values)
        #expect(out == #"kubectl -n "staging" get '$NS' staging ${NS:-x} $UNSET --pw="••••••" \$NS"#)
    }

    @Test("values with shell syntax stay data: the command text never contains them")
    func injection() throws {
        let rb = try runbook()
        let r = VariableResolver(runbook: rb, given: ["NAMESPACE": "$(touch pwned); rm -rf x"], environment: [:])
        try #require(rb.allSteps.count > 1)
        let step = rb.allSteps[1]
        let invocation = StepInvocation(command: step.command, captureFile: nil)
        #expect(!invocation.arguments.joined().contains("touch pwned"))
        #expect(r.environment(for: step)["NAMESPACE"] == "$(touch pwned); rm -rf x")
    }

    @Test("a step that assigns variables runs through the capture wrapper; others run as written")
    func invocation() {
        let plain = StepInvocation(command: "kubectl get pods", captureFile: "/tmp/x")
        #expect(plain.arguments == ["-c", "kubectl get pods"])
        #expect(plain.captures.isEmpty)
        let capturing = StepInvocation(command: "GKE_SA=$(gcloud x)\nexport B=2", captureFile: "/tmp/cap")
        #expect(capturing.captures == ["B", "GKE_SA"])
        #expect(capturing.arguments == ["-c", StepInvocation.wrapper])
        #expect(capturing.environment["RUNBOOK_STEP_COMMAND"] == "GKE_SA=$(gcloud x)\nexport B=2")
        #expect(StepInvocation.parseCaptures(Array("B=2\0GKE_SA=a=b\0EVIL=1\0".utf8), allowed: ["B", "GKE_SA"]) == ["B": "2", "GKE_SA": "a=b"])
    }
}
