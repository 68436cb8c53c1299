import Foundation
import RunbookKit
import RunbookTestSupport
import Testing
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// What can be checked of `deploy/` without a cluster or a container engine: the alerting rules pass
/// `promtool check rules` and their unit tests (`promtool test rules`); the manifests parse, grant only
/// reading, and grant what the scheduled checklist reads; the CronJob's container command, run as
/// Kubernetes would run it (with `kubectl` and `curl` stubbed), is one `runbook check` accepts, writes
/// metrics promtool accepts, and pushes them. `docker build` of deploy/Containerfile is not run here.
@Suite("deploy/: the CronJob, its RBAC and the alerting rules")
struct DeployTests {
    static let deploy = ProgramRun.repository + "/deploy"
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-deploy")
    }

    // MARK: - Alerting rules

    @Test("promtool check rules accepts the alerting rules")
    func rulesCheck() throws {
        let run = try MetricsParsers.promtool(["check", "rules", Self.deploy + "/prometheus/runbook-check-alerts.yaml"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("SUCCESS: 4 rules found"))
    }

    @Test("promtool test rules: each alert fires on a failure or silence, and not on a healthy check")
    func rulesTest() throws {
        let run = try MetricsParsers.promtool(["test", "rules", Self.deploy + "/prometheus/runbook-check-alerts.test.yaml"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("SUCCESS"))
    }

    @Test("the rules use the metrics runbook check writes, by their names")
    func rulesNameRealMetrics() throws {
        let rules = try String(contentsOfFile: Self.deploy + "/prometheus/runbook-check-alerts.yaml", encoding: .utf8)
        let used = Set(rules.matches(of: /runbook_check_[a-z_]+/).map { String($0.output) })
        #expect(!used.isEmpty)
        for name in used {
            #expect(CheckReport.metricNames.contains(name), "\(name) is not a metric of runbook check")
        }
    }

    // MARK: - Kubernetes manifests

    /// The YAML documents of a manifest file, as Yams reads them.
    func documents(_ file: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: Self.deploy + "/kubernetes/" + file, encoding: .utf8)
        var sequence = try Yams.load_all(yaml: text)
        var out: [[String: Any]] = []
        while let doc = sequence.next() {
            out.append(try #require(doc as? [String: Any], "\(file): a document is not a mapping"))
        }
        if let error = sequence.error { throw error }
        return out
    }

    func cronJob() throws -> (job: [String: Any], container: [String: Any]) {
        let job = try #require(try documents("cronjob.yaml").first { $0["kind"] as? String == "CronJob" })
        let spec = try #require(job["spec"] as? [String: Any])
        let template = try #require(((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])?["template"] as? [String: Any])
        let pod = try #require(template["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        return (job, container)
    }

    @Test("every manifest parses, and every object has an apiVersion, a kind and a name")
    func manifestsParse() throws {
        for file in ["rbac.yaml", "cronjob.yaml"] {
            let docs = try documents(file)
            #expect(!docs.isEmpty)
            for doc in docs {
                #expect(doc["apiVersion"] is String, "\(file): \(doc)")
                #expect(doc["kind"] is String, "\(file): \(doc)")
                #expect((doc["metadata"] as? [String: Any])?["name"] is String, "\(file): \(doc)")
            }
        }
        let kinds = try documents("rbac.yaml").compactMap { $0["kind"] as? String }
        #expect(kinds == ["Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"])
    }

    @Test("RBAC reads only: get, list and watch; one Secret by name with get alone; no exec")
    func rbacReadOnly() throws {
        for doc in try documents("rbac.yaml") where ["Role", "ClusterRole"].contains(doc["kind"] as? String) {
            for rule in doc["rules"] as? [[String: Any]] ?? [] {
                let verbs = Set(rule["verbs"] as? [String] ?? [])
                let resources = rule["resources"] as? [String] ?? []
                #expect(!verbs.isEmpty && verbs.isSubset(of: ["get", "list", "watch"]), "\(rule)")
                #expect(!resources.contains { $0 == "*" || $0.hasSuffix("/exec") || $0.hasSuffix("/attach") }, "\(rule)")
                if resources.contains("secrets") {
                    #expect(verbs == ["get"], "list or watch would read every Secret")
                    #expect(rule["resourceNames"] as? [String] == ["backend-secrets"])
                }
            }
        }
        // The CronJob runs as the ServiceAccount the bindings name.
        let job = try cronJob().job
        let namespace = (job["metadata"] as? [String: Any])?["namespace"] as? String
        let pod = (((job["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])?["template"] as? [String: Any]
        let account = (pod?["spec"] as? [String: Any])?["serviceAccountName"] as? String
        for doc in try documents("rbac.yaml") where (doc["kind"] as? String)?.hasSuffix("Binding") == true {
            let subject = (doc["subjects"] as? [[String: Any]])?.first
            #expect(subject?["name"] as? String == account)
            #expect(subject?["namespace"] as? String == namespace)
        }
    }

    @Test("the Role grants every resource the scheduled checklist's commands read")
    func rbacCoversTheChecklist() throws {
        // The CronJob's args, with its --format and --output replaced by a dry run's JSON plan.
        var args: [String] = []
        var rest = try runbookArgs()[...]
        while let arg = rest.popFirst() {
            if arg == "--format" || arg == "--output" { _ = rest.popFirst() } else { args.append(arg) }
        }
        let plan = try ProgramRun.run(
            ["check"] + args + ["--dry-run", "--format", "json"], environment: ["XDG_STATE_HOME": temporary.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let commands = (obj["steps"] as? [[String: Any]] ?? []).filter { $0["would_run"] as? Bool == true }.compactMap { $0["command"] as? String }
        #expect(!commands.isEmpty)
        var granted = Set<String>()
        for doc in try documents("rbac.yaml") where doc["kind"] as? String == "Role" {
            for rule in doc["rules"] as? [[String: Any]] ?? [] { granted.formUnion(rule["resources"] as? [String] ?? []) }
        }
        let plural = ["secret": "secrets", "configmap": "configmaps", "pod": "pods", "deployment": "deployments", "endpoints": "endpoints", "events": "events"]
        for command in commands {
            #expect(!command.contains("kubectl exec"), "exec is not granted: \(command)")
            for match in command.matches(of: /kubectl (?:get|describe) ([a-z]+)/) {
                let kind = String(match.output.1)
                let resource = plural[kind] ?? kind
                #expect(granted.contains(resource), "the Role does not grant \(resource), which `\(command)` reads")
            }
        }
    }

    // MARK: - The CronJob's command, run as Kubernetes would

    /// The container's `args`, with `$(VAR)` filled in from its `env` as Kubernetes does.
    func runbookArgs(environment overrides: [String: String] = [:]) throws -> [String] {
        let (_, container) = try cronJob()
        var env: [String: String] = [:]
        for e in container["env"] as? [[String: Any]] ?? [] {
            if let name = e["name"] as? String, let value = e["value"] as? String { env[name] = value }
        }
        env.merge(overrides) { $1 }
        let args = try #require(container["args"] as? [String])
        return args.map { arg in
            var out = arg
            for (name, value) in env { out = out.replacingOccurrences(of: "$(\(name))", with: value) }
            return out
        }
    }

    /// Runs the container's command (`/bin/sh -c SCRIPT runbook-check ARGS...`) in the repository's
    /// folder (the image's WORKDIR holds `runbooks/` the same way), with stubs of kubectl (no cluster)
    /// and curl (records its arguments, exits `curlStatus`) first on PATH.
    func runContainer(curlStatus: Int32 = 0, argsOverride: [String]? = nil) throws -> (run: ProgramRun, metrics: String, curl: String) {
        let (_, container) = try cronJob()
        let command = try #require(container["command"] as? [String])
        #expect(command.count == 4 && command[0] == "/bin/sh" && command[1] == "-c")
        let stubs = temporary.path + "/bin"
        try FileManager.default.createDirectory(atPath: stubs, withIntermediateDirectories: true)
        let curlLog = temporary.path + "/curl.args"
        try? FileManager.default.removeItem(atPath: curlLog)
        try "#!/bin/sh\necho 'error: no cluster in the test' >&2\nexit 1\n".write(toFile: stubs + "/kubectl", atomically: true, encoding: .utf8)
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(curlLog)'\nexit \(curlStatus)\n".write(toFile: stubs + "/curl", atomically: true, encoding: .utf8)
        chmod(stubs + "/kubectl", 0o755)
        chmod(stubs + "/curl", 0o755)
        let binFolder = (ProgramRun.binary as NSString).deletingLastPathComponent
        let metrics = temporary.path + "/metrics/runbook.prom"
        try FileManager.default.createDirectory(atPath: temporary.path + "/metrics", withIntermediateDirectories: true)
        var env: [String: String] = ["PATH": "\(stubs):\(binFolder):/usr/bin:/bin", "XDG_STATE_HOME": temporary.path + "/state", "SCRIPT": command[2]]
        for e in container["env"] as? [[String: Any]] ?? [] {
            if let name = e["name"] as? String, let value = e["value"] as? String { env[name] = value }
        }
        env["METRICS_FILE"] = metrics
        let args = try argsOverride ?? runbookArgs(environment: ["METRICS_FILE": metrics])
        let run = try ProgramRun.run(
            ["-c", "cd \"$1\" || exit 99; shift; exec /bin/sh -c \"$SCRIPT\" \"$@\"", "wrapper", ProgramRun.repository, command[3]] + args,
            environment: env, executable: "/bin/sh")
        let written = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
        let curl = (try? String(contentsOfFile: curlLog, encoding: .utf8)) ?? ""
        return (run, written, curl)
    }

    @Test("the CronJob's command: runbook check accepts its args, writes metrics promtool accepts, and pushes them")
    func cronJobCommand() throws {
        let (run, metrics, curl) = try runContainer()
        #expect(run.status == 0, "failed checks are results, pushed, not a failed Job: \(run.stderr)")
        #expect(metrics.contains(#"runbook_check_run_success{runbook="gke-staging-pre-deploy",version="#))
        #expect(metrics.contains(#"mode="checklist",checklist="environment-variables-checklist"} 0"#), "kubectl has no cluster: the checks fail")
        let lint = try MetricsParsers.promtool(["check", "metrics"], stdin: temporary.path + "/metrics/runbook.prom")
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        let pushed = curl.split(separator: "\n").map(String.init)
        #expect(pushed.contains("PUT"))
        #expect(pushed.contains("@" + temporary.path + "/metrics/runbook.prom"))
        #expect(pushed.last == "http://pushgateway.monitoring.svc:9091/metrics/job/runbook_check/check/staging-env")
    }

    @Test("the CronJob's command: a failed push fails the Job (3); checks that cannot run fail it with 2 and push nothing")
    func cronJobFailures() throws {
        #expect(try runContainer(curlStatus: 22).run.status == 3)
        let cannot = try runContainer(argsOverride: ["runbooks/gke-staging-pre-deploy.md", "--checklist", "no-such-checklist"])
        #expect(cannot.run.status == 2)
        #expect(cannot.curl.isEmpty, "nothing to push")
    }

    @Test("the Containerfile puts the runbooks where the CronJob's args look for them")
    func containerfileLayout() throws {
        let text = try String(contentsOfFile: Self.deploy + "/Containerfile", encoding: .utf8)
        #expect(text.contains("COPY runbooks/ /opt/runbook/runbooks/"))
        #expect(text.contains("WORKDIR /opt/runbook"))
        #expect(try runbookArgs().first?.hasPrefix("runbooks/") == true)
        #expect(text.contains("--static-swift-stdlib"))
    }
}
