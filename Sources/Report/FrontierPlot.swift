import Foundation
import Tune

/// `tune --plot`: every candidate as a point of peak memory (x) against throughput (y), the frontier
/// as a line through its points, the budget as a dashed vertical line, the winner ringed. A standalone
/// SVG file that any browser shows.
public enum FrontierPlot {
    public static func svg(_ outcome: TuneOutcome, memoryBudget: Int64?, title: String) -> String {
        let width = 900.0, height = 560.0
        let left = 90.0, right = 30.0, top = 50.0, bottom = 60.0
        let all = outcome.ranked + outcome.overBudget
        let unit = all.first?.samplesPerSecond != nil ? "samples/s" : "micro-batches/s"
        let memories = all.map { Double($0.maxPeakMemory) } + (memoryBudget.map { [Double($0)] } ?? [])
        let (xLow, xHigh) = axisRange(memories)
        let (yLow, yHigh) = axisRange(all.map(\.throughput) + [0])
        func x(_ bytes: Double) -> Double { left + (bytes - xLow) / (xHigh - xLow) * (width - left - right) }
        func y(_ value: Double) -> Double { height - bottom - (value - yLow) / (yHigh - yLow) * (height - top - bottom) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="24" font-size="15">\(MarkupText.escape(title))</text>

            """
        for tick in ticks(xLow, xHigh) {
            svg += line(x(tick), top, x(tick), height - bottom, stroke: "#eee")
            svg += text(x(tick), height - bottom + 16, TuneText.bytes(Int64(tick)), anchor: "middle")
        }
        for tick in ticks(yLow, yHigh) {
            svg += line(left, y(tick), width - right, y(tick), stroke: "#eee")
            svg += text(left - 6, y(tick) + 4, number(tick), anchor: "end")
        }
        svg += line(left, height - bottom, width - right, height - bottom, stroke: "#333")
        svg += line(left, top, left, height - bottom, stroke: "#333")
        svg += text((left + width - right) / 2, height - 18, "peak memory per device (most loaded device)", anchor: "middle")
        svg += "<text transform=\"translate(20 \((top + height - bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">throughput (\(unit))</text>\n"
        if let memoryBudget {
            let bx = x(Double(memoryBudget))
            svg += "<line x1=\"\(f(bx))\" y1=\"\(f(top))\" x2=\"\(f(bx))\" y2=\"\(f(height - bottom))\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/>\n"
            svg += text(bx + 4, top + 12, "budget \(TuneText.bytes(memoryBudget))", anchor: "start", fill: "#c00")
        }
        for result in outcome.overBudget {
            svg += circle(x(Double(result.maxPeakMemory)), y(result.throughput), fill: "#bbb", label: result.candidate.label + " (over budget)")
        }
        for result in outcome.ranked where !result.onFrontier {
            svg += circle(x(Double(result.maxPeakMemory)), y(result.throughput), fill: "#6a9fd8", label: result.candidate.label)
        }
        let frontier = outcome.frontier
        if frontier.count > 1 {
            let points = frontier.map { "\(f(x(Double($0.maxPeakMemory)))),\(f(y($0.throughput)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#e08a00\" stroke-width=\"2\"/>\n"
        }
        for result in frontier {
            let px = x(Double(result.maxPeakMemory)), py = y(result.throughput)
            svg += circle(px, py, fill: "#e08a00", label: result.candidate.label)
            svg += text(px + 7, py - 7, result.candidate.label, anchor: "start", fill: "#7a4a00", size: 11)
        }
        if let winner = outcome.ranked.first {
            svg += "<circle cx=\"\(f(x(Double(winner.maxPeakMemory))))\" cy=\"\(f(y(winner.throughput)))\" r=\"9\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"/>\n"
        }
        svg += "<text x=\"\(f(width - right))\" y=\"\(f(top - 8))\" text-anchor=\"end\" fill=\"#555\"><tspan fill=\"#e08a00\">●</tspan> frontier  "
            + "<tspan fill=\"#6a9fd8\">●</tspan> within budget  <tspan fill=\"#bbb\">●</tspan> over budget  <tspan fill=\"#c00\">◯</tspan> chosen</text>\n"
        return svg + "</svg>\n"
    }

    /// A range with 5% margins (a single value gets one of its own size).
    static func axisRange(_ values: [Double]) -> (Double, Double) {
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        let span = high > low ? high - low : max(abs(high), 1)
        return (max(0, low - span * 0.05), high + span * 0.05)
    }

    /// About five round tick values between `low` and `high`.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        guard raw > 0, raw.isFinite else { return [low] }
        var step = 1.0
        while step * 10 <= raw { step *= 10 }
        while step > raw { step /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where step * factor >= raw { step *= factor; break }
        var tick = (low / step).rounded(.up) * step, result: [Double] = []
        while tick <= high, result.count < 20 { result.append(tick); tick += step }
        return result
    }

    static func number(_ value: Double) -> String {
        if value >= 100 || value == value.rounded() { return String(Int(value.rounded())) }
        return String(Double(Int((value * 100).rounded())) / 100)
    }

    private static func f(_ value: Double) -> String { String(Double(Int((value * 10).rounded())) / 10) }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\"/>\n"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, fill: String = "#333", size: Int = 12) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\" font-size=\"\(size)\">\(MarkupText.escape(content))</text>\n"
    }

    private static func circle(_ x: Double, _ y: Double, fill: String, label: String) -> String {
        "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4.5\" fill=\"\(fill)\"><title>\(MarkupText.escape(label))</title></circle>\n"
    }
}
