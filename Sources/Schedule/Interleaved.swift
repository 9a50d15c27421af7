/// Interleaved 1F1B (Narayanan et al., SC'21; Megatron-LM's order). Each device holds v chunks: virtual
/// stage s lives on device s mod p. Micro-batches go through the chunks in groups of p: the k-th forward
/// of a device is chunk ⌊(k mod pv)/p⌋ of micro-batch ⌊k/pv⌋·p + k mod p; backwards walk the chunks
/// in reverse. Device d warms up with min(2(p − d − 1) + (v − 1)p, mv) forwards, then alternates one
/// forward and one backward, then drains.
///
/// Constraint (Megatron's): with v > 1 the number of micro-batches must be a multiple of p, so every
/// group of p micro-batches is whole. With v = 1 this is plain 1F1B, for any m.
enum Interleaved {
    static func make(devices p: Int, microbatches m: Int, chunks v: Int) throws(ScheduleError) -> Schedule {
        if v == 1 {
            var schedule = try OneForwardOneBackward.make(devices: p, microbatches: m)
            schedule.name = ScheduleFamily.interleaved.rawValue
            return schedule
        }
        guard m % p == 0 else {
            let lower = m / p * p, upper = lower + p
            throw .unsupported("interleaved", "with \(v) chunks the micro-batches must be a multiple of the devices (\(p)), as in Megatron-LM; "
                + "use --microbatches \(lower > 0 ? "\(lower) or " : "")\(upper)")
        }
        let total = m * v
        let group = p * v
        func stage(_ k: Int, device d: Int, forward: Bool) -> Int {
            let chunk = (k % group) / p
            return (forward ? chunk : v - 1 - chunk) * p + d
        }
        func microbatch(_ k: Int) -> Int { (k / group) * p + k % p }

        let lists = (0..<p).map { d in
            let warmup = min(2 * (p - d - 1) + (v - 1) * p, total)
            var list: [Action] = []
            list.reserveCapacity(2 * total)
            for k in 0..<warmup {
                list.append(Action(.forward, stage: stage(k, device: d, forward: true), microbatch: microbatch(k)))
            }
            for i in 0..<(total - warmup) {
                let k = warmup + i
                list.append(Action(.forward, stage: stage(k, device: d, forward: true), microbatch: microbatch(k)))
                list.append(Action(.backward, stage: stage(i, device: d, forward: false), microbatch: microbatch(i)))
            }
            for i in (total - warmup)..<total {
                list.append(Action(.backward, stage: stage(i, device: d, forward: false), microbatch: microbatch(i)))
            }
            return list
        }
        return Schedule(name: ScheduleFamily.interleaved.rawValue, placement: try .looped(devices: p, chunks: v),
                        microbatchCount: m, actionsByDevice: lists)
    }
}
