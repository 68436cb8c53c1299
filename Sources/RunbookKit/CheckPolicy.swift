/// What `runbook check` runs: it never changes anything.
///
/// A step runs headless only when it is a verify, diagnose or probe step, does not ask for a
/// confirmation (`confirm=true`), neither needs a terminal nor runs until interrupted, and is classed
/// `read-only` by the command table — or `unknown` in a runbook whose front matter declares a `version`
/// (an authored runbook, whose unknown commands its authors answer for). Every other step is skipped,
/// with the reason; a skip is not a failure. `{readonly=true}` lets an author vouch for a step the table
/// gets wrong.
public enum CheckPolicy {
    /// Why `step` of `runbook` does not run headless, or nil when it does.
    public static func skipReason(_ step: Step, in runbook: Runbook) -> String? {
        if let why = step.shownOnlyReason { return why }
        switch step.role {
        case .verify, .diagnose, .probe: break
        case .fix: return "a fix step: check never runs fixes; run it in the TUI, where it asks first"
        case .walkthrough: return "a walkthrough step: check runs only verify, diagnose and probe steps"
        }
        if step.attributes.confirm == true { return "it asks for a confirmation (confirm=true): run it in the TUI" }
        let safety = step.safety
        if step.attributes.interactive {  // the author's word; a command that needs one is below
            return "interactive: it needs a terminal; run it in the TUI"
        }
        switch safety.safety {
        case .changes:
            return "it changes something (\(safety.reason)): check never changes anything; run it in the TUI, where it asks first"
        case .interactive:
            return safety.runsUntilInterrupted && !safety.needsTerminal
                ? "it never ends by itself (\(safety.reason)): run it in the TUI and stop it with Ctrl-C"
                : "it needs a terminal (\(safety.reason)): run it in the TUI"
        case .unknown:
            if runbook.version == nil {
                return "\(safety.reason), and this runbook declares no version: check runs unknown commands only in"
                    + " authored runbooks; add a version, or vouch for the step with {readonly=true}"
            }
        case .readOnly:
            break
        }
        if safety.needsTerminal { return "it needs a terminal (\(safety.reason)): run it in the TUI" }
        if safety.runsUntilInterrupted {
            return "it never ends by itself (\(safety.reason)): run it in the TUI and stop it with Ctrl-C"
        }
        if let opens = step.opensShell {
            return "it opens \(opens): run it in the TUI, which hands it the terminal"
        }
        return nil
    }
}
