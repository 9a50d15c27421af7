/// Text forms of a query result: an aligned table for people, CSV and JSON for programs.
extension QueryResult {
    /// Columns aligned with spaces under a header line; NULL shown as `NULL`.
    public func table() -> String {
        let cells = rows.map { $0.map(\.plainText) }
        let widths = columns.indices.map { column in
            cells.reduce(columns[column].count) { max($0, column < $1.count ? $1[column].count : 0) }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                index == values.count - 1 ? value : value + String(repeating: " ", count: widths[index] - value.count)
            }.joined(separator: "  ")
        }
        var lines = [line(columns), line(widths.map { String(repeating: "-", count: $0) })]
        lines += cells.map(line)
        lines.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return lines.joined(separator: "\n")
    }

    /// RFC 4180 CSV with a header row; NULL as an empty field.
    public func csv() -> String {
        var text = columns.map(CSVField.quote).joined(separator: ",") + "\n"
        for row in rows {
            text += row.map { $0 == .null ? "" : CSVField.quote($0.plainText) }.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A JSON array with one object per row, keys in column order; blobs as hex strings.
    public func json() -> String {
        let objects = rows.map { row in
            "{" + zip(columns, row).map { JSONText.string($0) + ": " + $1.jsonText }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]\n" : "[\n  " + objects.joined(separator: ",\n  ") + "\n]\n"
    }
}

extension SQLValue {
    /// The value as plain text: numbers as SQLite prints them, blobs in hex.
    public var plainText: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        case .blob(let bytes): "x'" + bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined() + "'"
        }
    }

    /// The value as a JSON literal.
    var jsonText: String {
        switch self {
        case .null: "null"
        case .integer(let value): String(value)
        case .real(let value): value.isFinite ? String(value) : "null"
        case .text(let value): JSONText.string(value)
        case .blob: JSONText.string(plainText)
        }
    }
}

/// CSV quoting.
enum CSVField {
    /// `value`, quoted when it holds a comma, a quote or a line break.
    static func quote(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// JSON string literals.
enum JSONText {
    static func string(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
