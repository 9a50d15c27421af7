import Testing
@testable import Report

@Test func timeAxisStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    for extent: Int64 in [1, 7, 999, 12_345, 30_000_000, 47_000_000, 1_234_567_890, 86_400_000_000_000] {
        for target in [2, 5, 10] {
            let axis = TimeAxis(extent: extent, targetTicks: target)
            var mantissa = axis.step
            while mantissa % 10 == 0 { mantissa /= 10 }
            #expect([1, 2, 5].contains(mantissa), "extent \(extent) target \(target) step \(axis.step)")
            #expect(axis.end >= extent && axis.end - axis.step < extent)
            #expect(axis.ticks.count - 1 <= max(target, 1) + 1)
        }
    }
}

@Test func timeAxisLabelsReadInTheStepsUnit() {
    let micro = TimeAxis(extent: 12_345, targetTicks: 5)
    #expect(micro.step == 5_000 && micro.unit == "µs")
    #expect(micro.ticks.map(micro.label) == ["0", "5", "10", "15"])
    let milli = TimeAxis(extent: 4_500_000, targetTicks: 10)
    #expect(milli.unit == "ms" && milli.step == 500_000)
    #expect(milli.label(0) == "0.0" && milli.label(1_500_000) == "1.5")
    #expect(TimeAxis(extent: 30_000_000, targetTicks: 10).label(5_000_000) == "5")
    let seconds = TimeAxis(extent: 9_000_000_000, targetTicks: 3)
    #expect(seconds.unit == "s" && seconds.label(seconds.step) == "5")
    #expect(TimeAxis(extent: 40, targetTicks: 4).unit == "ns")
}

@Test func durationsAndNumbersReadWell() {
    #expect(Formatting.duration(850) == "850 ns")
    #expect(Formatting.duration(12_345) == "12.3 µs")
    #expect(Formatting.duration(4_561_000) == "4.56 ms")
    #expect(Formatting.duration(1_200_000_000) == "1.20 s")
    #expect(Formatting.duration(-2_500_000) == "-2.50 ms")
    #expect(Formatting.percent(0.27345) == "27.3%")
    #expect(Formatting.signedPercent(0.042) == "+4.2%" && Formatting.signedPercent(-0.008) == "-0.8%")
    #expect(Formatting.bytes(512) == "512 B" && Formatting.bytes(3 << 29) == "1.50 GiB")
    #expect(Formatting.coordinate(12.0) == "12" && Formatting.coordinate(3.456) == "3.46" && Formatting.coordinate(0.1) == "0.1")
    #expect(Formatting.coordinate(-0.25) == "-0.25" && Formatting.coordinate(-1.5) == "-1.5")
    #expect(MarkupText.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
}
