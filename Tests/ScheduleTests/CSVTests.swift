import Testing
@testable import Schedule

private func csvIssues(_ text: String, stages: Int? = nil, microbatches: Int? = nil) -> [CSVIssue] {
    do {
        _ = try ScheduleCSV.parse(text, stages: stages, microbatches: microbatches)
        return []
    } catch {
        guard case let .csv(issues) = error else { return [] }
        return issues
    }
}

@Test func everyGeneratedScheduleRoundTripsThroughCSV() throws {
    for (family, p, m, v) in validGrid() {
        let schedule = try family.make(devices: p, microbatches: m, chunks: v)
        let text = ScheduleCSV.export(schedule)
        let imported = try ScheduleCSV.parse(text, name: schedule.name)
        #expect(imported.schedule == schedule, "\(family) p=\(p) m=\(m) v=\(v)")
        #expect(imported.skipped.isEmpty)
    }
}

@Test func exportWritesPyTorchCells() throws {
    let text = ScheduleCSV.export(try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 2))
    #expect(text == "0F0,0F1,0B0,0B1\n1F0,1B0,1F1,1B1\n")
}

@Test func pytorchDumpWithCommunicationImportsAsItIs() throws {
    // The shape of a compute+comms dump from torch.distributed.pipelining: sends, receives, sharding,
    // REDUCE_GRAD, an overlapped F/B pair and idle cells.
    let text = """
    0UNSHARD,0F0,0SEND_F0,0F1,0SEND_F1,,0RECV_B0,0B0,0RECV_B1,0B1,0REDUCE_GRAD,0RESHARD
    1UNSHARD,1RECV_F0,1F0,1RECV_F1,(1F1;1B0)OVERLAP_F_B,1SEND_B0,1B1,1SEND_B1,1REDUCE_GRAD,1RESHARD

    """
    let imported = try ScheduleCSV.parse(text)
    let s = imported.schedule
    #expect(s.deviceCount == 2 && s.stageCount == 2 && s.microbatchCount == 2)
    #expect(s.actions(on: 1).map(\.description) == ["1F0", "1F1", "1B0", "1B1", "1REDUCE_GRAD"])
    #expect(imported.skipped == ["UNSHARD": 2, "RESHARD": 2, "SEND_F": 2, "RECV_F": 2, "SEND_B": 2, "RECV_B": 2])
}

@Test func splitBackwardCellsImport() throws {
    let imported = try ScheduleCSV.parse("0F0,1F0,1I0,0I0,1W0,0W0\n")
    #expect(imported.schedule.deviceCount == 1 && imported.schedule.stageCount == 2)
    #expect(imported.schedule.splitsBackward)
}

@Test func unknownActionNamesRowAndColumn() {
    let issues = csvIssues("0F0,0X1,0B0\n")
    #expect(issues.count == 1)
    #expect(issues.first?.row == 1 && issues.first?.column == 2 && issues.first?.cell == "0X1")
    #expect(issues.first?.reason.contains("unknown action kind 'X'") == true)
}

@Test func microbatchOutOfRangeNamesTheCell() {
    let issues = csvIssues("0F0,0F5,0B0,0B5\n", microbatches: 2)
    #expect(issues.map { "\($0.row):\($0.column ?? 0)" } == ["1:2", "1:4"])
    #expect(issues.first?.reason.contains("micro-batch 5 is out of range") == true)
}

@Test func stageOutOfRangeNamesTheCell() {
    let issues = csvIssues("0F0,0B0\n1F0,1B0\n", stages: 1)
    #expect(issues.first?.row == 2 && issues.first?.column == 1)
    #expect(issues.first?.reason.contains("stage 1 is out of range") == true)
}

@Test func duplicatedActionNamesBothPlaces() {
    let issues = csvIssues("0F0,1F0,0F0,1B0,0B0\n")
    #expect(issues.count == 1)
    #expect(issues.first?.row == 1 && issues.first?.column == 3)
    #expect(issues.first?.reason == "0F0 is duplicated: it already appears at row 1, column 1")
}

@Test func missingActionNamesItsRow() {
    let issues = csvIssues("0F0,0F1,0B0\n1F0,1B0,1F1,1B1\n")
    #expect(issues.count == 1)
    #expect(issues.first?.row == 1 && issues.first?.column == nil)
    #expect(issues.first?.reason.hasPrefix("0B1 is missing") == true)
}

@Test func deadlockInAFileNamesTheCycleWithCells() {
    let issues = csvIssues("0F0,0F1,0B0,0B1,0F2,0B2\n1F0,1B0,1F1,1F2,1B1,1B2\n")
    #expect(issues.count == 1)
    let reason = issues.first?.reason ?? ""
    #expect(reason.contains("row 1 waits at 0B1 (row 1, column 4) for 1B1 on row 2"))
    #expect(reason.contains("row 2 waits at 1F2 (row 2, column 4) for 0F2 on row 1"))
}

@Test func stageOnTwoRowsIsRejected() {
    let issues = csvIssues("0F0,0B0\n0F1,0B1\n")
    #expect(issues.first?.row == 2 && issues.first?.column == 1)
    #expect(issues.first?.reason.contains("already appears on row 1") == true)
}

@Test func malformedCellsSayWhatIsExpected() {
    #expect(csvIssues("F0\n").first?.reason.contains("starts with its stage number") == true)
    #expect(csvIssues("0F\n").first?.reason.contains("needs a micro-batch number") == true)
    #expect(csvIssues("0REDUCE_GRAD3\n").first?.reason.contains("takes no micro-batch") == true)
    #expect(csvIssues("(0F0;0B0\n").first?.reason.contains("OVERLAP_F_B") == true)
    #expect(csvIssues("").first?.reason.contains("no rows") == true)
}
