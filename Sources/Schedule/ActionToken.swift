/// One action string of PyTorch's pipelining vocabulary, parsed.
enum ActionToken: Equatable {
    /// A compute action of ours.
    case compute(Action)
    /// A communication or sharding action Stagecraft derives itself (`SEND_F`, `UNSHARD`, …).
    case skipped(String)

    /// Why a cell could not be read.
    struct ParseError: Error {
        let reason: String
    }

    private static let computeKinds: [Substring: Op] = ["F": .forward, "B": .backward, "I": .inputGrad, "W": .weightGrad, "R": .recompute]
    /// Kinds that only communicate or synchronise: Stagecraft derives transfers from the dependencies, and
    /// `WAIT_REDUCE_GRAD` (after `REDUCE_GRAD`, in newer PyTorch) waits for a gradient reduction whose
    /// cost the `REDUCE_GRAD` action already carries.
    private static let skippedKinds: Set<Substring> = ["SEND_F", "RECV_F", "SEND_B", "RECV_B", "UNSHARD", "RESHARD", "WAIT_REDUCE_GRAD"]
    private static let largestIndex = 10_000_000

    /// Parses a cell: one action (`0F1`, `3REDUCE_GRAD`, `1SEND_F2`, `0F1@1`) or an overlapped pair
    /// `(0F3;7B1)OVERLAP_F_B`.
    static func parseCell(_ cell: Substring) throws(ParseError) -> [ActionToken] {
        if cell.hasPrefix("(") {
            guard let close = cell.firstIndex(of: ")"), cell[cell.index(after: close)...] == "OVERLAP_F_B" else {
                throw ParseError(reason: "a compound cell reads '(A;B)OVERLAP_F_B', e.g. '(0F3;7B1)OVERLAP_F_B'")
            }
            let inner = cell[cell.index(after: cell.startIndex)..<close]
            var tokens: [ActionToken] = []
            for part in inner.split(separator: ";") {
                tokens.append(try parse(part))
            }
            guard !tokens.isEmpty else { throw ParseError(reason: "an OVERLAP_F_B cell names no actions") }
            return tokens
        }
        return [try parse(cell)]
    }

    /// Which PyTorch vocabulary an unknown kind might come from (torch.distributed.pipelining's
    /// `_ComputationType`: 2.5 has F B W and the comms kinds, 2.6 adds I, 2.9 OVERLAP_F_B, 2.10 REDUCE_GRAD;
    /// checked against the releases' schedules.py up to 2.13).
    static func vocabularyHint(_ kind: Substring) -> String {
        switch kind {
        case "f", "b", "i", "w", "r":
            return "Action kinds are upper case: '\(kind.uppercased())'."
        case "OVERLAP_F_B":
            return "OVERLAP_F_B (torch 2.9+) wraps two actions: '(0F3;7B1)OVERLAP_F_B'."
        case "FULL_BACKWARD", "BACKWARD_INPUT", "BACKWARD_WEIGHT", "FORWARD":
            return "'\(kind)' is the name of PyTorch's _ComputationType member; its files write the short form (F, B, I, W)."
        default:
            return "Files written by torch 2.5–2.13 use only these; a newer release may have added '\(kind)' — please report it with the torch version that wrote the file."
        }
    }

    /// Parses `[stage][kind][micro-batch][@replica]`.
    static func parse(_ text: Substring) throws(ParseError) -> ActionToken {
        var rest = text[...]
        let stageDigits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !stageDigits.isEmpty else {
            throw ParseError(reason: "an action starts with its stage number, e.g. '0F1' (stage 0, forward, micro-batch 1)")
        }
        rest = rest.dropFirst(stageDigits.count)
        let kind = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "@" }
        rest = rest.dropFirst(kind.count)
        let microbatchDigits = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(microbatchDigits.count)
        var replica = 0
        if rest.first == "@" {
            let replicaDigits = rest.dropFirst()
            guard !replicaDigits.isEmpty, replicaDigits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(replicaDigits), value < 65_536 else {
                throw ParseError(reason: "a replica suffix reads '@1' (a number below 65536)")
            }
            replica = value
            rest = rest.dropFirst(rest.count)
        }
        guard rest.isEmpty else { throw ParseError(reason: "unexpected '\(rest)' after the action") }
        guard let stage = Int(stageDigits), stage <= largestIndex else { throw ParseError(reason: "stage \(stageDigits) is too large") }
        let microbatch = microbatchDigits.isEmpty ? nil : Int(microbatchDigits)
        if !microbatchDigits.isEmpty, microbatch == nil || microbatch! > largestIndex {
            throw ParseError(reason: "micro-batch \(microbatchDigits) is too large")
        }
        if let op = computeKinds[kind] {
            guard let microbatch else { throw ParseError(reason: "\(kind) needs a micro-batch number, e.g. '\(stage)\(kind)0'") }
            return .compute(Action(op, stage: stage, microbatch: microbatch, replica: replica))
        }
        if kind == "REDUCE_GRAD" {
            guard microbatch == nil else { throw ParseError(reason: "REDUCE_GRAD applies to a whole stage and takes no micro-batch") }
            return .compute(Action(.gradSync, stage: stage, replica: replica))
        }
        if skippedKinds.contains(kind) { return .skipped(String(kind)) }
        if kind.isEmpty { throw ParseError(reason: "missing the action kind after the stage: F, B, I, W, R or REDUCE_GRAD") }
        throw ParseError(reason: "unknown action kind '\(kind)': expected F, B, I, W, R (recompute), REDUCE_GRAD, (A;B)OVERLAP_F_B, or PyTorch's SEND_F, RECV_F, SEND_B, RECV_B, UNSHARD, RESHARD, WAIT_REDUCE_GRAD. \(vocabularyHint(kind))")
    }
}
