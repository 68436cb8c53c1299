import Foundation

/// A session journal read back: JSON lines, one record each. A journal cut short in mid-write
/// (`kill -9`, power loss) still reads: a torn last line is left out and counted.
public struct Journal: Sendable {
    public var records: [JournalRecord]
    /// 1 when the last line was torn (incomplete or unreadable), else 0.
    public var tornLines: Int
    /// Lines before the last that could not be read (a damaged file), by line number.
    public var damagedLines: [Int]

    public init(records: [JournalRecord], tornLines: Int = 0, damagedLines: [Int] = []) {
        self.records = records
        self.tornLines = tornLines
        self.damagedLines = damagedLines
    }

    /// Reads journal bytes.
    public static func parse(_ bytes: [UInt8]) -> Journal {
        var records: [JournalRecord] = []
        var torn = 0
        var damaged: [Int] = []
        let decoder = JSONDecoder()
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A)
            let line = bytes[start..<(end ?? bytes.count)]
            let isLast = end == nil || end! + 1 >= bytes.count
            if !line.isEmpty {
                if end == nil {
                    // No newline: the write was cut short.
                    torn += 1
                } else if let record = try? decoder.decode(JournalRecord.self, from: Data(line)) {
                    records.append(record)
                } else if isLast {
                    torn += 1
                } else {
                    damaged.append(lineNumber)
                }
            }
            start = (end ?? bytes.count) + 1
        }
        return Journal(records: records, tornLines: torn, damagedLines: damaged)
    }

    /// One record as the line it is written as (without the newline).
    public static func line(_ record: JournalRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(record))
    }

    /// The session's start record, if the journal has one.
    public var start: JournalEvent.SessionStart? {
        for r in records {
            if case .sessionStarted(let s) = r.event { return s }
        }
        return nil
    }
}
