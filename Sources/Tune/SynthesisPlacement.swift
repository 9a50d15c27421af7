import Schedule
import Simulator

/// A placement that schedule synthesis and the makespan lower bound consider, with the cost model it
/// is priced with: a p-stage model is cut into equal parts with `StageSplit` when a device holds
/// several smaller stages.
public enum SynthesisPlacement: Hashable, Sendable, CustomStringConvertible {
    /// Stage s on device s mod p, `chunks` stages per device (1: a plain pipeline).
    case looped(chunks: Int)
    /// ZB-V's V shape: 2p stages, device d holds stages d and 2p − 1 − d.
    case vShape

    /// The placements a synthesized schedule may take: one stage per device, the V shape, and two
    /// chunks per device (where a slow stage's halves land on the devices that start first).
    public static let synthesized: [SynthesisPlacement] = [.looped(chunks: 1), .vShape, .looped(chunks: 2)]

    /// Stages per device: the number of parts each stage of the base cost model is cut into.
    public var chunks: Int {
        switch self {
        case let .looped(chunks): chunks
        case .vShape: 2
        }
    }

    /// The placement over `devices` devices.
    public func placement(devices: Int) throws(ScheduleError) -> Placement {
        switch self {
        case let .looped(chunks): try .looped(devices: devices, chunks: chunks)
        case .vShape: try .vShape(devices: devices)
        }
    }

    /// `base` (one stage per device) priced for this placement's stages.
    public func costModel(base: CostModel) -> CostModel {
        StageSplit.split(base, parts: max(chunks, 1))
    }

    public var description: String {
        switch self {
        case let .looped(chunks): chunks == 1 ? "looped" : "looped×\(chunks)"
        case .vShape: "V"
        }
    }
}
