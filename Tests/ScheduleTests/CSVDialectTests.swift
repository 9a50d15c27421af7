import Testing
@testable import Schedule

// Files as other tools write them. Python's csv.writer (which PyTorch's _dump_csv uses) ends every row in
// "\r\n"; in Swift "\r\n" is a single Character, so these bytes must be built and read as scalars.

/// `schedule`'s rows as `csv.writer` writes them: cells joined by commas, every row ending in `\r\n`.
private func pythonCSV(_ schedule: Schedule) -> String {
    (0..<schedule.deviceCount).map { device in
        schedule.actions(on: device).map(\.description).joined(separator: ",") + "\r\n"
    }.joined()
}

/// One small schedule of every family.
private func everyFamily() throws -> [Schedule] {
    try ScheduleFamily.allCases.map { family in
        switch family {
        case .interleaved, .loopedBFS: try family.make(devices: 4, microbatches: 8, chunks: 2)
        default: try family.make(devices: 4, microbatches: 8)
        }
    }
}

@Test func pythonWrittenCRLFFilesOfEveryFamilyImport() throws {
    for schedule in try everyFamily() {
        let text = pythonCSV(schedule)
        #expect(text.unicodeScalars.filter { $0 == "\r" }.count == schedule.deviceCount)
        let imported = try ScheduleCSV.parse(text, name: schedule.name)
        #expect(imported.schedule == schedule, "\(schedule.name)")
    }
}

@Test func everyLineEndingByteOrderMarkAndMissingFinalNewlineImport() throws {
    for schedule in try everyFamily() {
        let rows = (0..<schedule.deviceCount).map { schedule.actions(on: $0).map(\.description).joined(separator: ",") }
        let variants = [
            rows.joined(separator: "\n") + "\n",
            rows.joined(separator: "\r"),                         // classic Mac line ends, no final newline
            "\u{FEFF}" + rows.joined(separator: "\r\n"),          // byte-order mark, no final newline
            rows.joined(separator: "\r\n") + "\r\n\r\n\r\n",      // trailing blank lines
            "\u{FEFF}" + rows.joined(separator: "\n") + "\r\n",   // mixed line ends
        ]
        for text in variants {
            #expect(try ScheduleCSV.parse(text, name: schedule.name).schedule == schedule, "\(schedule.name): \(text.debugDescription.prefix(40))")
        }
    }
}

@Test func quotedCellsImport() throws {
    let schedule = try ScheduleFamily.oneFOneB.make(devices: 2, microbatches: 3)
    // Every cell quoted (csv.QUOTE_ALL), an escaped quote inside none, blanks around quotes.
    let text = (0..<2).map { device in
        schedule.actions(on: device).map { "\"\($0)\"" }.joined(separator: ", ")
    }.joined(separator: "\r\n") + "\r\n"
    #expect(try ScheduleCSV.parse(text, name: schedule.name).schedule == schedule)
    // A quoted overlapped pair, as a writer that quotes ';' would write it.
    let overlapped = try ScheduleCSV.parse("0F0,\"(0F1;0B0)OVERLAP_F_B\",0B1\r\n")
    #expect(overlapped.schedule.actions(on: 0).map(\.description) == ["0F0", "0F1", "0B0", "0B1"])
}

@Test func csvTextSplitsLikePythonsReader() throws {
    let text = try CSVText("a,\"b,c\",\"d\"\"e\"\r\n\"multi\nline\",x\rlast")
    #expect(text.rows.map { $0.map(\.text) } == [["a", "b,c", "d\"e"], ["multi\nline", "x"], ["last"]])
    #expect(text.rows[0].map(\.column) == [1, 2, 3])
    #expect(try CSVText("").rows.isEmpty)
    #expect(try CSVText("\u{FEFF}").rows.isEmpty)
    #expect(try CSVText("\n").rows.map { $0.map(\.text) } == [[""]])
}

@Test func unclosedQuoteNamesWhereItOpened() {
    do {
        _ = try ScheduleCSV.parse("0F0,0B0\r\n1F0,\"1B0\r\n")
        Issue.record("an unclosed quote was accepted")
    } catch {
        guard case let .csv(issues) = error else { Issue.record("\(error)"); return }
        #expect(issues.count == 1 && issues[0].row == 2 && issues[0].column == 2)
        #expect(issues[0].reason.contains("never closed"))
    }
}

@Test func waitReduceGradIsSkippedAndCounted() throws {
    let text = "0F0,0F1,0B0,0B1,0REDUCE_GRAD,0WAIT_REDUCE_GRAD\r\n1F0,1B0,1F1,1B1,1REDUCE_GRAD,1WAIT_REDUCE_GRAD\r\n"
    let imported = try ScheduleCSV.parse(text)
    #expect(imported.skipped == ["WAIT_REDUCE_GRAD": 2])
    #expect(imported.schedule.actions(on: 1).map(\.description) == ["1F0", "1B0", "1F1", "1B1", "1REDUCE_GRAD"])
}

@Test func unknownKindsSayWhichVocabularyTheyMightComeFrom() {
    func reason(_ cell: String) -> String {
        do {
            _ = try ScheduleCSV.parse("0F0,\(cell),0B0\r\n")
            return ""
        } catch {
            guard case let .csv(issues) = error else { return "" }
            return issues.first?.reason ?? ""
        }
    }
    #expect(reason("0f0").contains("upper case"))
    #expect(reason("0FULL_BACKWARD0").contains("_ComputationType member"))
    #expect(reason("0OVERLAP_F_B").contains("(0F3;7B1)OVERLAP_F_B"))
    #expect(reason("0ALL_GATHER0").contains("torch 2.5–2.13"))
}

@Test func pytorchsOneFOneBOffByOneIsNamed() {
    // Schedule1F1B (torch 2.8–2.13), p = 4, m = 8: the last rank writes its forwards as 3F1…3F8.
    let text = """
    0F0,0F1,0F2,0F3,0B0,0F4,0B1,0F5,0B2,0F6,0B3,0F7,0B4,0B5,0B6,0B7,0REDUCE_GRAD\r
    1F0,1F1,1F2,1B0,1F3,1B1,1F4,1B2,1F5,1B3,1F6,1B4,1F7,1B5,1B6,1B7,1REDUCE_GRAD\r
    2F0,2F1,2B0,2F2,2B1,2F3,2B2,2F4,2B3,2F5,2B4,2F6,2B5,2F7,2B6,2B7,2REDUCE_GRAD\r
    3F1,3B0,3F2,3B1,3F3,3B2,3F4,3B3,3F5,3B4,3F6,3B5,3F7,3B6,3F8,3B7,3REDUCE_GRAD\r

    """
    do {
        _ = try ScheduleCSV.parse(text)
        Issue.record("the off-by-one file was accepted")
    } catch {
        guard case let .csv(issues) = error else { Issue.record("\(error)"); return }
        #expect(issues.count == 1)
        #expect(issues.first?.row == 4 && issues.first?.column == 1 && issues.first?.cell == "3F1")
        #expect(issues.first?.reason.contains("off-by-one") == true)
        #expect(issues.first?.reason.contains("3F0…3F7") == true)
    }
}

@Test func strayLargeIndicesAreRefusedWithoutSizingTablesFromThem() {
    for (text, expected) in [
        ("0F0,0B0,9999999F0@65535\n", "cannot all appear in 3 action(s)"),
        ("0F0,0B0,0F9999999\n", "need 10000000 forwards"),
    ] {
        do {
            _ = try ScheduleCSV.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            guard case let .csv(issues) = error else { Issue.record("\(error)"); return }
            #expect(issues.first?.reason.contains(expected) == true, "\(issues)")
        }
    }
}
