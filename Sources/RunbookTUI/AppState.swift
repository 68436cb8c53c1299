import RunbookKit

/// What the TUI was started with.
public struct AppOptions: Sendable {
    /// Show every command, run none.
    public var dryRun = false
    /// A drill: the DRILL banner is shown and the journal marks the session.
    public var drill = false
    /// The drill's scenario id (journalled) and title (in the banner), when `drill` is set.
    public var drillId: String?
    public var drillTitle: String?
    /// A runbook to open at start (its screen above Home), by its path in the library.
    public var initialRunbookPath: String?
    /// Where in that runbook to open (an entry, a checklist, the tree, a heading): a deep link.
    public var initialPlace: RunbookPlace?
    /// NO_COLOR, or a terminal without colours: verdicts by symbol and word only.
    public var monochrome = false
    public var today: CalendarDate
    /// The environment `runbook` started in (values for the runbooks' variables come from it too).
    public var environment: [String: String]
    /// Values given for the session (`--set NAME=VALUE`): they win over every other source.
    public var given: [String: String] = [:]
    /// Run each runbook's context probes (front matter `context:`) when its session starts. The
    /// commands turn it on; a state made without it (the model's tests) has no context to show or gate on.
    public var probesContext = false

    public init(today: CalendarDate, environment: [String: String]) {
        self.today = today
        self.environment = environment
    }
}

/// The whole TUI as one value. Events go in through `update`, which returns effects for the runtime;
/// `view` renders a frame from the state alone. Nothing here touches a terminal, a file or a process.
///
/// The state is a stack of screens (`Screen`, each with its own selection, scroll and text fields), an
/// optional dialog over them (a confirmation), the runs of steps keyed by `RunID` (running and
/// finished), one `VariableResolver` per runbook, and the progress of checklists.
public struct AppState: Sendable {
    public var library: RunbookLibrary
    /// Every entry of the library, for the search on Home.
    let searchIndex: SearchIndex
    public var options: AppOptions
    public var size: ScreenSize
    /// Set once the user has asked to leave (or a signal ended the TUI). Steps still running then
    /// are being cancelled: their output and ends are still journaled, and the session ends after
    /// the last of them (``sessionEnd``).
    public private(set) var isFinished = false
    /// How the session ends, while it waits for the cancelled steps to end first.
    var sessionEnd: String?

    /// The screens; the last one is shown. Never empty: Home is at the bottom.
    var stack: [ScreenFrame]
    var nextFrameID = 1
    /// A question over the screen that takes every key until answered.
    var dialog: Dialog?
    /// Every run of the session, running or finished.
    var runs: [RunID: StepRun] = [:]
    var nextRunID = 1
    /// The latest run of each step.
    var lastRuns: [StepKey: RunID] = [:]
    /// Where each opened runbook's commands would land (front matter `context:`), by index.
    var contexts: [Int: RunbookContext] = [:]
    /// The variables of each runbook opened, by the runbook's index in the library.
    var resolvers: [Int: VariableResolver] = [:]
    /// Items ticked (or unticked) by hand, per checklist; items not here keep their box from the file.
    var ticks: [ChecklistKey: [Int: Bool]] = [:]
    /// `a` on a checklist: the items still to run, one after another.
    var runAll: RunAllQueue?
    /// The runbook whose session the journal records, by index; nil before any runbook is opened.
    var sessionRunbook: Int?
    /// Monotonic time of the last tick.
    var nowMs: Int?
    /// Why the session is not recorded, once the journal has stopped (shown as a banner from then on).
    var journalProblem: String?
    /// A message on the status line until the next key.
    var status: StatusMessage?
    /// The burst of input the last keys came in (``AppEvent/inputBurst(_:)``); nil until the runtime
    /// counts them.
    var inputBurst: Int?
    /// The question on screen and the burst it appeared in: keys of that burst do not answer it.
    var asked = AskedQuestion()

    public init(library: RunbookLibrary, options: AppOptions, size: ScreenSize) {
        self.library = library
        searchIndex = SearchIndex(runbooks: library.runbooks)
        self.options = options
        self.size = size
        stack = [ScreenFrame(id: 0, screen: .home(HomeScreen()))]
    }

    /// Whether the runtime should send `.tick` events (something runs).
    public var wantsTicks: Bool { runs.values.contains { $0.isRunning } }

    /// The screen shown.
    var top: Screen { stack[stack.count - 1].screen }

    /// The kind of the screen shown (`home`, `runbook`, `triage`, `entry`, `step`, `checklist`,
    /// `walkthrough`, `variables`, `help`), for tests and the runtime's diagnostics.
    public var screenName: String { top.kind }

    /// The screens from the bottom, by kind.
    public var screenNames: [String] { stack.map(\.screen.kind) }

    /// Whether a dialog (a confirmation) waits for an answer.
    public var isAsking: Bool { dialog != nil }

    /// The runs still going.
    public var runningRuns: [RunID] { runs.values.filter(\.isRunning).map(\.id).sorted() }

    // MARK: - Events

    /// Handles one event; returns what the runtime must do, in order.
    public mutating func update(_ event: AppEvent) -> [AppEffect] {
        let effects = handle(event)
        noteQuestion()
        return effects
    }

    mutating func handle(_ event: AppEvent) -> [AppEffect] {
        if isFinished { return updateWhileLeaving(event) }
        switch event {
        case .key(let key):
            return handleKey(key)
        case .paste(let text):
            return paste(text)
        case .inputBurst(let n):
            inputBurst = n
            return []
        case .resize(let s):
            size = s
            layOutWalkthroughs()
            return []
        case .output(let id, let lines, let partial, let verdicts):
            return receiveOutput(id, lines: lines, partial: partial, verdicts: verdicts)
        case .exited(let id, let ending), .interactiveFinished(let id, let ending):
            return finishRun(id, ending)
        case .journalStopped(let reason):
            journalProblem = reason
            status = .warning("session not recorded: \(reason)")
            return []
        case .tick(let now):
            nowMs = now
            for id in runs.keys where runs[id]?.isRunning == true && runs[id]?.startedAtMs == nil {
                runs[id]?.startedAtMs = now
            }
            return []
        case .started:
            guard let path = options.initialRunbookPath, stack.count == 1,
                let index = library.runbooks.firstIndex(where: { $0.path == path })
            else { return [] }
            return openRunbook(index) + open(options.initialPlace, in: index)
        case .terminate(let signal):
            return leave(decision: "signal \(signal) ended runbook", result: "interrupted by signal \(signal)")
        case .stopped:
            // The runtime is leaving on its own (it cannot wait for input any more).
            return leave(decision: "runbook stopped", result: "ended: runbook stopped") + updateWhileLeaving(.stopped)
        }
    }

    /// After quitting: the cancelled steps' output and ends are still journaled, then the session's
    /// end; nothing else happens.
    mutating func updateWhileLeaving(_ event: AppEvent) -> [AppEffect] {
        var effects: [AppEffect]
        switch event {
        case .output(let id, let lines, let partial, let verdicts):
            effects = receiveOutput(id, lines: lines, partial: partial, verdicts: verdicts)
        case .exited(let id, var ending), .interactiveFinished(let id, var ending):
            ending.assigned = [:]
            effects = finishRun(id, ending)
        case .stopped:
            // The runtime gave up waiting: what still ran was killed with its group, and its execution
            // journaled the end; a run it never reported ends here as cancelled.
            effects = []
            for id in runningRuns {
                let ms = runs[id]?.elapsedMs(now: nowMs) ?? 0
                effects += finishRun(
                    id, RunEnding(end: .cancelled, durationMs: ms, assigned: [:], verdicts: runs[id]?.verdicts ?? []))
            }
        case .tick(let now):
            nowMs = now
            return []
        case .key, .paste, .inputBurst, .resize, .terminate, .started, .journalStopped:
            return []
        }
        return effects + endSessionIfIdle()
    }

    /// The session's end, once no step of it runs any more.
    mutating func endSessionIfIdle() -> [AppEffect] {
        guard let result = sessionEnd, runningRuns.isEmpty else { return [] }
        sessionEnd = nil
        return [.journal(.sessionEnded(result: result), sync: true)]
    }

    mutating func handleKey(_ key: Key) -> [AppEffect] {
        // Job control, as in a shell (raw mode turns the terminal's own Ctrl-Z off).
        if key == .control("z") { return [.suspend] }
        if isTooSmall { return tooSmallKey(key) }
        status = nil
        // The mouse wheel moves as the arrows do.
        if key == .wheelUp { return handleKey(.up) }
        if key == .wheelDown { return handleKey(.down) }
        if let dialog { return dialogKey(key, dialog) }
        let index = stack.count - 1
        let frame = stack[index]
        var handled: [AppEffect]?
        switch frame.screen {
        case .home(var s):
            handled = homeKey(key, &s)
            writeBack(index, frame.id, .home(s))
        case .runbook(var s):
            handled = runbookKey(key, &s)
            writeBack(index, frame.id, .runbook(s))
        case .triage(var s):
            handled = triageKey(key, &s)
            writeBack(index, frame.id, .triage(s))
        case .entry(var s):
            handled = entryKey(key, &s)
            writeBack(index, frame.id, .entry(s))
        case .step(var s):
            handled = stepKey(key, &s)
            writeBack(index, frame.id, .step(s))
        case .checklist(var s):
            handled = checklistKey(key, &s)
            writeBack(index, frame.id, .checklist(s))
        case .walkthrough(var s):
            handled = walkthroughKey(key, &s)
            writeBack(index, frame.id, .walkthrough(s))
        case .variables(var s):
            handled = variablesKey(key, &s)
            writeBack(index, frame.id, .variables(s))
        case .help(var s):
            handled = helpKey(key, &s)
            writeBack(index, frame.id, .help(s))
        }
        return handled ?? globalKey(key)
    }

    /// Keys every screen shares, unless the screen took the key itself.
    mutating func globalKey(_ key: Key) -> [AppEffect] {
        switch key {
        case .character("?"), .function(1):
            push(.help(HelpScreen(topic: top.kind)))
            return []
        case .character("v"):
            guard let rb = currentRunbook else {
                status = .info("open a runbook first: its variables are shown with v")
                return []
            }
            push(.variables(VariablesScreen(runbook: rb)))
            return []
        case .control("c"):
            return cancelFocusedRun()
        case .character("q"), .escape, .left, .character("h"), .backspace:
            if stack.count > 1 {
                stack.removeLast()
                return []
            }
            if key == .character("q") { return requestQuit() }
            return []
        default:
            return []
        }
    }

    /// Writes a screen's state back where it was, unless that screen has since left the stack.
    mutating func writeBack(_ index: Int, _ id: Int, _ screen: Screen) {
        guard stack.indices.contains(index), stack[index].id == id else { return }
        stack[index].screen = screen
    }

    mutating func push(_ screen: Screen) {
        stack.append(ScreenFrame(id: nextFrameID, screen: screen))
        nextFrameID += 1
        if case .walkthrough = screen { layOutWalkthroughs() }
    }

    /// The runbook of the topmost screen that shows one.
    var currentRunbook: Int? {
        stack.reversed().lazy.compactMap(\.screen.runbook).first
    }

    /// Lines of the body area at the current size.
    var bodyHeight: Int { max(1, size.rows - 3) }

    // MARK: - Quitting

    mutating func requestQuit() -> [AppEffect] {
        // A context probe still running is no reason to ask: quitting cancels it.
        if runningRuns.contains(where: { runs[$0]?.scope != Self.contextScope }) {
            dialog = .quit
            return []
        }
        return quit()
    }

    mutating func quit() -> [AppEffect] {
        leave(decision: "the engineer quit", result: "ended")
    }

    /// Leaves: the steps still running are cancelled (the runtime stops every group on `.quit`),
    /// the journal records why as a `quit` decision, each step's `step_finished` (end `cancelled`)
    /// as it ends, and `session_ended` after the last of them.
    mutating func leave(decision: String, result: String) -> [AppEffect] {
        isFinished = true
        runAll = nil
        var effects: [AppEffect] = []
        let running = runningRuns.compactMap { runs[$0] }
        for run in running { runs[run.id]?.cancelRequested = true }
        if sessionRunbook != nil {
            if !running.isEmpty {
                let names = running.map(\.step.id).joined(separator: ", ")
                effects.append(
                    .journal(
                        .decision(.init(kind: "quit", step: running.count == 1 ? running[0].step.id : nil,
                                        detail: "\(decision) while \(names) ran: cancelled")),
                        sync: false))
            }
            sessionEnd = running.isEmpty ? result : "\(result) (\(running.count == 1 ? "a step was" : "\(running.count) steps were") cancelled by leaving)"
            effects += endSessionIfIdle()
        }
        effects.append(.quit(message: nil))
        return effects
    }

    // MARK: - Runbooks and variables

    func runbook(_ index: Int) -> Runbook? {
        library.runbooks.indices.contains(index) ? library.runbooks[index] : nil
    }

    func resolver(for runbook: Int) -> VariableResolver? {
        if let r = resolvers[runbook] { return r }
        guard let rb = self.runbook(runbook) else { return nil }
        return VariableResolver(runbook: rb, given: options.given, environment: options.environment)
    }

    func masker(for runbook: Int) -> SecretMasker {
        SecretMasker(secrets: resolver(for: runbook)?.secretValues ?? [])
    }

    /// Opens a runbook's screen: its session starts when it is a different runbook than the last.
    mutating func openRunbook(_ index: Int) -> [AppEffect] {
        guard let rb = runbook(index) else { return [] }
        push(.runbook(RunbookScreen(runbook: index)))
        return startSession(index, rb)
    }

    mutating func startSession(_ index: Int, _ rb: Runbook) -> [AppEffect] {
        if resolvers[index] == nil, let r = resolver(for: index) { resolvers[index] = r }
        guard sessionRunbook != index else { return [] }
        var effects: [AppEffect] = []
        if let previous = sessionRunbook, let other = runbook(previous) {
            // The journal goes on in the new runbook's session.
            effects.append(.journal(.sessionEnded(result: "ended: \(other.id) left for \(rb.id)"), sync: true))
        }
        sessionRunbook = index
        effects.append(.openSession(runbookPath: rb.path))
        effects += probeContext(index, rb)
        return effects
    }

    /// The latest run of a step, if it ran this session.
    func lastRun(_ key: StepKey) -> StepRun? {
        lastRuns[key].flatMap { runs[$0] }
    }

    // MARK: - View

    /// The frame for the current state at `size`.
    public func view(_ size: ScreenSize) -> CellGrid {
        var grid = CellGrid(size: size)
        let theme = Theme(monochrome: options.monochrome)
        guard !Self.isTooSmall(size) else {
            drawTooSmall(into: &grid, size: size)
            return grid
        }
        let body = Rect(row: 1, column: 0, width: size.columns, height: size.rows - 3)
        drawHeader(into: &grid, size: size, theme: theme)
        var hints: [KeyHint]
        switch top {
        case .home(let s):
            drawHome(s, into: &grid, body, theme: theme)
            hints = homeHints(s)
        case .runbook(let s):
            drawRunbook(s, into: &grid, body, theme: theme)
            hints = runbookHints(s)
        case .triage(let s):
            drawTriage(s, into: &grid, body, theme: theme)
            hints = triageHints(s)
        case .entry(let s):
            drawEntry(s, into: &grid, body, theme: theme)
            hints = entryHints(s)
        case .step(let s):
            drawStep(s, into: &grid, body, theme: theme)
            hints = stepHints(s)
        case .checklist(let s):
            drawChecklist(s, into: &grid, body, theme: theme)
            hints = checklistHints(s)
        case .walkthrough(let s):
            drawWalkthrough(s, into: &grid, body, theme: theme)
            hints = walkthroughHints(s)
        case .variables(let s):
            drawVariables(s, into: &grid, body, theme: theme)
            hints = variablesHints(s)
        case .help(let s):
            drawHelp(s, into: &grid, body, theme: theme)
            hints = helpHints(s)
        }
        if let dialog {
            drawDialog(dialog, into: &grid, body, theme: theme)
            hints = dialogHints(dialog)
        }
        drawStatus(into: &grid, row: size.rows - 2, theme: theme)
        drawHints(hints, into: &grid, row: size.rows - 1, width: size.columns, theme: theme)
        return grid
    }

    func drawHeader(into grid: inout CellGrid, size: ScreenSize, theme: Theme) {
        grid.fill(row: 0, column: 0, width: size.columns, height: 1, style: theme.header)
        var col = 0
        if options.drill {
            let label = options.drillTitle.map { " DRILL: \(TerminalSafeText.make($0)) " } ?? " DRILL "
            let width = min(DisplayWidth.of(label), max(7, size.columns / 2))
            col += grid.put(DisplayWidth.clip(label, to: width), row: 0, column: col, width: width, style: theme.banner) + 1
        }
        if options.dryRun { col += grid.put(" DRY RUN ", row: 0, column: col, style: theme.banner) + 1 }
        if journalProblem != nil, size.columns >= 40 {
            col += grid.put(" ⚠ NOT RECORDED ", row: 0, column: col, style: theme.banner) + 1
        }
        var right = ""
        let running = runningRuns.count
        if running > 0 { right = "● \(running) running " }
        // Where the commands would land, right-aligned, in what the shortest breadcrumb leaves.
        let context = contextHeaderParts(
            theme: theme, room: size.columns - col - DisplayWidth.of(right) - 1 - shortestCrumbs)
        let contextWidth = context.reduce(0) { $0 + DisplayWidth.of($1.0) }
        var at = size.columns - DisplayWidth.of(right) - contextWidth
        for (text, style) in context { at += grid.put(text, row: 0, column: at, style: style) }
        let room = size.columns - col - DisplayWidth.of(right) - contextWidth - 1
        var crumbs = ["runbook"] + stack.dropFirst().map { title(of: $0.screen) }
        var text = " " + crumbs.joined(separator: " › ")
        while DisplayWidth.of(text) > room, crumbs.count > 2 {
            crumbs.remove(at: 1)
            crumbs[0] = "…"
            text = " " + crumbs.joined(separator: " › ")
        }
        grid.put(DisplayWidth.clip(text, to: max(0, room)), row: 0, column: col, width: max(0, room), style: theme.header)
        if !right.isEmpty {
            grid.put(right, row: 0, column: size.columns - DisplayWidth.of(right), style: theme.header)
        }
    }

    /// A screen's name in the breadcrumb.
    func title(of screen: Screen) -> String {
        switch screen {
        case .home: return "runbook"
        case .runbook(let s): return runbook(s.runbook)?.title.safeLine ?? "?"
        case .triage: return "Triage"
        case .entry(let s):
            guard let rb = runbook(s.runbook), rb.entries.indices.contains(s.entry) else { return "?" }
            return rb.entries[s.entry].title.safeLine
        case .step(let s): return "Step \(s.key.step.safeLine)"
        case .checklist(let s):
            guard let rb = runbook(s.runbook), rb.checklists.indices.contains(s.checklist) else { return "?" }
            return rb.checklists[s.checklist].title.safeLine
        case .walkthrough: return "Walkthrough"
        case .variables: return "Variables"
        case .help: return "Help"
        }
    }

    func drawStatus(into grid: inout CellGrid, row: Int, theme: Theme) {
        guard let status else { return }
        let style: CellStyle
        switch status {
        case .info: style = theme.plain
        case .warning: style = theme.warning
        }
        grid.put(" " + status.text.safeLine, row: row, column: 0, style: style)
    }

    func drawHints(_ hints: [KeyHint], into grid: inout CellGrid, row: Int, width: Int, theme: Theme) {
        var col = 1
        for h in hints {
            let w = DisplayWidth.of(h.key) + 1 + DisplayWidth.of(h.action)
            if col + w > width - 1 { break }
            col += grid.put(h.key, row: row, column: col, style: theme.keyName)
            col += grid.put(" " + h.action, row: row, column: col, style: theme.dim)
            col += 2
        }
    }
}

/// A line for the status bar.
enum StatusMessage: Sendable, Hashable {
    case info(String)
    case warning(String)

    var text: String {
        switch self {
        case .info(let t), .warning(let t): t
        }
    }
}
