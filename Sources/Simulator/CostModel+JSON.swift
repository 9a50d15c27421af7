#if canImport(FoundationEssentials)
import FoundationEssentials  // JSON and files without the ICU data of full Foundation: a smaller process
#else
import Foundation
#endif

extension CostModel: Codable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes the JSON form: an object whose keys are the `Field` names, every key optional (absent
    /// keys take the defaults of `init()`); unknown keys are rejected so that a misspelt field is not
    /// silently ignored.
    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self)
        for key in keys.allKeys where Field(rawValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: keys,
                debugDescription: "unknown field; the fields are \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func decode<T: Decodable>(_ type: T.Type, _ field: Field) throws -> T? {
            try keys.decodeIfPresent(type, forKey: AnyKey(stringValue: field.rawValue))
        }
        let defaults = CostModel()
        self.init(
            forward: try decode(StageValues.self, .forward) ?? defaults.forward,
            backward: try decode(StageValues.self, .backward) ?? defaults.backward,
            inputGrad: try decode(StageValues.self, .inputGrad),
            weightGrad: try decode(StageValues.self, .weightGrad),
            gradSync: try decode(StageValues.self, .gradSync) ?? defaults.gradSync,
            optimizerStep: try decode(StageValues.self, .optimizerStep) ?? defaults.optimizerStep,
            latency: try decode(Double.self, .latency) ?? defaults.latency,
            bandwidth: try decode(Double.self, .bandwidth),
            transferBytes: try decode(StageValues.self, .transferBytes) ?? defaults.transferBytes,
            activationBytes: try decode(StageValues.self, .activationBytes) ?? defaults.activationBytes,
            weightBytes: try decode(StageValues.self, .weightBytes) ?? defaults.weightBytes,
            contention: try decode(Bool.self, .contention) ?? defaults.contention,
            gradientBytes: try decode(StageValues.self, .gradientBytes) ?? defaults.gradientBytes,
            transientBytes: try decode(StageValues.self, .transientBytes) ?? defaults.transientBytes,
            dispatch: try decode(Double.self, .dispatch) ?? defaults.dispatch,
            recompute: try decode(StageValues.self, .recompute),
            checkpointBytes: try decode(StageValues.self, .checkpointBytes) ?? defaults.checkpointBytes,
            coldStart: try decode(StageValues.self, .coldStart) ?? defaults.coldStart,
            workingSet: try decode([WorkingSetPoint].self, .workingSet) ?? defaults.workingSet,
            firstAction: try decode(StageValues.self, .firstAction),
            deviceSpeed: try decode([Double].self, .deviceSpeed) ?? defaults.deviceSpeed,
            firstOfOp: try decode([String: Double].self, .firstOfOp) ?? defaults.firstOfOp,
            uncertainty: try decode(Double.self, .uncertainty))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        func put<T: Encodable>(_ value: T?, _ field: Field) throws {
            if let value { try container.encode(value, forKey: AnyKey(stringValue: field.rawValue)) }
        }
        try put(forward, .forward)
        try put(backward, .backward)
        try put(inputGrad, .inputGrad)
        try put(weightGrad, .weightGrad)
        try put(gradSync, .gradSync)
        try put(optimizerStep, .optimizerStep)
        try put(latency, .latency)
        try put(bandwidth, .bandwidth)
        try put(transferBytes, .transferBytes)
        try put(activationBytes, .activationBytes)
        try put(weightBytes, .weightBytes)
        try put(contention, .contention)
        try put(gradientBytes, .gradientBytes)
        try put(transientBytes, .transientBytes)
        try put(dispatch, .dispatch)
        try put(recompute, .recompute)
        try put(checkpointBytes, .checkpointBytes)
        try put(coldStart, .coldStart)
        try put(firstAction, .firstAction)
        if !deviceSpeed.isEmpty { try put(deviceSpeed, .deviceSpeed) }
        if !firstOfOp.isEmpty { try put(firstOfOp, .firstOfOp) }
        if !workingSet.isEmpty { try put(workingSet, .workingSet) }
        try put(uncertainty, .uncertainty)
    }

    /// Parses and validates the JSON form; `file` names the source in error messages.
    public static func decode(json data: Data, file: String = "<input>") throws(CostModelError) -> CostModel {
        let model: CostModel
        do {
            model = try JSONDecoder().decode(CostModel.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error, file: file)
        } catch {
            throw .malformed(file: file, reason: "\(error)", field: nil)
        }
        try model.validate()
        return model
    }

    /// Reads, parses and validates a cost-model JSON file.
    public static func load(from path: String) throws(CostModelError) -> CostModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformed(file: path, reason: "no such file or not readable", field: nil)
        }
        return try decode(json: data, file: path)
    }

    /// The JSON form, keys sorted and indented so files diff well.
    public func encodedJSON() throws(CostModelError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return try encoder.encode(self)
        } catch {
            throw .unwritable(file: "<memory>", reason: "\(error)")
        }
    }

    /// Writes the JSON form to `path`.
    public func save(to path: String) throws(CostModelError) {
        let data = try encodedJSON()
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(file: path, reason: "\(error)")
        }
    }

    /// Turns a decoding error into a message naming the field.
    private static func describe(_ error: DecodingError, file: String) -> CostModelError {
        func field(_ path: [any CodingKey]) -> String? {
            path.isEmpty ? nil : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(_, context):
            return .malformed(file: file, reason: Self.expectation(context), field: field(context.codingPath))
        case let .valueNotFound(_, context):
            return .malformed(file: file, reason: "null is not a value here: " + Self.expectation(context), field: field(context.codingPath))
        case let .keyNotFound(key, context):
            return .malformed(file: file, reason: "missing key '\(key.stringValue)'", field: field(context.codingPath))
        case let .dataCorrupted(context):
            let reason = context.codingPath.isEmpty
                ? "not valid JSON; expected an object such as {\"forward\": 1000, \"backward\": 2000}"
                : context.debugDescription
            return .malformed(file: file, reason: reason, field: field(context.codingPath))
        @unknown default:
            return .malformed(file: file, reason: "\(error)", field: nil)
        }
    }

    private static func expectation(_ context: DecodingError.Context) -> String {
        guard let key = context.codingPath.first?.stringValue, let field = Field(rawValue: key) else {
            return context.debugDescription
        }
        switch field {
        case .contention: return "expected true or false"
        case .latency, .bandwidth, .dispatch: return "expected a number of \(field.unit)"
        default: return "expected a number of \(field.unit), or a list of them (one per stage)"
        }
    }
}
