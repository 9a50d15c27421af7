/// Text forms of a query result: an aligned table for people, CSV and JSON for programs. Each form is
/// a `QueryRowSink` that writes as rows arrive (`QueryFormatter`), so `stagecraft query` streams; the
/// `QueryResult` methods run the same formatters over a result already in memory.
extension QueryResult {
    /// Columns aligned with spaces under a header line; NULL shown as `NULL`.
    public func table() -> String { format(.table).trimmingSuffix("\n") }

    /// RFC 4180 CSV with a header row; NULL as an empty field.
    public func csv() -> String { format(.csv) }

    /// A JSON array with one object per row, keys in column order; blobs as hex strings.
    public func json() -> String { format(.json) }

    private func format(_ kind: QueryFormatter.Kind) -> String {
        var text = ""
        var formatter = QueryFormatter(kind) { text += $0 }
        // Appending to a string cannot fail, so neither can the formatter: nothing is lost to `try?`.
        try? formatter.begin(columns: columns)
        for row in rows { try? formatter.row(row) }
        try? formatter.end()
        return text
    }
}

/// Writes a query's rows as a table, CSV or JSON while they arrive, in pieces of about 64 KiB.
///
/// The table aligns its columns on the first `alignedRows` rows (kept until then); a later, wider value
/// pushes its line out rather than holding every row in memory.
public struct QueryFormatter: QueryRowSink {
    public enum Kind: Sendable { case table, csv, json }

    /// Rows a table holds back to size its columns.
    public static let alignedRows = 1_000

    private let kind: Kind
    private let write: (String) throws -> Void
    private var buffer = ""
    private var columns: [String] = []
    private var widths: [Int] = []
    private var heldRows: [[String]] = []
    private var rowCount = 0
    private var aligned = false

    /// `write` receives the text in order; an error it throws stops the query.
    public init(_ kind: Kind, write: @escaping (String) throws -> Void) {
        self.kind = kind
        self.write = write
    }

    public mutating func begin(columns: [String]) throws {
        self.columns = columns
        switch kind {
        case .table: widths = columns.map(\.count)
        case .csv: try append(columns.map(CSVField.quote).joined(separator: ",") + "\n")
        case .json: break
        }
    }

    public mutating func row(_ values: [SQLValue]) throws {
        rowCount += 1
        switch kind {
        case .table:
            let cells = values.map(\.plainText)
            if aligned {
                try append(line(cells) + "\n")
            } else {
                for (index, cell) in cells.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
                heldRows.append(cells)
                if heldRows.count == Self.alignedRows { try releaseHeldRows() }
            }
        case .csv:
            try append(values.map { $0 == .null ? "" : CSVField.quote($0.plainText) }.joined(separator: ",") + "\n")
        case .json:
            let object = "{" + zip(columns, values).map { JSONText.string($0) + ": " + $1.jsonText }.joined(separator: ", ") + "}"
            try append((rowCount == 1 ? "[\n  " : ",\n  ") + object)
        }
    }

    public mutating func end() throws {
        switch kind {
        case .table:
            if !aligned { try releaseHeldRows() }
            try append("(\(rowCount) row\(rowCount == 1 ? "" : "s"))\n")
        case .csv: break
        case .json: try append(rowCount == 0 ? "[]\n" : "\n]\n")
        }
        try flush()
    }

    private mutating func releaseHeldRows() throws {
        aligned = true
        try append(line(columns) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n")
        for cells in heldRows { try append(line(cells) + "\n") }
        heldRows = []
    }

    private func line(_ values: [String]) -> String {
        values.enumerated().map { index, value in
            index == values.count - 1 || index >= widths.count
                ? value : value + String(repeating: " ", count: max(0, widths[index] - value.count))
        }.joined(separator: "  ")
    }

    private mutating func append(_ text: String) throws {
        buffer += text
        if buffer.utf8.count >= 65_536 { try flush() }
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try write(buffer)
        buffer = ""
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

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
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
