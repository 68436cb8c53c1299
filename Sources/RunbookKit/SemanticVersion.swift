/// A version as Semantic Versioning 2.0.0 defines it: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: [String]
    public var build: [String]

    public init(major: Int, minor: Int, patch: Int, prerelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// Parses `text` strictly; `nil` when it is not a semantic version.
    public init?(_ text: String) {
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            let parts = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ Self.isIdentifier($0) }) else { return nil }
            build = parts.map(String.init)
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let parts = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ Self.isIdentifier($0) }) else { return nil }
            if parts.contains(where: { $0.allSatisfy(\.isASCIIDigit) && $0.count > 1 && $0.first == "0" }) {
                return nil
            }
            prerelease = parts.map(String.init)
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var values: [Int] = []
        for n in numbers {
            guard !n.isEmpty, n.count <= 9, n.allSatisfy(\.isASCIIDigit), !(n.count > 1 && n.first == "0"),
                let v = Int(n)
            else { return nil }
            values.append(v)
        }
        self.init(major: values[0], minor: values[1], patch: values[2], prerelease: prerelease, build: build)
    }

    private static func isIdentifier(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }
    }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { s += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { s += "+" + build.joined(separator: ".") }
        return s
    }

    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false):
            for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
                switch (Int(x), Int(y)) {
                case let (i?, j?): return i < j
                case (_?, nil): return true
                case (nil, _?): return false
                case (nil, nil): return x < y
                }
            }
            return a.prerelease.count < b.prerelease.count
        }
    }
}

/// A calendar day, as front matter writes it: `2025-12-01`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; a time after the date (`2025-12-01T10:00:00Z`) is ignored.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        if bytes.count > 10, bytes[10] != UInt8(ascii: "T"), bytes[10] != UInt8(ascii: " ") { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for b in bytes[r] {
                guard (48...57).contains(b) else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A time limit such as `30s`, `5m`, `1h30m` or a bare number of seconds.
public struct TimeLimit: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// The longest time limit a step may have: one day.
    public static let maximum = TimeLimit(milliseconds: 86_400_000)

    public init?(_ text: String) {
        let s = text.trimmingASCIISpaces()
        guard !s.isEmpty else { return nil }
        if s.allSatisfy({ $0.isASCIIDigit }) {
            guard s.count <= 6, let v = Int(s) else { return nil }
            self.init(milliseconds: v * 1000)
        } else {
            var total = 0
            var number = ""
            var chars = Array(s)
            var i = 0
            var sawUnit = false
            while i < chars.count {
                let c = chars[i]
                if c.isASCIIDigit {
                    number.append(c)
                    i += 1
                    continue
                }
                guard !number.isEmpty, number.count <= 6, let v = Int(number) else { return nil }
                var unit = String(c)
                if c == "m", i + 1 < chars.count, chars[i + 1] == "s" {
                    unit = "ms"
                    i += 1
                }
                switch unit {
                case "ms": total += v
                case "s": total += v * 1000
                case "m": total += v * 60_000
                case "h": total += v * 3_600_000
                default: return nil
                }
                sawUnit = true
                number = ""
                i += 1
            }
            chars.removeAll()
            guard number.isEmpty, sawUnit else { return nil }
            self.init(milliseconds: total)
        }
        guard milliseconds > 0, self <= Self.maximum else { return nil }
    }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public var description: String {
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    public static func < (a: TimeLimit, b: TimeLimit) -> Bool { a.milliseconds < b.milliseconds }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}

extension StringProtocol {
    func trimmingASCIISpaces() -> String {
        // Nothing to trim when neither end is one of these bytes: a Character that is a space, tab, LF or
        // CR begins (and ends) with that byte. The common case, and it needs no Character at all.
        func trimmable(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var s = Substring(self)
        if let first = s.utf8.first, let last = s.utf8.last, !trimmable(first), !trimmable(last) { return String(s) }
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
