/// The order in which turns run in each block — the calibration's (its schedules, and the measured run
/// between them) and the candidates `tune --measure` runs: the rows of a Williams design, a Latin square
/// in which every turn directly follows every other turn equally often within the rows (Williams 1949,
/// "Experimental designs balanced for the estimation of residual effects of treatments"). Row r of n
/// turns is the first row 0, 1, n−1, 2, n−2, … shifted by r (mod n); with an odd n the n rows are
/// followed by their reversals.
/// Blocks take the rows in turn, so across the boundaries between blocks the balance is nearly kept too.
public struct TurnOrder: Sendable {
    /// The rows, each a permutation of 0..<turns.
    public let rows: [[Int]]

    public init(turns n: Int) {
        precondition(n >= 1, "at least one turn")
        var first = [0]
        var low = 1, high = n - 1
        while first.count < n {
            first.append(low); low += 1
            if first.count < n { first.append(high); high -= 1 }
        }
        var rows = (0..<n).map { shift in first.map { ($0 + shift) % n } }
        if n % 2 == 1 && n > 1 { rows += rows.map { $0.reversed() } }
        self.rows = rows
    }

    /// The order of block `number`.
    public func row(_ number: Int) -> [Int] { rows[number % rows.count] }
}
