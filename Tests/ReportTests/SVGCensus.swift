import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads an SVG (or any XML) and records its elements: how many of each name, each element's
/// attributes, and for every element the text of its `<title>` child. Parsing fails on text that is
/// not well-formed XML.
final class SVGCensus: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        var title: String?
        /// The text directly inside the element.
        var text = ""
        /// Index of the enclosing element, nil for the root.
        var parent: Int?
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    private(set) var elements: [Element] = []
    private var stack: [Int] = []
    private var text = ""
    private(set) var error: String?

    /// Parses `xml`; nil when it is not well-formed.
    static func parse(_ xml: String) -> SVGCensus? {
        let census = SVGCensus()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = census
        guard parser.parse() else { return nil }
        return census
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        var element = Element(name: name, attributes: attributes)
        element.parent = stack.last
        stack.append(elements.count)
        elements.append(element)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let index = stack.popLast() else { return }
        elements[index].text = text
        if name == "title", let parent = stack.last { elements[parent].title = text }
        text = ""
    }

    /// The texts of `<text>` elements whose parent has class `className`.
    func texts(inside className: String) -> [String] {
        elements.filter { $0.name == "text" && $0.parent.map { elements[$0].classes.contains(className) } == true }.map(\.text)
    }

    /// Elements named `name` whose class list holds `className`.
    func elements(_ name: String, class className: String) -> [Element] {
        elements.filter { $0.name == name && $0.classes.contains(className) }
    }
}
