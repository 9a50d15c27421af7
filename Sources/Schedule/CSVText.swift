/// Splits CSV text into rows of cells the way Python's `csv` module and spreadsheets write it (RFC 4180):
/// rows end in `\r\n`, `\n` or a lone `\r`; a UTF-8 byte-order mark is ignored; the last row may lack its
/// newline; a cell in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`).
///
/// Works on Unicode scalars, not `Character`s: in Swift "\r\n" is one `Character`, so splitting a `String`
/// on "\n" would never see the row ends that Python's `csv.writer` writes.
struct CSVText {
    /// One cell: its text (quotes removed) and its 1-based column.
    struct Cell {
        let text: String
        let column: Int
    }

    /// An unterminated quoted cell.
    struct UnterminatedQuote: Error {
        let row: Int
        let column: Int
    }

    /// The rows, each a list of cells; an empty line is a row with one empty cell.
    let rows: [[Cell]]

    init(_ text: String) throws(UnterminatedQuote) {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var rows: [[Cell]] = []
        var row: [Cell] = []
        var cell = String.UnicodeScalarView()
        var inQuotes = false
        var quoteStart = (row: 1, column: 1)
        var index = scalars.startIndex
        let end = scalars.endIndex

        func endCell() {
            row.append(Cell(text: String(cell), column: row.count + 1))
            cell = String.UnicodeScalarView()
        }
        func endRow() {
            endCell()
            rows.append(row)
            row = []
        }

        while index < end {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if inQuotes {
                if scalar == "\"" {
                    if index < end, scalars[index] == "\"" {
                        cell.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    cell.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                endCell()
            case "\r":
                if index < end, scalars[index] == "\n" { index = scalars.index(after: index) }
                endRow()
            case "\n":
                endRow()
            case "\"" where cell.allSatisfy({ $0 == " " || $0 == "\t" }):
                // A quote opens a quoted cell only at the cell's start (after blanks), as in Python's reader.
                inQuotes = true
                cell = String.UnicodeScalarView()
                quoteStart = (rows.count + 1, row.count + 1)
            default:
                cell.append(scalar)
            }
        }
        if inQuotes { throw UnterminatedQuote(row: quoteStart.row, column: quoteStart.column) }
        // A last row without its newline; text that ends in a newline has no further row.
        if !cell.isEmpty || !row.isEmpty { endRow() }
        self.rows = rows
    }
}
