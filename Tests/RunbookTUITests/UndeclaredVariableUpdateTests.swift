import Foundation
import RunbookKit
import Testing

@testable import RunbookTUI

/// The variables screen asks for an undeclared `$VAR` a step needs (issue 11, item 5), and not for a
/// variable the step assigns itself.
@Suite("update: undeclared variables are asked for")
struct UndeclaredVariableUpdateTests {
    static let runbook = Fixture.inline("""
        ---
        title: Undeclared
        ---
        # Undeclared

        ## Pods

        ### Diagnose

        ```sh {name=pods}
        export POD_NAME=prometheus-0
        echo "app=$APP_LABEL" <pod-name> "$HOME"
        ```
        """)

    @Test("Enter on a step with an undeclared $VAR asks for it, not for the placeholder the step assigns; the value reaches the run")
    func asksForUndeclared() throws {
        var s = Fixture.state([Self.runbook])
        s.press(.enter, .down, .down, .enter)
        #expect(s.press(.enter).runs.isEmpty, "nothing runs with APP_LABEL empty")
        #expect(s.screenName == "variables")
        let rows = s.screen.split(separator: "\n").map(String.init)
        try #require(rows.count > 4)
        #expect(rows[1] == " Step pods needs a value before it runs: APP_LABEL")
        #expect(s.screen.contains("$APP_LABEL in step pods (line 10) is not declared"), "\(s.screen)")
        #expect(!rows[1].contains("POD_NAME"))
        s.type("prometheus")
        let (_, launch) = try #require(s.press(.enter).runs.first)
        #expect(launch.step.id == "pods")
        #expect(launch.environment["APP_LABEL"] == "prometheus")
        #expect(launch.environment["POD_NAME"] == nil, "the step assigns it itself")
    }

    @Test("an undeclared variable set in runbook's environment is not asked, and is listed as from the environment")
    func fromEnvironment() throws {
        var s = Fixture.state([Self.runbook], environment: ["PATH": "/usr/bin:/bin", "HOME": "/home/oncall", "APP_LABEL": "alertmanager"])
        s.press(.enter, .down, .down, .enter)
        let (_, launch) = try #require(s.press(.enter).runs.first)
        #expect(launch.environment["APP_LABEL"] == "alertmanager")
        s.press(.escape, .escape, .up, .enter)
        #expect(s.screenName == "variables")
        #expect(s.screen.contains("APP_LABEL"))
        #expect(s.screen.contains("environment"))
    }
}
