import RunbookKit

/// What happens to a running step's output, in one fixed order for `check` and the TUI alike:
///
/// 1. **sanitize**: bytes become lines of plain text with styles (``OutputSanitizer``, one per stream);
/// 2. **judge**: the indicators see the sanitized lines, before anything is masked, so a verdict never
///    depends on which secrets happen to be set; a line longer than the sanitizer keeps reaches them
///    whole, chunk by chunk (the batch's `LineOverflow`, dropped with the batch);
/// 3. **mask**: secret values are replaced (``SecretMasker``); nothing unmasked leaves this type;
/// 4. **keep and journal**: the masked lines go to the output buffer, the journal (the first half of
///    its share as they come, the last half at the end), the spool file, and, for the TUI, the batch of
///    lines not yet shown; every verdict is journaled once, as it is decided.
///
/// Lines travel in an `OutputLineBatch` per chunk: the indicators search the whole chunk at once and
/// the buffer copies bytes, so a line costs no `String` unless something needs one (a journaled line,
/// a deciding line, a secret to mask).
public struct StepOutputProcessor {
    public struct Settings: Sendable {
        /// Lines kept in memory for showing and reports.
        public var outputCapacity = 10_000
        /// Bytes those lines may take (text and style runs): memory stays bounded whatever the lines' length.
        public var outputByteCapacity = OutputBuffer.defaultByteCapacity
        /// Lines of each step written to the journal: the first half as they come, the last half at the end.
        public var journalLineLimit = 1_000
        /// When set, the full sanitized output of each step is also written here (mode 0600), up to `spoolLimit`.
        public var spoolFolder: String?
        public var spoolLimit = 64 * 1024 * 1024
        /// Whether lines are also gathered for ``takeNewLines()`` (the TUI shows them).
        public var gathersNewLines = false

        public init() {}
    }

    public let step: Step
    let journal: JournalSink?
    let masker: SecretMasker
    let settings: Settings
    var spool: Spool?
    public private(set) var evaluator: IndicatorEvaluator
    /// The last lines, masked: what a result holds, and where the journal's tail comes from.
    public private(set) var buffer: OutputBuffer
    private var sanitizers = [OutputSanitizer(channel: .stdout), OutputSanitizer(channel: .stderr)]
    private var lastChannel = OutputChannel.stdout
    private var pending = OutputLineBatch()
    /// Masked lines not yet taken by ``takeNewLines()``. Emptied when the next output comes, not when
    /// taken: by then the taker has let go of its copy, so the storage is reused in place.
    private var fresh = OutputLineBatch()
    private var freshTaken = false
    public private(set) var lineCount = 0
    private var journaled = 0
    private var decided = Set<Int>()

    public init(step: Step, masker: SecretMasker, journal: JournalSink?, settings: Settings = Settings()) {
        self.step = step
        self.journal = journal
        self.masker = masker
        self.settings = settings
        spool = settings.spoolFolder.flatMap { Spool(folder: $0, step: step.id, limit: settings.spoolLimit) }
        evaluator = IndicatorEvaluator(indicators: step.indicators)
        buffer = OutputBuffer(capacity: settings.outputCapacity, byteCapacity: settings.outputByteCapacity)
    }

    public var verdicts: [Verdict] { evaluator.verdicts }

    /// Takes a chunk of one stream's bytes.
    public mutating func take(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        sanitizers[channel == .stdout ? 0 : 1].feed(bytes, into: &pending)
        lastChannel = channel
        consume()
    }

    /// Ends both streams: a last line without a line end becomes a line.
    public mutating func finishOutput() {
        for k in 0..<2 { sanitizers[k].finish(into: &pending) }
        consume()
    }

    private mutating func consume() {
        guard !pending.isEmpty || !pending.overflow.isEmpty else { return }
        // The overflow (the text of cut lines past the cap) is for the indicators only; it is dropped
        // with the batch, so no more than one chunk of it is ever held.
        if evaluator.observesOutput { evaluator.observe(pending) }
        guard !pending.isEmpty else {
            pending.removeAll()
            journalNewVerdicts()
            return
        }
        if !masker.isEmpty { masker.mask(&pending) }
        spool?.write(pending)
        let first = lineCount
        let room = Swift.max(0, Swift.min(settings.journalLineLimit / 2 - journaled, pending.count))
        if let journal {
            for i in 0..<room {
                let line = pending[i]
                journal.append(
                    .output(
                        .init(step: step.id, channel: line.channel, line: first + i + 1, text: line.text,
                              droppedBytes: line.droppedBytes)))
            }
        }
        journaled += room
        lineCount += pending.count
        buffer.append(contentsOf: pending)
        if settings.gathersNewLines {
            if freshTaken {
                fresh.removeAll()
                freshTaken = false
            }
            fresh.append(contentsOf: pending)
        }
        pending.removeAll()
        journalNewVerdicts()
    }

    /// The masked lines completed since the last call (empty when none).
    public mutating func takeNewLines() -> OutputLineBatch {
        if freshTaken {
            fresh.removeAll()
        }
        freshTaken = true
        return fresh
    }

    /// The line in progress on the stream written last, masked, for live display; an ending that could
    /// be the start of a secret whose rest has not arrived yet is held back. Nil when there is none.
    public var partialLine: OutputLine? {
        let line = sanitizers[lastChannel == .stdout ? 0 : 1].pendingLine
        guard !line.text.isEmpty || line.droppedBytes > 0 else { return nil }
        guard !masker.isEmpty else { return line }
        let text = masker.maskPending(line.text)
        guard text != line.text else { return line }
        return OutputLine(channel: line.channel, text: text, styles: [], droppedBytes: line.droppedBytes)
    }

    private mutating func journalNewVerdicts() {
        for (i, v) in evaluator.verdicts.enumerated() where v.state != .pending && v.state != .needsAnswer && !decided.contains(i) {
            decided.insert(i)
            journal?.append(.verdict(JournalEvent.VerdictRecord(step: step.id, index: i, verdict: v, masker: masker)))
        }
    }

    /// The step has ended: the journal's tail, the verdicts still pending decided by `end`, every
    /// verdict journaled (manual ones that wait for an answer too, so a report lists them).
    public mutating func finish(_ end: StepEnd) {
        journalTail()
        evaluator.finish(end)
        journalNewVerdicts()
        for (i, v) in evaluator.verdicts.enumerated() where v.state == .needsAnswer {
            journal?.append(.verdict(JournalEvent.VerdictRecord(step: step.id, index: i, verdict: v, masker: masker)))
        }
        spool?.close()
    }

    /// Lines past the journal's first half: how many were left out, then the last ones (as many of
    /// the journal's second half as the output buffer still holds).
    private func journalTail() {
        guard lineCount > journaled else { return }
        let kept = Swift.min(buffer.count, lineCount - journaled, Swift.max(1, settings.journalLineLimit / 2))
        let dropped = lineCount - journaled - kept
        if dropped > 0 { journal?.append(.outputTruncated(step: step.id, droppedLines: dropped)) }
        var n = lineCount - kept
        for line in buffer.lines(in: (buffer.count - kept)..<buffer.count) {
            n += 1
            journal?.append(
                .output(.init(step: step.id, channel: line.channel, line: n, text: line.text, droppedBytes: line.droppedBytes)))
        }
    }
}
