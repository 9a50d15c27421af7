/// A per-stage quantity of a cost model: one value for every stage, or one value per virtual stage.
///
/// In JSON a uniform value is a number (`1000`) and a per-stage list is an array (`[1000, 1200]`).
public enum StageValues: Equatable, Sendable {
    /// The same value for every stage.
    case uniform(Double)
    /// One value per virtual stage (stage 0 first); the list must have the schedule's stage count.
    case perStage([Double])

    /// The value of stage `stage` (the list must have been checked against the stage count).
    func value(stage: Int) -> Double {
        switch self {
        case let .uniform(value): value
        case let .perStage(values): values[stage]
        }
    }

    /// Every value given: the one uniform value, or the per-stage list.
    public var values: [Double] {
        switch self {
        case let .uniform(value): [value]
        case let .perStage(values): values
        }
    }
}

extension StageValues: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .uniform(value)
        } else if let values = try? container.decode([Double].self) {
            self = .perStage(values)
        } else {
            throw DecodingError.typeMismatch(StageValues.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a number or a list of numbers (one per stage)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .uniform(value): try container.encode(value)
        case let .perStage(values): try container.encode(values)
        }
    }
}
