#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading models and hardware from a preset name or a JSON file. In a file every field of
/// `TransformerModel` / `Hardware` is a key; those with defaults may be left out, unknown keys are refused.
extension TransformerModel {
    /// The preset named `text` (`gpt3-1.3b`, `llama-70b`, …) or the JSON file at that path.
    public static func named(_ text: String) throws(TransformerError) -> TransformerModel {
        if let preset = presets.first(where: { $0.name == text.lowercased() }) { return preset }
        return try decodeFile(text, what: "model", presets: presets.map(\.name))
    }

    private enum Keys: String, CodingKey, CaseIterable {
        case name, layers, hidden, heads, kvHeads, ffnHidden, gatedMLP, sequenceLength, vocabulary, microbatchSize, precisionBytes,
             positionEmbeddings, recompute
    }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: Keys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "custom",
                  layers: try c.decode(Int.self, forKey: .layers), hidden: try c.decode(Int.self, forKey: .hidden),
                  heads: try c.decode(Int.self, forKey: .heads), kvHeads: try c.decodeIfPresent(Int.self, forKey: .kvHeads),
                  ffnHidden: try c.decodeIfPresent(Int.self, forKey: .ffnHidden), gatedMLP: try c.decodeIfPresent(Bool.self, forKey: .gatedMLP) ?? false,
                  sequenceLength: try c.decode(Int.self, forKey: .sequenceLength), vocabulary: try c.decode(Int.self, forKey: .vocabulary),
                  microbatchSize: try c.decodeIfPresent(Int.self, forKey: .microbatchSize) ?? 1,
                  precisionBytes: try c.decodeIfPresent(Int.self, forKey: .precisionBytes) ?? 2,
                  positionEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .positionEmbeddings) ?? true,
                  recompute: try c.decodeIfPresent(ActivationRecompute.self, forKey: .recompute) ?? .none)
    }
}

extension Hardware {
    /// The preset named `text` (`a100-80gb` or `a100`, `h100-sxm` or `h100`, `h200`) or the JSON file at that path.
    public static func named(_ text: String) throws(TransformerError) -> Hardware {
        let key = text.lowercased()
        if let preset = presets.first(where: { $0.name == key || $0.name.split(separator: "-").first.map(String.init) == key }) { return preset }
        return try decodeFile(text, what: "hardware", presets: presets.map(\.name))
    }

    private enum Keys: String, CodingKey, CaseIterable {
        case name, peakFLOPS, efficiency, memoryBandwidth, memoryBytes, gpusPerNode, intraNodeBandwidth, intraNodeLatency,
             interNodeBandwidth, interNodeLatency
    }

    public init(from decoder: any Decoder) throws {
        try refuseUnknownKeys(decoder, known: Keys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(name: try c.decodeIfPresent(String.self, forKey: .name) ?? "custom",
                  peakFLOPS: try c.decode(Double.self, forKey: .peakFLOPS),
                  efficiency: try c.decodeIfPresent(Double.self, forKey: .efficiency) ?? 0.5,
                  memoryBandwidth: try c.decode(Double.self, forKey: .memoryBandwidth),
                  memoryBytes: try c.decode(Double.self, forKey: .memoryBytes),
                  gpusPerNode: try c.decodeIfPresent(Int.self, forKey: .gpusPerNode) ?? 8,
                  intraNodeBandwidth: try c.decode(Double.self, forKey: .intraNodeBandwidth),
                  intraNodeLatency: try c.decodeIfPresent(Double.self, forKey: .intraNodeLatency) ?? 3_000,
                  interNodeBandwidth: try c.decode(Double.self, forKey: .interNodeBandwidth),
                  interNodeLatency: try c.decodeIfPresent(Double.self, forKey: .interNodeLatency) ?? 5_000)
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func refuseUnknownKeys(_ decoder: any Decoder, known: [String]) throws {
    let keys = try decoder.container(keyedBy: AnyKey.self)
    for key in keys.allKeys where !known.contains(key.stringValue) {
        throw DecodingError.dataCorruptedError(forKey: key, in: keys, debugDescription: "unknown field; the fields are \(known.joined(separator: ", "))")
    }
}

private func decodeFile<T: Decodable>(_ path: String, what: String, presets: [String]) throws(TransformerError) -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable("no \(what) preset or file named '\(path)'; the presets are \(presets.joined(separator: ", ")), or give a JSON file")
    }
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let DecodingError.keyNotFound(key, _) {
        throw .unreadable("\(what) file \(path) lacks '\(key.stringValue)'")
    } catch let DecodingError.dataCorrupted(context) {
        let field = context.codingPath.last.map { ", field '\($0.stringValue)'" } ?? ""
        throw .unreadable("\(what) file \(path)\(field): \(context.debugDescription)")
    } catch let DecodingError.typeMismatch(_, context) {
        throw .unreadable("\(what) file \(path), field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': wrong type")
    } catch {
        throw .unreadable("\(what) file \(path) is not valid JSON: \(error)")
    }
}
