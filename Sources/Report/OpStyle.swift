import Schedule

/// How an op is drawn: its fill, the text colour readable on it, and its name in legends and CSS
/// classes. The fills come from the Okabe–Ito palette, which stays distinguishable under the common
/// forms of colour blindness; text colours are chosen for contrast on each fill.
///
/// The palette keeps entries for kinds the model does not have yet (optimizer step), so adding an
/// `Op` case only means pointing it at its reserved style.
public struct OpStyle: Sendable, Hashable {
    /// Short key used in CSS classes (`op-F`) and trace categories.
    public let key: String
    /// Name for the legend ("forward").
    public let name: String
    /// Fill colour, `#rrggbb`.
    public let fill: String
    /// Text colour readable on `fill`.
    public let text: String

    /// Forward: Okabe–Ito blue.
    public static let forward = OpStyle(key: "F", name: "forward (F)", fill: "#0072B2", text: "#FFFFFF")
    /// Full backward: Okabe–Ito orange.
    public static let backward = OpStyle(key: "B", name: "backward (B)", fill: "#E69F00", text: "#000000")
    /// Input-gradient backward: Okabe–Ito vermillion.
    public static let inputGrad = OpStyle(key: "I", name: "input grad (I)", fill: "#D55E00", text: "#000000")
    /// Weight-gradient backward: Okabe–Ito bluish green.
    public static let weightGrad = OpStyle(key: "W", name: "weight grad (W)", fill: "#009E73", text: "#000000")
    /// Gradient synchronisation between replicas: Okabe–Ito reddish purple.
    public static let gradSync = OpStyle(key: "sync", name: "grad sync", fill: "#CC79A7", text: "#000000")
    /// Activation recomputation (`R`): Okabe–Ito sky blue.
    public static let recompute = OpStyle(key: "R", name: "recompute", fill: "#56B4E9", text: "#000000")
    /// Reserved for the optimizer step: Okabe–Ito yellow.
    public static let step = OpStyle(key: "step", name: "optimizer step", fill: "#F0E442", text: "#000000")

    /// The fill of a box in chunk `chunk` of `chunks` on its device: chunk 0 in the full colour, later
    /// chunks paler (mixed with up to 55% white), as in the Megatron-LM paper's interleaved figures.
    func fill(chunk: Int, of chunks: Int) -> String {
        guard chunk > 0, chunks > 1 else { return fill }
        return Self.mix(fill, whiteness: 0.55 * Double(chunk) / Double(chunks - 1))
    }

    /// The text colour readable on `fill(chunk:of:)`.
    func text(chunk: Int, of chunks: Int) -> String {
        chunk > 0 && chunks > 1 ? "#000000" : text
    }

    /// `hex` (`#rrggbb`) mixed with white: 0 leaves it, 1 is white.
    static func mix(_ hex: String, whiteness: Double) -> String {
        let digits = Array(hex.utf8.dropFirst())
        guard digits.count == 6 else { return hex }
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var result = "#"
        for index in stride(from: 0, to: 6, by: 2) {
            guard let component = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return hex }
            let mixed = Int((Double(component) + (255 - Double(component)) * min(max(whiteness, 0), 1)).rounded())
            result += String(decoding: [hexDigits[mixed / 16], hexDigits[mixed % 16]], as: UTF8.self)
        }
        return result
    }

    /// Background of a device row where it runs nothing.
    static let idleFill = "#E4E4E4"

    /// The style of `op`.
    public static func of(_ op: Op) -> OpStyle {
        switch op {
        case .forward: .forward
        case .backward: .backward
        case .inputGrad: .inputGrad
        case .weightGrad: .weightGrad
        case .gradSync: .gradSync
        case .recompute: .recompute
        }
    }
}
