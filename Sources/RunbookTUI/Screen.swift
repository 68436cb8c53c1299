import RunbookKit

/// One screen of the TUI with its own state. The screens form a stack: Enter pushes, `q` pops.
enum Screen: Sendable {
    case home(HomeScreen)
    case runbook(RunbookScreen)
    case triage(TriageScreen)
    case entry(EntryScreen)
    case step(StepScreen)
    case checklist(ChecklistScreen)
    case walkthrough(WalkthroughScreen)
    case variables(VariablesScreen)
    case help(HelpScreen)

    /// The runbook the screen shows, if any (Home and Help show none).
    var runbook: Int? {
        switch self {
        case .home, .help: nil
        case .runbook(let s): s.runbook
        case .triage(let s): s.runbook
        case .entry(let s): s.runbook
        case .step(let s): s.key.runbook
        case .checklist(let s): s.runbook
        case .walkthrough(let s): s.runbook
        case .variables(let s): s.runbook
        }
    }

    var kind: String {
        switch self {
        case .home: "home"
        case .runbook: "runbook"
        case .triage: "triage"
        case .entry: "entry"
        case .step: "step"
        case .checklist: "checklist"
        case .walkthrough: "walkthrough"
        case .variables: "variables"
        case .help: "help"
        }
    }
}

/// A screen on the stack, with an id that tells it apart from a later screen at the same place.
struct ScreenFrame: Sendable {
    var id: Int
    var screen: Screen
}

/// A step of a runbook: the runbook's index in the library and the step's id.
struct StepKey: Sendable, Hashable {
    var runbook: Int
    var step: String
}

/// A checklist of a runbook.
struct ChecklistKey: Sendable, Hashable {
    var runbook: Int
    var checklist: Int
}

/// A key and what it does, for the bottom line and the help screen.
struct KeyHint: Sendable, Hashable {
    var key: String
    var action: String

    init(_ key: String, _ action: String) {
        self.key = key
        self.action = action
    }
}
