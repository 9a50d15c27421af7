import Foundation
import Simulator

/// Which fields of a cost model changed: what a regression's report names as its likely cause.
public enum CostChanges {
    /// The fields whose JSON values differ between `old` and `new`, with both values, e.g.
    /// `forward: [1000000,1000000] → [1000000,1030000]`.
    public static func between(_ old: CostModel, _ new: CostModel) -> [String] {
        guard let before = fields(old), let after = fields(new) else { return [] }
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            let a = before[key] ?? "absent", b = after[key] ?? "absent"
            return a == b ? nil : "\(key): \(a) → \(b)"
        }
    }

    /// Each top-level field's compact JSON.
    private static func fields(_ model: CostModel) -> [String: String]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(model),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
            result[key] = text.count > 120 ? String(text.prefix(117)) + "…" : text
        }
        return result
    }
}
