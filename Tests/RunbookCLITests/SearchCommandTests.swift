import Foundation
import RunbookTestSupport
import Testing

/// `runbook search`: an error line as the real tool prints it, with its own pod names, addresses and
/// times, finds the staging runbook's entry for it first.
@Suite("runbook search")
struct SearchCommandTests {
    let repo = ProgramRun.repository
    var runbooks: String { repo + "/runbooks" }
    let temporary: TemporaryFolder

    init() throws {
        temporary = try TemporaryFolder("runbook-search")
    }

    static let issue1 = "issue-1-gcr-shut-down-403-forbidden"
    static let issue2 = "issue-2-image-built-for-the-wrong-platform"
    static let issue3 = "issue-3-non-root-user-cannot-read-the-installed-packages"
    static let issue4 = "issue-4-cloud-sql-requires-ssl"
    static let issue5 = "issue-5-database-user-missing-or-wrong-password"
    static let issue6 = "issue-6-django-rejects-the-pod-ip-allowed_hosts"
    static let issue7 = "issue-7-health-probes-use-https-against-an-http-port"

    /// Lines as kubelet, the container runtime, Python, psycopg, Django and gcloud print them, from
    /// other clusters than the runbook's (other pods, IPs, users, images and times).
    static let cases: [(line: String, anchor: String)] = [
        (#"  Warning  Failed     14s (x3 over 52s)  kubelet  Failed to pull image "gcr.io/acme-staging/web:4f2a9c1": failed to pull and unpack image "gcr.io/acme-staging/web:4f2a9c1": failed to resolve reference "gcr.io/acme-staging/web:4f2a9c1": unexpected status from HEAD request to https://gcr.io/v2/acme-staging/web/manifests/4f2a9c1: 403 Forbidden"#, issue1),
        (#"denied: Container Registry is deprecated and shutting down, please use the auto migration tool to migrate to Artifact Registry (gcloud artifacts docker upgrade migrate --projects='acme-staging'). For more details see: https://cloud.google.com/artifact-registry/docs/transition/auto-migrate-gcr-ar"#, issue1),
        ("exec /usr/local/bin/gunicorn: exec format error", issue2),
        ("PermissionError: [Errno 13] Permission denied: '/app/media/uploads/2026/12'", issue3),
        (#"2026-12-06T03:14:07.512Z psycopg.OperationalError: connection failed: connection to server at "10.4.2.17", port 5432 failed: FATAL:  pg_hba.conf rejects connection for host "10.4.2.17", user "app", database "app", no encryption"#, issue4),
        (#"django.db.utils.OperationalError: connection to server at "10.20.0.5", port 5432 failed: FATAL:  password authentication failed for user "orders_svc""#, issue5),
        ("[2026-12-06 03:14:07,512] ERROR django.security.DisallowedHost: Invalid HTTP_HOST header: '10.8.0.23:8000'. You may need to add '10.8.0.23' to ALLOWED_HOSTS.", issue6),
        ("Warning  Unhealthy  pod/web-7d9f8c6b5-x2k4p  Readiness probe failed: HTTP probe failed with statuscode: 400", issue6),
        (#"Warning  Unhealthy  5s (x9 over 85s)  kubelet  Liveness probe failed: Get "https://10.8.1.42:8000/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"#, issue7),
        (#"Liveness probe failed: Get "https://10.8.1.42:8000/healthz": http: server gave HTTP response to HTTPS client"#, issue7),
    ]

    func firstResult(_ query: String) throws -> [String: Any]? {
        let run = try ProgramRun.run(["search", query, runbooks, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (parsed?["results"] as? [[String: Any]])?.first
    }

    @Test("a real error line finds its issue first", arguments: cases.indices)
    func errorLineFindsIssue(_ i: Int) throws {
        let (line, anchor) = Self.cases[i]
        let first = try firstResult(line)
        #expect(first?["anchor"] as? String == anchor, "\(line) → \(first ?? [:])")
        #expect(first?["file"] as? String == runbooks + "/gke-staging-troubleshooting.md")
    }

    @Test("JSON gives the file, runbook, entry, title, anchor, the matching line and a score")
    func jsonShape() throws {
        let run = try ProgramRun.run(["search", "exec format error", runbooks, "--json", "--limit", "2"])
        #expect(run.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(parsed?["query"] as? String == "exec format error")
        let results = parsed?["results"] as? [[String: Any]] ?? []
        #expect(results.count == 2)
        let first = results.first ?? [:]
        #expect(first["runbook"] as? String == "gke-staging-troubleshooting")
        #expect(first["entry"] as? String == Self.issue2)
        #expect(first["title"] as? String == "Issue 2: Image built for the wrong platform")
        #expect((first["match"] as? String)?.contains("exec format error") == true)
        #expect((first["line"] as? Int ?? 0) > 0)
        #expect((first["score"] as? Double ?? 0) > 0)
    }

    @Test("the text output names file:line, the title, the matching line and how to open it")
    func textOutput() throws {
        let run = try ProgramRun.run(["search", "password authentication failed", runbooks, "--limit", "1"])
        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix(runbooks + "/gke-staging-troubleshooting.md:") == true)
        #expect(lines.first?.contains("Issue 5: Database user missing or wrong password") == true)
        #expect(lines.last == "    runbook \(runbooks)/gke-staging-troubleshooting.md#\(Self.issue5)")
    }

    @Test("search - reads a pasted log chunk from standard input")
    func readsStandardInput() throws {
        let log = temporary.path + "/crash.log"
        try """
            [2026-12-06 03:14:05 +0000] [1] [INFO] Starting gunicorn 23.0.0
            [2026-12-06 03:14:05 +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)
            Traceback (most recent call last):
              File "/usr/local/lib/python3.12/site-packages/psycopg/connection.py", line 119, in connect
            psycopg.OperationalError: connection failed: connection to server at "10.4.2.17", port 5432 failed: FATAL:  pg_hba.conf rejects connection for host "10.4.2.17", user "app", database "app", no encryption
            """.write(toFile: log, atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(
            ["-c", "exec \"$0\" search - \"$1\" --json < \"$2\"", ProgramRun.binary, runbooks, log], executable: "/bin/sh")
        #expect(run.status == 0, "\(run.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let first = (parsed?["results"] as? [[String: Any]])?.first
        #expect(first?["anchor"] as? String == Self.issue4)
    }

    @Test("nothing matching exits 1; an empty query exits 2")
    func exitCodes() throws {
        let none = try ProgramRun.run(["search", "zyxwvut", runbooks])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no entry matches"))
        let empty = try ProgramRun.run(["search", "  ", runbooks])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("runbook: error: nothing to search for"))
    }

    @Test("a secret variable's value from the environment never shows in a result")
    func secretsMasked() throws {
        let dir = temporary.path + "/rb"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        try """
            ---
            variables:
              API_TOKEN:
                secret: true
            ---
            # Tokens

            ## Token rejected

            ### Symptoms

            ```text
            401 Unauthorized: token hunter2hunter2 rejected by the gateway
            ```
            """.write(toFile: dir + "/tokens.md", atomically: true, encoding: .utf8)
        let run = try ProgramRun.run(["search", "token rejected by the gateway", dir], environment: ["API_TOKEN": "hunter2hunter2"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Token rejected"))
        #expect(!run.stdout.contains("hunter2hunter2"))
        #expect(run.stdout.contains("••••••"))
    }
}
