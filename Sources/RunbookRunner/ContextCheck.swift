import RunbookKit

/// Runs a runbook's context probes (front matter `context:`) and says what each found. Each probe is
/// a step of role `probe` run by the one step core (``StepRunner``/``StepExecution``): judged by
/// ``CheckPolicy`` first (a probe that would change something never runs), variables in its
/// environment, output sanitized and secrets masked, the short ``ContextProbe/timeLimit``. A probe
/// that fails, times out or says nothing gives an unknown value, which is never a match.
public enum ContextCheck {
    /// Runs every probe in order on this thread, journals a `context` event for each, and returns the readings.
    public static func run(
        _ runbook: Runbook, resolver: VariableResolver, journal: JournalSink?, runFolder: String?, cancelFD: Int32?
    ) -> [ContextReading] {
        let masker = SecretMasker(secrets: resolver.secretValues)
        var readings: [ContextReading] = []
        for probe in runbook.context {
            let step = probe.step
            var result: StepRunResult?
            let skip = CheckPolicy.skipReason(step, in: runbook)
            if skip == nil {
                var runner = StepRunner(journal: journal, masker: masker)
                runner.runtimeDirectory = runFolder
                result = runner.run(request(probe, runbook: runbook, resolver: resolver), cancelFD: cancelFD)
            }
            let reading = Self.reading(
                probe, end: result?.end, stdout: result.map { stdout($0.output) } ?? [], skipReason: skip,
                resolver: resolver, masker: masker)
            journal?.append(.context(reading))
            readings.append(reading)
        }
        journal?.sync()
        return readings
    }

    /// How a probe is run: in the runbook's folder, with the runbook's shell and variables, the short time limit.
    public static func request(_ probe: ContextProbe, runbook: Runbook, resolver: VariableResolver) -> StepRunRequest {
        let step = probe.step
        return StepRunRequest(
            step: step, scope: "context", shell: runbook.shell, environment: resolver.environment(for: step),
            workingDirectory: RunbookLinter.folder(of: runbook.path), timeLimit: ContextProbe.timeLimit)
    }

    /// What a probe's run says: how it ended (nil: not run, for `skipReason`) and the lines it printed
    /// on standard output (tools say "(unset)" or warn on standard error). The output is already
    /// sanitized and masked, so a masked value is compared as shown.
    public static func reading(
        _ probe: ContextProbe, end: StepEnd?, stdout: [String], skipReason: String?, resolver: VariableResolver,
        masker: SecretMasker
    ) -> ContextReading {
        let lookup: (String) -> String? = { resolver.value(of: $0)?.value }
        let expect = masker.mask(probe.expectation(lookup))
        let command = masker.mask(probe.command)
        func unknown(_ why: String) -> ContextReading {
            ContextReading(name: probe.name, command: command, value: nil, expect: expect, matches: false, problem: why)
        }
        guard let end else { return unknown("not run: \(skipReason ?? "no result")") }
        guard case .exited(0) = end else { return unknown(end.description) }
        guard let value = ContextProbe.value(ofLines: stdout) else { return unknown("it printed nothing") }
        return ContextReading(
            name: probe.name, command: command, value: value, expect: expect, matches: probe.matches(value, lookup))
    }

    /// The lines of `output` written on standard output.
    public static func stdout(_ output: OutputBuffer) -> [String] {
        output.lines(in: 0..<output.count).filter { $0.channel == .stdout }.map(\.text)
    }
}
