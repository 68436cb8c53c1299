import Foundation
import RunbookTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The drills with a lab (`lab: postgres`): a real PostgreSQL 15 server in the workspace, configured
/// like the scenario's Cloud SQL instance, that the simulators act on. Through it the ssl-required and
/// db-user-missing drills pass after the runbook's fix, the messages are PostgreSQL's own, and the
/// server ends with the drill however the drill ends: the command's exit, SIGTERM, SIGHUP, and kill -9
/// of `runbook` itself. (The full fix paths, and the wrong fixes staying red, are StagingDrillTests',
/// which run on the same scenarios and so on the real server.)
/// Whether PostgreSQL 15's server is installed here.
let labServerInstalled = FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/postgres")

@Suite("drill lab: PostgreSQL", .enabled(if: labServerInstalled, "PostgreSQL 15's server is not installed (scripts/setup installs it)"))
struct LabDrillTests {
    static let repo = ProgramRun.repository
    static let troubleshooting = repo + "/runbooks/gke-staging-troubleshooting.md"

    let folder: String
    let marker = ProcessMarker()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-lab-drill-\(UUID().uuidString)").path
        for sub in ["tmp", "state"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
    }

    func cleanUp() {
        marker.killAll()
        try? FileManager.default.removeItem(atPath: folder)
    }

    var environment: [String: String] {
        ["TMPDIR": folder + "/tmp", "XDG_STATE_HOME": folder + "/state", "RUNBOOK_PATH": Self.repo + "/runbooks"]
            .merging(marker.environment) { a, _ in a }
    }

    func drill(_ args: [String]) throws -> ProgramRun {
        try ProgramRun.run(["drill"] + args, environment: environment)
    }

    /// Workspaces left in the private TMPDIR.
    func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/tmp")) ?? []).filter { $0.hasPrefix("runbook-drill-") }
    }

    /// The processes working in `workspace`: the server and every one of its children (a server's
    /// child rewrites its environment for `ps`, but keeps the data folder as its working directory).
    static func processes(in workspace: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd"),
                cwd == workspace || cwd.hasPrefix(workspace + "/"),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                let state = stat[stat.index(after: close)...].split(separator: " ").first, state != "Z"
            else { return nil }
            return pid
        }
    }

    @Test("ssl-required: the pods' crash is the real server's pg_hba.conf answer; the runbook's fix makes verification pass")
    func sslRequired() throws {
        defer { cleanUp() }
        let script = """
            kubectl logs -n coditect-staging -l app=coditect-backend -c backend --tail=100 --previous 2>&1 | grep FATAL
            runbook check \(Self.troubleshooting) --entry issue-4-cloud-sql-requires-ssl --option 'Option A' > /dev/null && exit 10
            gcloud sql instances patch coditect-db --ssl-mode=ALLOW_UNENCRYPTED_AND_ENCRYPTED --project=coditect-cloud-infra --quiet 2> /dev/null
            kubectl rollout restart deployment/coditect-backend -n coditect-staging > /dev/null
            runbook check \(Self.troubleshooting) --entry issue-4-cloud-sql-requires-ssl --option 'Option A'
            """
        let run = try drill(["ssl-required", "--", "sh", "-c", script])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        // libpq's retry without TLS after the server asked for a client certificate, word for word;
        // the host is the lab's loopback address, which no simulator ever wrote.
        #expect(run.stdout.contains("FATAL:  connection requires a valid client certificate"), "\(run.stdout)")
        #expect(run.stdout.contains(#"FATAL:  pg_hba.conf rejects connection for host "127.0.0.1", user "coditect_app", database "coditect_db", no encryption"#), "\(run.stdout)")
        #expect(leftovers().isEmpty)
        #expect(marker.survivors().isEmpty, "a process of the drill outlived it")
    }

    @Test("db-user-missing: the real server refuses the user, runs the runbook's SQL, then lets the pods in")
    func dbUserMissing() throws {
        defer { cleanUp() }
        let password = "Vq7LmT2rPz9KwB4nYc8HdF3sJa'6GeU1xZo5RtN0"
        let script = """
            export DB_PASSWORD='\(password.replacingOccurrences(of: "'", with: "'\\''"))'
            kubectl logs -n coditect-staging -l app=coditect-backend -c backend --tail=100 --previous 2>&1 | grep FATAL
            gcloud sql users create coditect_app --instance=coditect-db --password="$DB_PASSWORD" --project=coditect-cloud-infra 2> /dev/null
            gcloud sql users create coditect_app --instance=coditect-db --password="$DB_PASSWORD" --project=coditect-cloud-infra
            gcloud sql databases create coditect_db --instance=coditect-db --project=coditect-cloud-infra
            kubectl delete secret backend-secrets -n coditect-staging > /dev/null
            kubectl create secret generic backend-secrets -n coditect-staging --from-literal=django-secret-key=k \\
              --from-literal=db-name=coditect_db --from-literal=db-user=coditect_app --from-literal=db-password="$DB_PASSWORD" \\
              --from-literal=db-host=10.41.64.3 --from-literal=redis-host=10.41.65.4 > /dev/null
            kubectl rollout restart deployment/coditect-backend -n coditect-staging > /dev/null
            printf 'any\\nGRANT ALL PRIVILEGES ON DATABASE coditect_db TO coditect_app;\\nSELECT no_such_column;\\n\\\\q\\n' |
              gcloud sql connect coditect-db --user=postgres --quiet --project=coditect-cloud-infra 2>&1
            runbook check \(Self.troubleshooting) --entry issue-5-database-user-missing-or-wrong-password > /dev/null && echo VERIFIED
            """
        let run = try drill(["db-user-missing", "--", "sh", "-c", script])
        #expect(run.stdout.contains(#"FATAL:  password authentication failed for user "coditect_app""#), "\(run.stdout)")
        #expect(run.stdout.contains("GRANT"), "the GRANT ran on the server: \(run.stdout)")
        #expect(run.stdout.contains(#"ERROR:  column "no_such_column" does not exist"#), "\(run.stdout)")
        #expect(run.stderr.contains(#"pq: database "coditect_db" already exists"#), "\(run.stderr)")
        #expect(run.stderr.contains("HTTPError 409"), "the second create is refused: \(run.stderr)")
        #expect(run.stdout.contains("VERIFIED"), "\(run.stdout)\n\(run.stderr)")
        #expect(leftovers().isEmpty)
        #expect(marker.survivors().isEmpty, "a process of the drill outlived it")
    }

    /// Starts `runbook drill ssl-required -- sh -c …` whose command reports its workspace and waits;
    /// returns once the server's processes are seen working in the workspace.
    func startWaitingDrill() throws -> (StartedProgram, workspace: String, server: [pid_t], socketFolder: String) {
        let reported = folder + "/started"
        let script = """
            printf '%s\\n' "$RUNBOOK_DRILL_WORKSPACE" "$RUNBOOK_DRILL_LAB_FOLDER" > \(reported).partial
            mv \(reported).partial \(reported)
            exec sleep 300
            """
        let started = try StartedProgram.start(
            ["drill", "ssl-required", "--", "sh", "-c", script], environment: environment, folder: folder)
        #expect(KillTests.eventually(seconds: 60) { FileManager.default.fileExists(atPath: reported) }, "\(started.stderr)")
        let lines = try String(contentsOfFile: reported, encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let ws = lines[0]
        let server = Self.processes(in: lines[1])
        try #require(!server.isEmpty, "the lab's server runs in the workspace")
        #expect(FileManager.default.fileExists(atPath: lines[1]), "the server's socket folder")
        return (started, ws, server, lines[1])
    }

    func expectNothingLeft(_ ws: String, _ server: [pid_t], socketFolder: String?) {
        if let socketFolder {
            #expect(KillTests.eventually(seconds: 15) { !FileManager.default.fileExists(atPath: socketFolder) }, "the socket folder is removed")
        }
        if let socketFolder {
            #expect(KillTests.eventually(seconds: 15) { Self.processes(in: socketFolder).isEmpty }, "a server process outlived the drill")
        }
        for pid in server {
            #expect(KillTests.eventually(seconds: 15) { DrillCommandTests.isGone(pid) }, "server process \(pid) outlived the drill")
        }
        #expect(KillTests.eventually(seconds: 15) { !FileManager.default.fileExists(atPath: ws) }, "the workspace is removed")
        #expect(KillTests.eventually(seconds: 15) { leftovers().isEmpty })
        #expect(marker.survivors(within: .seconds(15)).isEmpty, "a process of the drill outlived it")
    }

    @Test("kill -9 of runbook drill during a lab drill: the server and the workspace go all the same")
    func sigkillStopsTheLab() throws {
        defer { cleanUp() }
        let (started, ws, server, socketFolder) = try startWaitingDrill()
        kill(started.pid, SIGKILL)
        #expect(started.wait() == 128 + SIGKILL)
        expectNothingLeft(ws, server, socketFolder: socketFolder)
    }

    @Test("SIGTERM and SIGHUP to runbook drill stop the lab's server and remove the workspace", arguments: [SIGTERM, SIGHUP])
    func signalStopsTheLab(signal: Int32) throws {
        defer { cleanUp() }
        let (started, ws, server, socketFolder) = try startWaitingDrill()
        kill(started.pid, signal)
        #expect(started.wait(seconds: 60) == 128 + signal, "\(started.stderr)")
        expectNothingLeft(ws, server, socketFolder: socketFolder)
    }

    @Test("the command's end stops the lab's server")
    func commandEndStopsTheLab() throws {
        defer { cleanUp() }
        let run = try drill(["ssl-required", "--", "sh", "-c", "printf '%s\\n' \"$RUNBOOK_DRILL_WORKSPACE\" \"$RUNBOOK_DRILL_PGPORT\" \"$RUNBOOK_DRILL_LAB_FOLDER\""])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3)
        #expect(Int(lines[1]) != nil, "the lab's port is in the drill's environment")
        expectNothingLeft(lines[0], [], socketFolder: lines[2])
    }
}
