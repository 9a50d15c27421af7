import Testing
@testable import Schedule

@Test func invalidParametersGiveTypedErrors() {
    #expect(throws: ScheduleError.invalidParameter("devices", 0, "need at least 1 device")) {
        try ScheduleFamily.oneFOneB.make(devices: 0, microbatches: 4)
    }
    #expect(throws: ScheduleError.invalidParameter("micro-batches", 0, "need at least 1 micro-batch")) {
        try ScheduleFamily.gpipe.make(devices: 2, microbatches: 0)
    }
    #expect(throws: ScheduleError.invalidParameter("chunks", 0, "need at least 1 chunk per device")) {
        try ScheduleFamily.interleaved.make(devices: 2, microbatches: 4, chunks: 0)
    }
    #expect(throws: ScheduleError.invalidParameter("devices", -3, "need at least 1 device")) {
        try ScheduleFamily.chimera.make(devices: -3, microbatches: 4)
    }
}

@Test func chimeraRejectsAnOddNumberOfDevices() {
    for p in [1, 3, 5, 7] {
        #expect {
            try ScheduleFamily.chimera.make(devices: p, microbatches: 8)
        } throws: { error in
            guard case let .unsupported(family, why) = error as? ScheduleError else { return false }
            return family == "chimera" && why.contains("even number of devices")
        }
    }
}

@Test func interleavedRejectsMicrobatchesThatAreNotAMultipleOfTheDevices() {
    #expect {
        try ScheduleFamily.interleaved.make(devices: 4, microbatches: 6, chunks: 2)
    } throws: { error in
        guard case let .unsupported(family, why) = error as? ScheduleError else { return false }
        return family == "interleaved" && why.contains("multiple of the devices (4)") && why.contains("--microbatches 4 or 8")
    }
}

@Test func chunksOnlyForInterleaved() {
    for family in [ScheduleFamily.gpipe, .oneFOneB, .chimera] {
        #expect {
            try family.make(devices: 2, microbatches: 4, chunks: 2)
        } throws: { error in
            guard case .unsupported = error as? ScheduleError else { return false }
            return "\(error)".contains("--schedule interleaved")
        }
    }
}
