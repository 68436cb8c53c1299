import Foundation
import Testing
@testable import RunbookKit

@Suite("search text and index")
struct SearchIndexTests {
    func load(_ text: String, path: String = "rb/one.md") throws -> Runbook {
        try RunbookLoader().load(bytes: Array(text.utf8), path: path)
    }

    @Test("addresses, ports, times, ids, hashes and generated pod suffixes are left out")
    func noiseIsDropped() {
        #expect(SearchText.words(#"host "10.4.2.17:5432" user "app""#) == ["host", "user", "app"])
        #expect(SearchText.words("2026-12-06T03:14:07.512Z fe80::1ff:fe23:4567:890a ready") == ["ready"])
        #expect(SearchText.words("Dec  6 04:12:33 node kubelet[1234]: started") == ["dec", "6", "node", "kubelet", "start"])
        #expect(SearchText.words("pod/web-7d9f8c6b5-x2k4p restarted") == ["pod", "web", "restart"])
        #expect(SearchText.words("request 123e4567-e89b-12d3-a456-426614174000 digest sha256:3f9a1c2d4e5f") == ["request", "digest", "sha256"])
        #expect(SearchText.words("Get \"https://10.56.1.10:8000/api/v1/health/live\"") == ["get", "https", "api", "v1", "health", "live"])
    }

    @Test("of a file's path only its last part counts: where a system installs a program differs, its name does not")
    func paths() {
        #expect(SearchText.words("exec /usr/local/bin/gunicorn: exec format error") == ["exec", "gunicorn", "exec", "format", "error"])
        #expect(SearchText.words("exec /usr/bin/gunicorn") == SearchText.words("exec /opt/venv/bin/gunicorn"))
        #expect(SearchText.words("open '/app/manage.py'") == ["open", "manage", "py"])
        // Not a path: a pod/name, a URL, an image reference keep every part.
        #expect(SearchText.words("pod/web restarted") == ["pod", "web", "restart"])
        #expect(SearchText.words("gcr.io/project/backend:v1").contains("project"))
    }

    @Test("short numbers and words that look technical are kept")
    func meaningfulKept() {
        #expect(SearchText.words("HTTP probe failed with statuscode: 400") == ["http", "probe", "fail", "statuscode", "400"])
        #expect(SearchText.words("[Errno 13] Permission denied") == ["errno", "13", "permission", "deni"])
        #expect(SearchText.words("arm64 amd64 psycopg2 pg_hba.conf") == ["arm64", "amd64", "psycopg2", "pg", "hba", "conf"])
    }

    @Test("a camel-case word also gives its words, as prose writes them")
    func camelCase() {
        #expect(SearchText.words("KubePodCrashLooping") == ["kubepodcrashloop", "kube", "pod", "crash", "loop"])
        #expect(SearchText.camelCaseParts("HTTPServer") == ["HTTP", "Server"])
        #expect(SearchText.camelCaseParts("ImagePullBackOff") == ["Image", "Pull", "Back", "Off"])
        #expect(SearchText.camelCaseParts("psycopg2") == ["psycopg2"])
    }

    @Test("plural and past endings are cut the same way on both sides")
    func stems() {
        #expect(SearchText.words("rejects rejected") == SearchText.words("reject reject"))
        #expect(SearchText.stem("process") == "process")
    }

    @Test("in a log chunk, the line with the error weighs more than stack frames and INFO lines")
    func lineWeights() {
        #expect(SearchText.lineWeight("FATAL: password authentication failed") == 1.5)
        #expect(SearchText.lineWeight(#"  File "/app/x.py", line 3, in <module>"#) == 0.25)
        #expect(SearchText.lineWeight("[INFO] Listening at: http://0.0.0.0:8000") == 0.4)
        #expect(SearchText.lineWeight("hello") == 1)
    }

    static let twoEntries = """
        # Database

        ## Decision tree

        - What do the logs say?
          - `role does not exist`: [Missing role](#missing-role)

        ## Wrong password

        ### Symptoms

        ```text
        FATAL: password authentication failed for user "app"
        ```

        ## Missing role

        Nothing here mentions the error.

        ```sh
        psql -c 'select 1'
        ```

        Success indicators:

        - contains `1 row`
        """

    @Test("each entry is a document; a tree branch counts for the entry it links to")
    func treeBranchCountsForTarget() throws {
        let index = SearchIndex(runbooks: [try load(Self.twoEntries)])
        #expect(index.documents.map(\.entry) == ["wrong-password", "missing-role"])
        let hits = index.search(#"FATAL:  role "orders" does not exist"#)
        #expect(hits.first?.anchor == "missing-role")
        #expect(hits.first?.line == 6)
        #expect(hits.first?.match.contains("role does not exist") == true)
        let password = index.search(#"password authentication failed for user "svc""#)
        #expect(password.first?.anchor == "wrong-password")
        #expect(password.first?.line == 13)
        #expect(password.first?.link == "rb/one.md#wrong-password")
    }

    @Test("the answers on the way down the tree count for the entry a branch leads to")
    func treePath() throws {
        let text = """
            # Pods

            ## Decision tree

            - What state is the pod in?
              - `CrashLoopBackOff`: it starts and dies
                - What do the logs say?
                  - `role does not exist`: [Missing role](#missing-role)

            ## Missing role

            Create it.
            """
        let index = SearchIndex(runbooks: [try load(text)])
        let doc = try #require(index.documents.first)
        #expect(doc.lines.filter { $0.field == .treePath }.map(\.line) == [6])
        #expect(doc.lines.filter { $0.field == .tree }.map(\.line) == [8])
        #expect(index.search("CrashLoopBackOff").first?.anchor == "missing-role")
    }

    @Test("fields: the title, symptoms, indicators and commands are indexed with their lines")
    func fields() throws {
        let index = SearchIndex(runbooks: [try load(Self.twoEntries)])
        let doc = try #require(index.documents.last)
        #expect(doc.lines.first { $0.field == .title }?.text == "Missing role")
        #expect(doc.lines.first { $0.field == .command }?.line == 21)
        #expect(doc.lines.first { $0.field == .indicator }?.line == 26)
        #expect(doc.lines.first { $0.field == .tree }?.line == 6)
        #expect(index.documents.first?.lines.filter { $0.field == .symptoms }.map(\.line) == [10, 13])
    }

    @Test("a runbook without entries is one document; a query of no known word finds nothing")
    func wholeRunbook() throws {
        let index = SearchIndex(runbooks: [try load("# Notes\n\nRestart the exporter when scrapes fail.\n", path: "notes.md")])
        #expect(index.documents.count == 1)
        #expect(index.search("exporter scrapes").first?.file == "notes.md")
        #expect(index.search("exporter scrapes").first?.entry == nil)
        #expect(index.search("zyxwv").isEmpty)
        #expect(index.search("").isEmpty)
    }

    @Test("with prefix, the last word also matches the words it starts (a query being typed)")
    func prefix() throws {
        let index = SearchIndex(runbooks: [try load(Self.twoEntries)])
        #expect(index.search("authenti").isEmpty)
        #expect(index.search("authenti", prefix: true).first?.anchor == "wrong-password")
    }

    @Test("the index is a plain value that survives JSON")
    func codable() throws {
        let index = SearchIndex(runbooks: [try load(Self.twoEntries)])
        let data = try JSONEncoder().encode(index)
        let back = try JSONDecoder().decode(SearchIndex.self, from: data)
        #expect(back == index)
        #expect(back.search("password").first?.anchor == "wrong-password")
    }
}
