import Testing
import Schedule
@testable import Report

@Test(arguments: ["1f1b", "interleaved", "chimera"])
func svgHasOneBoxPerActionPlusAxisAndLegend(family: String) throws {
    let schedule = try #require(try acceptanceSchedules().first { $0.name == family })
    let timeline = try asapTimeline(schedule)
    let svg = GanttSVG(RunTimeline(timeline, kind: .predicted, runID: 7)).render()
    let census = try #require(SVGCensus.parse(svg), "the SVG is not well-formed XML")

    #expect(census.elements.first?.name == "svg")
    #expect(census.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    let boxes = census.elements("rect", class: "action")
    #expect(boxes.count == schedule.actions.count)
    for op in Op.allCases {
        let expected = schedule.actions.filter { $0.op == op }.count
        #expect(census.elements("rect", class: "op-\(OpStyle.of(op).key)").count == expected, "\(family) \(op)")
    }
    // Every box carries a tooltip naming the action and its times, in the schedule's order.
    #expect(boxes.allSatisfy { $0.title?.contains("start") == true && $0.title?.contains("duration") == true })
    #expect(zip(boxes, schedule.actions).allSatisfy { box, action in box.title?.hasPrefix(action.description + " ") == true })
    // One idle background and one bubble ratio per device.
    #expect(census.elements("rect", class: "idle").count == schedule.deviceCount)
    #expect(census.elements("text", class: "bubble").count == schedule.deviceCount)
    // The axis: a line with ticks from 0 past the makespan, and its unit.
    #expect(census.elements("g", class: "axis").count == 1)
    let ticks = census.elements("line", class: "tick")
    #expect(ticks.count >= 3)
    #expect(svg.contains("time (ms)"))
    // The legend names each op present and the idle background.
    #expect(census.elements("g", class: "legend").count == 1)
    let presentOps = Set(schedule.actions.map(\.op))
    let extraItems = (schedule.replicaCount > 1 ? 1 : 0) + (schedule.chunkCount > 1 && schedule.replicaCount == 1 ? 1 : 0)
    #expect(census.elements("g", class: "legend-item").count == presentOps.count + 1 + extraItems)
    for op in presentOps { #expect(svg.contains(">\(OpStyle.of(op).name)<")) }
    // The title names the schedule and its parameters.
    #expect(svg.contains(RunDescription(schedule: schedule, kind: .predicted).scheduleTitle))
}

@Test func boxesSitWhereTheTimesSay() throws {
    let schedule = try ScheduleFamily.oneFOneB.make(devices: 4, microbatches: 8)
    let timeline = try asapTimeline(schedule)
    let canvas = GanttCanvas(charts: [RunTimeline(timeline, kind: .predicted)], options: .init())
    let census = try #require(SVGCensus.parse(GanttSVG(RunTimeline(timeline, kind: .predicted)).render()))
    let boxes = census.elements("rect", class: "action")
    for (id, box) in boxes.enumerated() {
        let x = try #require(Double(box.attributes["x"] ?? "")), width = try #require(Double(box.attributes["width"] ?? ""))
        // Boxes are inset by half a pixel on each side to keep neighbours apart.
        #expect(abs(x - (canvas.x(timeline.start[id]) + 0.5)) < 0.02)
        #expect(abs(x + width - (canvas.x(timeline.end[id]) - 0.5)) < 0.02)
    }
    // The axis covers the makespan and ends on a tick.
    #expect(canvas.axis.end >= timeline.makespan)
    #expect(canvas.axis.end % canvas.axis.step == 0)
}

@Test func twoTimelinesShareOneAxis() throws {
    let schedule = try ScheduleFamily.interleaved.make(devices: 4, microbatches: 8, chunks: 2)
    let predicted = try asapTimeline(schedule)
    let measured = try asapTimeline(schedule, scale: 1.15) { Int64(($0 * 7919) % 300_000) }
    let svg = try GanttSVG([RunTimeline(predicted, kind: .predicted, runID: 1), RunTimeline(measured, kind: .measured, runID: 2)]).render()
    let census = try #require(SVGCensus.parse(svg))
    #expect(census.elements("rect", class: "action").count == 2 * schedule.actions.count)
    let charts = census.elements("g", class: "chart")
    #expect(charts.map { $0.attributes["data-kind"] } == ["predicted", "measured"])
    #expect(census.elements("g", class: "axis").count == 1)
    // The shared axis reaches the longer (measured) makespan.
    let canvas = GanttCanvas(charts: [RunTimeline(predicted, kind: .predicted), RunTimeline(measured, kind: .measured)], options: .init())
    #expect(measured.makespan > predicted.makespan)
    #expect(canvas.axis.end >= measured.makespan)
    #expect(svg.contains("Predicted (run 1)") && svg.contains("Measured (run 2)"))
}

@Test func labelsDropWhenBoxesGetTooSmall() throws {
    let small = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 4)
    let smallCensus = try #require(SVGCensus.parse(GanttSVG(RunTimeline(try asapTimeline(small), kind: .predicted)).render()))
    let smallLabels = smallCensus.elements.filter { $0.name == "text" && $0.attributes["x"] != nil && $0.attributes["class"] == nil && $0.attributes["fill"] != nil }
    #expect(smallLabels.count >= small.actions.count)

    let large = try ScheduleFamily.oneFOneB.make(devices: 64, microbatches: 128)
    let svg = GanttSVG(RunTimeline(try asapTimeline(large), kind: .predicted), options: .init(width: 900)).render()
    let census = try #require(SVGCensus.parse(svg))
    #expect(census.elements("rect", class: "action").count == large.actions.count)
    #expect(census.elements("text", class: "device-label").count == 64)
    // 64 rows of 9 px: boxes are too low for readable labels, so none is drawn.
    #expect(!svg.contains("class=\"labels\""))
}

@Test func deviceHoldingSeveralStagesShowsTheStage() throws {
    let schedule = try ScheduleFamily.interleaved.make(devices: 2, microbatches: 2, chunks: 2)
    let svg = GanttSVG(RunTimeline(try asapTimeline(schedule), kind: .predicted), options: .init(width: 1600)).render()
    #expect(svg.contains(">0·s2<"))
    let plain = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2)
    #expect(!GanttSVG(RunTimeline(try asapTimeline(plain), kind: .predicted)).render().contains("·s"))
}

@Test func laterChunksArePaler() throws {
    let schedule = try ScheduleFamily.interleaved.make(devices: 4, microbatches: 8, chunks: 2)
    let census = try #require(SVGCensus.parse(GanttSVG(RunTimeline(try asapTimeline(schedule), kind: .predicted)).render()))
    let boxes = census.elements("rect", class: "action")
    for (action, box) in zip(schedule.actions, boxes) {
        let style = OpStyle.of(action.op)
        #expect(box.attributes["fill"] == (action.stage < 4 ? style.fill : style.fill(chunk: 1, of: 2)), "\(action)")
    }
    #expect(OpStyle.forward.fill(chunk: 1, of: 2) != OpStyle.forward.fill)
    #expect(OpStyle.mix("#0072B2", whiteness: 1) == "#FFFFFF" && OpStyle.mix("#0072B2", whiteness: 0) == "#0072B2")
    #expect(svgLegendNames(census).contains("paler: the device's 2nd chunk (stages 4–7)"))
}

/// The texts of the legend's items.
func svgLegendNames(_ census: SVGCensus) -> [String] {
    census.texts(inside: "legend-item")
}

@Test func chimeraMarksTheSecondReplica() throws {
    let schedule = try ScheduleFamily.chimera.make(devices: 4, microbatches: 8)
    let census = try #require(SVGCensus.parse(GanttSVG(RunTimeline(try asapTimeline(schedule), kind: .predicted)).render()))
    #expect(census.elements("rect", class: "replica-mark").count == schedule.actions.filter { $0.replica > 0 }.count)
    #expect(census.elements("pattern", class: "").isEmpty)
    #expect(census.elements.contains { $0.name == "pattern" && $0.attributes["id"] == "replica-hatch" })
}

@Test func inlineSVGHasNoNamespaceAndTextIsEscaped() throws {
    var schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2)
    schedule.name = "mine <&> \"quoted\""
    let svg = GanttSVG(RunTimeline(try asapTimeline(schedule), kind: .measured), options: .init(standalone: false)).render()
    #expect(!svg.contains("xmlns") && !svg.hasPrefix("<?xml"))
    let census = try #require(SVGCensus.parse(svg))
    #expect(census.elements.first?.attributes["aria-label"]?.hasPrefix("mine <&> \"quoted\"") == true)
}

@Test func noTimelinesIsAnError() {
    #expect(throws: ReportError.noTimelines) { try GanttSVG([]) }
    #expect(throws: ReportError.noTimelines) { try HTMLReport([]) }
}
