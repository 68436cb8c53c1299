/// Reading SGR (`ESC [ … m`) into a `TextStyle`, and making a style legible.

/// One numeric parameter of a control sequence; `nil` when empty (`ESC [ ; 1 m`).
struct SGRParameter: Sendable, Hashable {
    var value: Int?
    /// Introduced by `:` rather than `;` (`38:2::255:0:0`).
    var isSubparameter: Bool
}

extension TextStyle {
    /// Applies an SGR sequence's parameters, as xterm and tmux do; unknown or malformed ones are ignored.
    mutating func apply(sgr parameters: [SGRParameter]) {
        var index = 0
        while index < parameters.count {
            let code = parameters[index].value ?? 0
            var next = index + 1
            while next < parameters.count && parameters[next].isSubparameter { next += 1 }
            let subparameters = parameters[(index + 1)..<next]
            switch code {
            case 0: self = .plain
            case 1: bold = true
            case 2: dim = true
            case 3: italic = true
            case 4: underline = (subparameters.first?.value ?? 1) != 0  // `4:0` is no underline
            case 7: reverse = true
            case 22: (bold, dim) = (false, false)
            case 23: italic = false
            case 24: underline = false
            case 27: reverse = false
            case 30...37: foreground = .ansi(UInt8(code - 30))
            case 39: foreground = nil
            case 40...47: background = .ansi(UInt8(code - 40))
            case 49: background = nil
            case 90...97: foreground = .ansi(UInt8(code - 90 + 8))
            case 100...107: background = .ansi(UInt8(code - 100 + 8))
            case 38, 48:
                let color: TerminalColor?
                if subparameters.isEmpty {
                    // `38;5;n` and `38;2;r;g;b`: the colour takes the parameters that follow.
                    let (parsed, used) = Self.extendedColor(parameters[next...].map { $0.value ?? 0 })
                    color = parsed
                    next += used
                } else {
                    // `38:5:n`, `38:2:r:g:b` and `38:2:colourspace:r:g:b`.
                    var values = subparameters.map { $0.value ?? 0 }
                    if values.first == 2 && values.count >= 5 { values.remove(at: 1) }
                    color = Self.extendedColor(values).color
                }
                if let color {
                    if code == 38 { foreground = color } else { background = color }
                }
            default: break
            }
            index = next
        }
    }

    /// Reads `5, n` or `2, r, g, b` from the start of `values`; returns the colour (nil when malformed)
    /// and how many values it took.
    private static func extendedColor(_ values: [Int]) -> (color: TerminalColor?, used: Int) {
        func byte(_ i: Int) -> UInt8? { i < values.count && values[i] <= 255 ? UInt8(values[i]) : nil }
        switch values.first {
        case 5:
            guard values.count >= 2 else { return (nil, values.count) }
            return (byte(1).map { .indexed($0) }, 2)
        case 2:
            guard values.count >= 4 else { return (nil, values.count) }
            guard let r = byte(1), let g = byte(2), let b = byte(3) else { return (nil, 4) }
            return (.rgb(r, g, b), 4)
        default:
            return (nil, values.isEmpty ? 0 : 1)
        }
    }
}

extension TextStyle {
    /// This style as text is drawn with it: when the foreground is the same colour as the background
    /// (`ESC[30;40m`, `38;5;n` on `48;5;n`, equal RGB, or a palette index and its RGB value) the text
    /// would be invisible, so both colours are dropped and the other attributes kept.
    public var legible: TextStyle {
        guard let foreground, let background, foreground.looksLike(background) else { return self }
        var style = self
        style.foreground = nil
        style.background = nil
        return style
    }
}

extension TerminalColor {
    /// Whether the two colours show the same on a terminal with xterm's default palette: the same
    /// index of the 16 basic colours (as `ansi` or `indexed`), or the same RGB value.
    func looksLike(_ other: TerminalColor) -> Bool {
        if let a = basicIndex, let b = other.basicIndex, a == b { return true }
        return rgbValue == other.rgbValue
    }

    /// 0–15 for the 16 basic colours, however written.
    private var basicIndex: UInt8? {
        switch self {
        case .ansi(let n): n
        case .indexed(let n) where n < 16: n
        default: nil
        }
    }

    /// The colour as RGB: xterm's defaults for the 16 basic colours, the 6×6×6 cube and the grey ramp.
    var rgbValue: [UInt8] {
        switch self {
        case .rgb(let r, let g, let b):
            return [r, g, b]
        case .ansi(let n), .indexed(let n) where n < 16:
            let basic: [[UInt8]] = [
                [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205],
                [229, 229, 229], [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255],
                [255, 0, 255], [0, 255, 255], [255, 255, 255],
            ]
            return basic[Int(n & 15)]
        case .indexed(let n) where n < 232:
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let i = Int(n) - 16
            return [levels[i / 36], levels[i / 6 % 6], levels[i % 6]]
        case .indexed(let n):
            let grey = UInt8(8 + (Int(n) - 232) * 10)
            return [grey, grey, grey]
        }
    }
}
