import Testing
import Schedule
@testable import Report

private func predictionAndMeasurement() throws -> (Schedule, RunTimeline, RunTimeline) {
    let schedule = try ScheduleFamily.oneFOneB.make(devices: 4, microbatches: 8)
    let predicted = RunTimeline(try asapTimeline(schedule), kind: .predicted, runID: 1)
    let measured = RunTimeline(try asapTimeline(schedule, scale: 1.1) { Int64(($0 * 104_729) % 250_000) }, kind: .measured, runID: 2)
    return (schedule, predicted, measured)
}

@Test func htmlReportHoldsBothChartsAndFetchesNothing() throws {
    let (schedule, predicted, measured) = try predictionAndMeasurement()
    let html = try HTMLReport([predicted, measured]).render()
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    // One inline SVG holding both charts, well-formed, one box per action of each run.
    let svgStart = try #require(html.range(of: "<svg "))
    let svgEnd = try #require(html.range(of: "</svg>"))
    let census = try #require(SVGCensus.parse(String(html[svgStart.lowerBound..<svgEnd.upperBound])))
    #expect(census.elements("rect", class: "action").count == 2 * schedule.actions.count)
    #expect(census.elements("g", class: "chart").map { $0.attributes["data-kind"] } == ["predicted", "measured"])
    #expect(html.components(separatedBy: "<svg").count == 2)
    // Self-contained: no URL of any scheme, no protocol-relative reference, nothing to fetch.
    for forbidden in ["http://", "https://", "//", "src=", "href=", "@import", "<script", "<link"] {
        #expect(!html.contains(forbidden), "found \(forbidden)")
    }
    // Summary tables for both runs.
    #expect(html.contains(Formatting.duration(predicted.timeline.makespan)))
    #expect(html.contains(Formatting.duration(measured.timeline.makespan)))
    #expect(html.contains(Formatting.percent(predicted.timeline.bubbleRatio)))
    #expect(html.contains("<table class=\"devices\" data-kind=\"predicted\">") && html.contains("<table class=\"devices\" data-kind=\"measured\">"))
    #expect(html.contains(Formatting.bytes(256 << 20)), "peak memory of device 0")
    #expect(!html.contains("id=\"comparison\""), "no comparison section unless one is given")
}

@Test func htmlReportRendersTheComparisonItIsGiven() throws {
    let (schedule, predicted, measured) = try predictionAndMeasurement()
    var startErrors: [Int64] = [], endErrors: [Int64] = []
    for id in schedule.actions.indices {
        startErrors.append(predicted.timeline.start[id] - measured.timeline.start[id])
        endErrors.append(predicted.timeline.end[id] - measured.timeline.end[id])
    }
    let comparison = TimelineComparison(
        predictedMakespan: predicted.timeline.makespan, measuredMakespan: measured.timeline.makespan,
        devices: (0..<4).map { .init(device: $0, predicted: predicted.bubbleRatio(device: $0), measured: measured.bubbleRatio(device: $0)) },
        startError: ErrorDistribution(samples: startErrors), endError: ErrorDistribution(samples: endErrors),
        matchedActions: schedule.actions.count)
    #expect(comparison.makespanError < 0)
    let html = try HTMLReport([predicted, measured], comparison: comparison).render()
    #expect(html.contains("id=\"comparison\""))
    #expect(html.contains(Formatting.signedPercent(comparison.makespanError)))
    #expect(html.contains(Formatting.signedDuration(comparison.endError.median)))
    #expect(html.contains("\(schedule.actions.count) actions matched"))
}

@Test func htmlReportOfOneRun() throws {
    let (schedule, predicted, _) = try predictionAndMeasurement()
    let html = try HTMLReport([predicted]).render()
    #expect(html.components(separatedBy: "class=\"action ").count - 1 == schedule.actions.count)
    #expect(!html.contains("//"))
}

@Test func errorDistributionUsesNearestRankQuantiles() {
    let distribution = ErrorDistribution(samples: (1...100).map { Int64($0) } + [-50])
    #expect(distribution.count == 101)
    #expect(distribution.min == -50 && distribution.max == 100)
    #expect(distribution.median == 50)
    #expect(distribution.p90 == 90)
    #expect(distribution.p99 == 99)
    #expect(ErrorDistribution(samples: []) == ErrorDistribution(count: 0, min: 0, median: 0, p90: 0, p99: 0, max: 0, mean: 0, meanAbsolute: 0))
}
