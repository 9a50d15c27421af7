import ArgumentParser
import Schedule

extension ScheduleFamily: ExpressibleByArgument {}

/// The options that name a generated schedule: family, devices, micro-batches, chunks.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "Schedule family: \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleFamily

    @Option(help: "Number of devices (pipeline ranks), at least 1.")
    var devices: Int

    @Option(help: "Number of micro-batches per iteration, at least 1.")
    var microbatches: Int

    @Option(help: "Stages per device (virtual pipeline chunks); more than 1 only for interleaved.")
    var chunks: Int = 1

    /// Builds the schedule, turning a parameter error into a usage error.
    func makeSchedule() throws -> Schedule {
        do {
            return try schedule.make(devices: devices, microbatches: microbatches, chunks: chunks)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
