import Foundation

/// An entry found by ``SearchIndex/search(_:limit:prefix:)``, with the line that matched best.
public struct SearchHit: Sendable, Hashable, Codable {
    public var file: String
    public var runbook: String
    /// The entry's id; nil for a runbook without entries.
    public var entry: String?
    public var title: String
    public var anchor: String?
    /// The file line of the best-matching line.
    public var line: Int
    /// That line as written.
    public var match: String
    public var score: Double
    /// The document's index in the index.
    public var document: Int

    enum CodingKeys: String, CodingKey { case file, runbook, entry, title, anchor, line, match, score }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        runbook = try c.decode(String.self, forKey: .runbook)
        entry = try c.decodeIfPresent(String.self, forKey: .entry)
        title = try c.decode(String.self, forKey: .title)
        anchor = try c.decodeIfPresent(String.self, forKey: .anchor)
        line = try c.decode(Int.self, forKey: .line)
        match = try c.decode(String.self, forKey: .match)
        score = try c.decode(Double.self, forKey: .score)
        document = -1
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(runbook, forKey: .runbook)
        try c.encode(entry, forKey: .entry)
        try c.encode(title, forKey: .title)
        try c.encode(anchor, forKey: .anchor)
        try c.encode(line, forKey: .line)
        try c.encode(match, forKey: .match)
        try c.encode(score, forKey: .score)
    }

    init(file: String, runbook: String, entry: String?, title: String, anchor: String?, line: Int, match: String,
         score: Double, document: Int) {
        self.file = file
        self.runbook = runbook
        self.entry = entry
        self.title = title
        self.anchor = anchor
        self.line = line
        self.match = match
        self.score = score
        self.document = document
    }

    /// Where to open it: `FILE#ANCHOR`, or the file.
    public var link: String { anchor.map { "\(file)#\($0)" } ?? file }
}

extension SearchIndex {
    /// BM25's term-frequency saturation and length normalisation.
    static let k1 = 1.2
    static let b = 0.75
    /// How many of the best documents by words are compared for shared phrases.
    static let phraseCandidates = 50
    /// A query longer than this many words is cut (a whole log file pasted).
    static let maximumQueryWords = 4_000

    /// Inverse document frequency of a word id.
    func idf(_ term: Int) -> Double {
        let n = Double(documents.count)
        let df = Double(documentFrequency[term])
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// The entries that best match `query` (words as ``SearchText`` reads them), best first: BM25 over
    /// the fields' weighted word counts, plus a bonus for the longest run of words the query shares
    /// with the entry in order (a pasted error line against the runbook's copy of it). With `prefix`,
    /// the query's last word also matches the words it starts (for a query still being typed).
    public func search(_ query: String, limit: Int = 10, prefix: Bool = false) -> [SearchHit] {
        let (allWords, lineWeights) = SearchText.queryWords(query)
        let words = allWords.prefix(Self.maximumQueryWords)
        guard !words.isEmpty, !documents.isEmpty else { return [] }
        // Query word ids in order (-1 for a word no runbook has), and the distinct known ones.
        var sequence = words.map { vocabulary[$0] ?? -1 }
        var terms = Set(sequence.filter { $0 >= 0 })
        if prefix, let last = words.last, !query.hasSuffix(" ") {
            let more = vocabulary.filter { $0.key.hasPrefix(last) && $0.key != last }.sorted { $0.value < $1.value }.prefix(20)
            terms.formUnion(more.map(\.value))
            if sequence.last == -1, let first = more.first { sequence[sequence.count - 1] = first.value }
        }
        guard !terms.isEmpty else { return [] }
        // Each word's IDF, times the weight of the heaviest query line it is on.
        let weightByID = Dictionary(
            lineWeights.compactMap { w, weight in vocabulary[w].map { ($0, weight) } }, uniquingKeysWith: max)
        let idfs = Dictionary(uniqueKeysWithValues: terms.map { ($0, idf($0) * (weightByID[$0] ?? 1)) })

        var scored: [(Int, Double)] = []
        for (i, doc) in documents.enumerated() {
            var score = 0.0
            let norm = Self.k1 * (1 - Self.b + Self.b * doc.length / averageLength)
            for t in terms {
                guard let tf = doc.weights[t] else { continue }
                score += idfs[t, default: 0] * tf * (Self.k1 + 1) / (tf + norm)
            }
            if score > 0 { scored.append((i, score)) }
        }
        scored.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        for k in scored.indices.prefix(Self.phraseCandidates) {
            scored[k].1 += phraseBonus(sequence, documents[scored[k].0], idfs: idfs)
        }
        scored.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        return scored.prefix(max(0, limit)).map { i, score in
            let doc = documents[i]
            let best = bestLine(doc, terms: terms, idfs: idfs)
            return SearchHit(
                file: doc.file, runbook: doc.runbook, entry: doc.entry, title: doc.title, anchor: doc.anchor,
                line: best?.line ?? doc.line, match: (best?.text ?? doc.title).trimmingASCIISpaces(), score: (score * 100).rounded() / 100,
                document: i)
        }
    }

    /// Half the summed IDF of the longest run of words the query and the entry share in the same
    /// order (three words or more), so that a whole error line outweighs scattered words.
    func phraseBonus(_ query: [Int], _ doc: Document, idfs: [Int: Double]) -> Double {
        let text = doc.lines.flatMap(\.terms)
        var positions: [Int: [Int]] = [:]
        for (j, t) in text.enumerated() where idfs[t] != nil { positions[t, default: []].append(j) }
        var best = 0.0
        var bestLength = 0
        for i in query.indices {
            guard let starts = positions[query[i]] else { continue }
            for j in starts {
                // Only runs that start here: the longer run through (i-1, j-1) was counted already.
                if i > 0, j > 0, query[i - 1] == text[j - 1] { continue }
                var n = 0
                var sum = 0.0
                while i + n < query.count, j + n < text.count, query[i + n] == text[j + n] {
                    sum += idfs[text[j + n]] ?? idf(text[j + n])
                    n += 1
                }
                if n >= 3, sum > best {
                    best = sum
                    bestLength = n
                }
            }
        }
        return bestLength >= 3 ? best / 2 : 0
    }

    /// The entry's line that shares the most (IDF-weighted, by field) with the query; the first of equals.
    func bestLine(_ doc: Document, terms: Set<Int>, idfs: [Int: Double]) -> Line? {
        var best: Line?
        var bestScore = 0.0
        for l in doc.lines where l.field != .runbook {
            let shared = Set(l.terms).intersection(terms)
            guard !shared.isEmpty else { continue }
            let score = l.field.weight * shared.reduce(0) { $0 + (idfs[$1] ?? 0) }
            if score > bestScore {
                best = l
                bestScore = score
            }
        }
        return best
    }
}
