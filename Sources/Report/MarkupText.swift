/// Escaping of text placed into XML, SVG and HTML, in content and in double-quoted attributes.
enum MarkupText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by their entities, and the control characters XML
    /// 1.0 forbids even as entities (all below U+0020 but tab, line feed and carriage return) by spaces.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case _ where isForbiddenControl(scalar): result += " "
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        "&<>\"'".unicodeScalars.contains(scalar) || isForbiddenControl(scalar)
    }

    private static func isForbiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r"
    }
}
