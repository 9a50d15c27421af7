import Schedule

/// A Gantt chart of one or more timelines as SVG: one row per device, time on a shared x axis, each
/// action a box coloured by its op and labelled with its micro-batch (and stage, when the device holds
/// several), idle time as the grey row background, each device's bubble ratio at the row's end, a
/// legend and a title with the schedule's parameters.
///
/// Several timelines (a prediction above a measurement) are stacked as panels over one time axis.
/// Every action box is a `<rect class="action op-K">` (K: `F`, `B`, `I`, `W`, `sync`) carrying a
/// `<title>` tooltip with the action, its start, end and duration. Layout adapts from 2 to 64 devices:
/// rows shrink, and labels are dropped where they would not fit their box.
public struct GanttSVG: Sendable {
    /// Rendering choices.
    public struct Options: Sendable, Hashable {
        /// Width of the whole picture in pixels (the plot gets what the margins leave; at least 200).
        public var width: Int
        /// Whether to write a standalone SVG document (XML declaration and SVG namespace, for `.svg`
        /// files) or an element to inline in HTML5, which needs neither.
        public var standalone: Bool
        /// Whether to draw the title line (the schedule and its parameters); a page that already says
        /// it in a heading can leave it out.
        public var showsTitle: Bool

        public init(width: Int = 1200, standalone: Bool = true, showsTitle: Bool = true) {
            self.width = width
            self.standalone = standalone
            self.showsTitle = showsTitle
        }
    }

    /// The timelines drawn, top to bottom.
    public let charts: [RunTimeline]
    /// Rendering choices.
    public let options: Options

    /// A chart of `charts` stacked on one time axis; throws `ReportError.noTimelines` when empty.
    public init(_ charts: [RunTimeline], options: Options = Options()) throws(ReportError) {
        guard !charts.isEmpty else { throw .noTimelines }
        self.charts = charts
        self.options = options
    }

    /// A chart of one timeline.
    public init(_ chart: RunTimeline, options: Options = Options()) {
        self.charts = [chart]
        self.options = options
    }

    /// The SVG text.
    public func render() -> String {
        var canvas = GanttCanvas(charts: charts, options: options)
        return canvas.render()
    }
}

/// The geometry and drawing of a `GanttSVG`; kept apart so the public type stays a plain description.
struct GanttCanvas {
    let charts: [RunTimeline]
    let options: GanttSVG.Options
    let axis: TimeAxis
    let width: Double
    let plotLeft: Double
    let plotWidth: Double
    let rowPitch: Double
    let boxHeight: Double
    let rowFont: Double
    let labelFont: Double
    var out = ""

    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let rightMargin = 70.0
    static let panelHeaderHeight = 24.0
    static let panelGap = 16.0
    static let axisHeight = 44.0

    init(charts: [RunTimeline], options: GanttSVG.Options) {
        self.charts = charts
        self.options = options
        let extent = charts.map(\.timeline.makespan).max() ?? 0
        width = Double(max(options.width, 200))
        let devices = charts.map(\.timeline.schedule.deviceCount).max() ?? 1
        rowPitch = min(30, max(9, (560.0 / Double(max(devices, 1))).rounded(.down)))
        boxHeight = rowPitch - max(1, (rowPitch * 0.18).rounded())
        rowFont = min(12, max(8, (rowPitch * 0.85 * 10).rounded() / 10))
        labelFont = min(11, (boxHeight * 0.62 * 10).rounded() / 10)
        plotLeft = rowPitch >= 14 ? 78 : 44
        plotWidth = width - plotLeft - Self.rightMargin
        axis = TimeAxis(extent: extent, targetTicks: max(2, Int(plotWidth / 110)))
    }

    /// x of time `t` (ns from the chart's origin).
    func x(_ t: Int64) -> Double { plotLeft + Double(t) / Double(axis.end) * plotWidth }

    func panelHeight(_ chart: RunTimeline) -> Double {
        Self.panelHeaderHeight + Double(chart.timeline.schedule.deviceCount) * rowPitch
    }

    /// Height of the title and legend lines above the first panel.
    var titleHeight: Double { options.showsTitle ? 64 : 34 }

    var height: Double {
        titleHeight + charts.map(panelHeight).reduce(0, +) + Double(charts.count - 1) * Self.panelGap + Self.axisHeight
    }

    mutating func render() -> String {
        let f = Formatting.coordinate
        let title = MarkupText.escape(titleText)
        if options.standalone {
            out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
        } else {
            out += "<svg "
        }
        out += "class=\"gantt\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
        out += "font-family=\"\(Self.fontFamily)\" role=\"img\" aria-label=\"\(title)\">\n"
        out += "<title>\(title)</title>\n"
        if charts.contains(where: { $0.timeline.schedule.replicaCount > 1 }) {
            out += "<defs><pattern id=\"replica-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            out += "<rect width=\"2.4\" height=\"6\" fill=\"#FFFFFF\" fill-opacity=\"0.45\"/></pattern></defs>\n"
        }
        out += "<rect class=\"background\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"#FFFFFF\"/>\n"
        if options.showsTitle {
            out += "<text class=\"title\" x=\"\(f(plotLeft))\" y=\"24\" font-size=\"18\" font-weight=\"bold\" fill=\"#000000\">\(title)</text>\n"
        }
        drawLegend(y: titleHeight - 18)
        var top = titleHeight
        for chart in charts {
            drawPanel(chart, top: top)
            top += panelHeight(chart) + Self.panelGap
        }
        drawAxis(bottom: top - Self.panelGap)
        out += "</svg>\n"
        return out
    }

    /// The schedule and parameters; the run kinds when the panels do not say it themselves.
    var titleText: String {
        let schedules = charts.map(\.run.scheduleTitle)
        guard let first = schedules.first else { return "" }
        return schedules.allSatisfy({ $0 == first }) ? first : schedules.joined(separator: " vs ")
    }

    mutating func drawLegend(y: Double) {
        let f = Formatting.coordinate
        let present = Set(charts.flatMap { $0.timeline.schedule.actions.map(\.op) })
        var items: [(fill: String, name: String, hatch: Bool, second: String?)] = Op.allCases.filter(present.contains).map {
            let style = OpStyle.of($0)
            return (style.fill, style.name, false, nil)
        }
        items.append((OpStyle.idleFill, "idle (bubble)", false, nil))
        let chunks = charts.map { Self.maxChunks($0.timeline.schedule) }.max() ?? 1
        if chunks > 1 {
            let p = charts[0].timeline.schedule.deviceCount
            let name = chunks == 2 && charts.allSatisfy({ $0.timeline.schedule.deviceCount == p && $0.timeline.schedule.stageCount == 2 * p })
                ? "paler: the device's 2nd chunk (stages \(p)–\(2 * p - 1))" : "paler: the device's later chunks"
            items.append((OpStyle.forward.fill(chunk: 1, of: 2), name, false, OpStyle.backward.fill(chunk: 1, of: 2)))
        }
        if charts.contains(where: { $0.timeline.schedule.replicaCount > 1 }) {
            items.append(("#555555", "hatched: replica 1 (second pipeline)", true, nil))
        }
        out += "<g class=\"legend\" font-size=\"12\">\n"
        var x = plotLeft
        for item in items {
            out += "<g class=\"legend-item\"><rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"\(item.fill)\" stroke=\"#888888\" stroke-width=\"0.5\"/>"
            if let second = item.second {
                out += "<rect x=\"\(f(x + 6))\" y=\"\(f(y - 10))\" width=\"6\" height=\"12\" fill=\"\(second)\"/>"
            }
            if item.hatch {
                out += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"url(#replica-hatch)\"/>"
            }
            out += "<text x=\"\(f(x + 16))\" y=\"\(f(y))\" fill=\"#222222\">\(MarkupText.escape(item.name))</text></g>\n"
            x += 16 + Double(item.name.count) * 12 * 0.6 + 18
        }
        out += "<text x=\"\(f(width - 8))\" y=\"\(f(y))\" text-anchor=\"end\" fill=\"#555555\">bubble = idle / makespan</text>\n"
        out += "</g>\n"
    }

    /// The most stages of one replica that a device of `schedule` holds (v of interleaved schedules).
    static func maxChunks(_ schedule: Schedule) -> Int {
        var most = 1
        for device in 0..<schedule.deviceCount {
            var perReplica: [Int: Int] = [:]
            for (replica, _) in schedule.placement.stages(on: device) { perReplica[replica, default: 0] += 1 }
            most = max(most, perReplica.values.max() ?? 1)
        }
        return most
    }

    /// Chunk (position among the device's stages of the same replica) and chunk count of every
    /// (replica, stage), at `replica * stageCount + stage`.
    static func chunks(_ schedule: Schedule) -> [(chunk: Int, of: Int)] {
        var result = [(chunk: Int, of: Int)](repeating: (0, 1), count: schedule.replicaCount * schedule.stageCount)
        for device in 0..<schedule.deviceCount {
            let held = schedule.placement.stages(on: device)
            for replica in Set(held.map(\.replica)) {
                let stages = held.filter { $0.replica == replica }.map(\.stage).sorted()
                for (chunk, stage) in stages.enumerated() { result[replica * schedule.stageCount + stage] = (chunk, stages.count) }
            }
        }
        return result
    }

    mutating func drawPanel(_ chart: RunTimeline, top: Double) {
        let f = Formatting.coordinate
        let timeline = chart.timeline, schedule = timeline.schedule
        let origin = chart.origin
        let makespan = timeline.makespan
        let rowsTop = top + Self.panelHeaderHeight
        var header = chart.run.runTitle + " · makespan " + Formatting.duration(makespan)
            + " · bubble " + Formatting.percent(timeline.bubbleRatio)
        if charts.contains(where: { $0.run.scheduleTitle != chart.run.scheduleTitle }) {
            header = chart.run.scheduleTitle + " — " + header
        }
        out += "<g class=\"chart\" data-kind=\"\(chart.run.kind.rawValue)\">\n"
        out += "<text class=\"chart-title\" x=\"\(f(plotLeft))\" y=\"\(f(top + 16))\" font-size=\"13\" font-weight=\"bold\" fill=\"#000000\">\(MarkupText.escape(header))</text>\n"
        out += "<text x=\"\(f(width - 8))\" y=\"\(f(top + 16))\" font-size=\"11\" text-anchor=\"end\" fill=\"#555555\">bubble</text>\n"
        if rowPitch < 14 {
            // Rows are labelled by number only: name the column once, along the rows.
            let middle = top + Self.panelHeaderHeight + Double(schedule.deviceCount) * rowPitch / 2
            out += "<text x=\"14\" y=\"\(f(middle))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555555\" transform=\"rotate(-90 14 \(f(middle)))\">device</text>\n"
        }

        // Rows: device label, idle background up to the makespan, bubble ratio.
        out += "<g class=\"rows\">\n"
        for device in 0..<schedule.deviceCount {
            let y = rowsTop + Double(device) * rowPitch
            let mid = y + boxHeight / 2 + rowFont * 0.35
            let name = rowPitch >= 14 ? "device \(device)" : String(device)
            out += "<text class=\"device-label\" x=\"\(f(plotLeft - 6))\" y=\"\(f(mid))\" font-size=\"\(f(rowFont))\" text-anchor=\"end\" fill=\"#222222\">\(name)</text>"
            out += "<rect class=\"idle\" x=\"\(f(plotLeft))\" y=\"\(f(y))\" width=\"\(f(x(makespan) - plotLeft))\" height=\"\(f(boxHeight))\" fill=\"\(OpStyle.idleFill)\"/>"
            out += "<text class=\"bubble\" x=\"\(f(width - 8))\" y=\"\(f(mid))\" font-size=\"\(f(rowFont))\" text-anchor=\"end\" fill=\"#222222\">\(Formatting.percent(chart.bubbleRatio(device: device)))</text>\n"
        }
        out += "</g>\n"

        // Grid lines at the axis ticks, under the boxes.
        out += "<g class=\"grid\" stroke=\"#FFFFFF\" stroke-width=\"1\">"
        let rowsBottom = rowsTop + Double(schedule.deviceCount) * rowPitch
        for tick in axis.ticks.dropFirst() where tick <= makespan {
            out += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(rowsTop))\" x2=\"\(f(x(tick)))\" y2=\"\(f(rowsBottom - (rowPitch - boxHeight)))\"/>"
        }
        out += "</g>\n"

        // Action boxes, then their labels on top. Where the full label (micro-batch and stage) fits the
        // typical box of an op, every box of that op that can hold it gets it, so labels read alike.
        let chunkOf = Self.chunks(schedule)
        var widths: [Op: [Double]] = [:]
        for id in schedule.actions.indices {
            widths[schedule.actions[id].op, default: []].append(x(timeline.end[id] - origin) - x(timeline.start[id] - origin))
        }
        let typicalWidth = widths.mapValues { $0.sorted()[$0.count / 2] }
        out += "<g class=\"actions\">\n"
        var labels = ""
        for device in 0..<schedule.deviceCount {
            let y = rowsTop + Double(device) * rowPitch
            let showStage = schedule.placement.stages(on: device).count > 1
            for id in schedule.actionRange(of: device) {
                let action = schedule.actions[id]
                let style = OpStyle.of(action.op)
                let chunk = chunkOf[action.replica * schedule.stageCount + action.stage]
                let start = timeline.start[id] - origin, end = max(timeline.end[id] - origin, start)
                var left = x(start), boxWidth = max(0.5, x(end) - left)
                if boxWidth >= 2 {
                    // Inset each box a little so that back-to-back actions stay apart.
                    let inset = min(0.5, boxWidth * 0.12)
                    left += inset
                    boxWidth -= 2 * inset
                }
                out += "<rect class=\"action op-\(style.key)\" x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"\(style.fill(chunk: chunk.chunk, of: chunk.of))\">"
                out += "<title>\(MarkupText.escape(tooltip(action, device: device, start: start, end: end)))</title></rect>"
                if action.replica > 0 {
                    out += "<rect class=\"replica-mark\" x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"url(#replica-hatch)\" pointer-events=\"none\"/>"
                }
                out += "\n"
                let full = showStage && fits(fullLabel(action), typicalWidth[action.op] ?? 0)
                if let text = label(action, full: full, boxWidth: boxWidth) {
                    labels += "<text x=\"\(f(left + boxWidth / 2))\" y=\"\(f(y + boxHeight / 2 + labelFont * 0.36))\" fill=\"\(style.text(chunk: chunk.chunk, of: chunk.of))\">\(text)</text>\n"
                }
            }
        }
        out += "</g>\n"
        if !labels.isEmpty {
            out += "<g class=\"labels\" font-size=\"\(f(labelFont))\" text-anchor=\"middle\" pointer-events=\"none\">\n" + labels + "</g>\n"
        }
        out += "</g>\n"
    }

    /// The micro-batch (`sync` for a gradient sync).
    func shortLabel(_ action: Action) -> String {
        action.op == .gradSync ? "sync" : String(action.microbatch)
    }

    /// Micro-batch and stage: `3·s5`.
    func fullLabel(_ action: Action) -> String {
        action.op == .gradSync ? "sync·s\(action.stage)" : "\(action.microbatch)·s\(action.stage)"
    }

    /// Whether `text` fits a box `width` wide at the label font.
    func fits(_ text: String, _ width: Double) -> Bool {
        labelFont >= 6.5 && Double(text.count) * labelFont * 0.62 + 3 <= width
    }

    /// The label for a box `boxWidth` wide: the full one when asked for and it fits, else the
    /// micro-batch when it fits, else none.
    func label(_ action: Action, full: Bool, boxWidth: Double) -> String? {
        if full, fits(fullLabel(action), boxWidth) { return fullLabel(action) }
        return fits(shortLabel(action), boxWidth) ? shortLabel(action) : nil
    }

    func tooltip(_ action: Action, device: Int, start: Int64, end: Int64) -> String {
        var what = "\(action) — \(OpStyle.of(action.op).name), stage \(action.stage)"
        if action.op.isPerMicrobatch { what += ", micro-batch \(action.microbatch)" }
        if action.replica > 0 { what += ", replica \(action.replica)" }
        return what + ", device \(device)\nstart \(Formatting.duration(start)) · end \(Formatting.duration(end)) · duration \(Formatting.duration(end - start))"
    }

    var axisTitle: String {
        charts.count > 1 ? "time (\(axis.unit)), each chart from its own first action" : "time (\(axis.unit)) from the first action"
    }

    mutating func drawAxis(bottom: Double) {
        let f = Formatting.coordinate
        let y = bottom + 2
        out += "<g class=\"axis\" font-size=\"11\" fill=\"#222222\">\n"
        out += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(y))\" x2=\"\(f(plotLeft + plotWidth))\" y2=\"\(f(y))\" stroke=\"#444444\" stroke-width=\"1\"/>\n"
        for tick in axis.ticks {
            let tx = x(tick)
            out += "<line class=\"tick\" x1=\"\(f(tx))\" y1=\"\(f(y))\" x2=\"\(f(tx))\" y2=\"\(f(y + 5))\" stroke=\"#444444\" stroke-width=\"1\"/>"
            out += "<text x=\"\(f(tx))\" y=\"\(f(y + 17))\" text-anchor=\"middle\">\(axis.label(tick))</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"\(f(plotLeft + plotWidth / 2))\" y=\"\(f(y + 34))\" text-anchor=\"middle\" font-size=\"12\">\(axisTitle)</text>\n"
        out += "</g>\n"
    }
}
