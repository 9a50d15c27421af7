import Store

/// Text forms every command prints: durations, ratios, byte counts, aligned tables. Hand-rolled so the
/// output is the same on every platform and locale.
enum CommandText {
    /// Nanoseconds as a readable duration: `850 ns`, `12.35 µs`, `3.142 ms`, `1.500 s`.
    static func duration(_ ns: Int64?) -> String {
        guard let ns else { return "-" }
        let value = Double(ns)
        switch abs(value) {
        case ..<1_000: return "\(ns) ns"
        case ..<1_000_000: return fixed(value / 1e3, 2) + " µs"
        case ..<1_000_000_000: return fixed(value / 1e6, 3) + " ms"
        default: return fixed(value / 1e9, 3) + " s"
        }
    }

    /// A ratio as a percentage, with one decimal unless told otherwise.
    static func percent(_ ratio: Double?, decimals: Int = 1) -> String {
        guard let ratio else { return "-" }
        return fixed(ratio * 100, decimals) + "%"
    }

    /// Bytes in binary units: `512 B`, `1.5 MiB`.
    static func bytes(_ count: Int64?) -> String {
        guard let count else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count), unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : fixed(value, 1) + " " + units[unit]
    }

    /// `value` with exactly `decimals` digits after the point.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled - Double(whole) * scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// Rows under a header, columns separated by two spaces; `rightAligned` columns are numbers.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = header.indices.map { column in rows.reduce(header[column].count) { max($0, $1[column].count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (column, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                parts.append(rightAligned.contains(column) ? pad + cell : (column == cells.count - 1 ? cell : cell + pad))
            }
            return parts.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Runs a Store call, turning its error into the command's error message.
    /// An error of the database at `db`, prefixed with its path unless it already names it.
    static func naming(_ db: String, _ error: any Error) -> String {
        let text = "\(error)"
        return text.contains(db) ? text : "\(db): \(text)"
    }

    static func store<T>(_ body: () throws(StoreError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw CommandError(error.description)
        }
    }
}

extension CommandText {
    /// A table whose first column is a label and every other column a number.
    static func numberTable(_ header: [String], _ rows: [[String]]) -> String {
        table(header, rows, rightAligned: Set(1..<max(header.count, 1)))
    }
}
