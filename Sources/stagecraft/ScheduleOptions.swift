import ArgumentParser
import Foundation
import Schedule

extension ScheduleFamily: ExpressibleByArgument {}

/// The options that name a schedule: a generated one (family, devices, micro-batches, chunks) or one
/// read from a PyTorch-format CSV file.
struct ScheduleOptions: ParsableArguments {
    @Option(help: "Schedule family: \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleFamily?

    @Option(help: ArgumentHelp("A schedule file instead of --schedule: PyTorch pipelining CSV, one row of actions per device.",
                               valueName: "csv-file"))
    var file: String?

    @Option(help: "Number of devices (pipeline ranks), at least 1.")
    var devices: Int?

    @Option(help: "Number of micro-batches per iteration, at least 1 (with --file: checked against the file).")
    var microbatches: Int?

    @Option(help: "Stages per device (virtual pipeline chunks): any for interleaved and looped-bfs (default 1), 2 for the V-shaped zb-v and dualpipev, 1 for the others.")
    var chunks: Int?

    @Flag(help: "Activation recompute: every stage keeps only its input after a forward and re-runs the forward (an R action) right before the micro-batch's backward. Applies to any schedule, generated or read.")
    var recompute = false

    @Option(help: "Refuse schedules of more actions than this (default \(ScheduleSize.defaultActionLimit)); each action takes about \(ScheduleSize.bytesPerAction) bytes while simulated and recorded.")
    var maxActions = ScheduleSize.defaultActionLimit

    func validate() throws {
        guard maxActions >= 1 else { throw ValidationError("--max-actions \(maxActions): give a positive number of actions") }
        switch (schedule, file) {
        case (nil, nil):
            throw ValidationError("name a schedule: --schedule \(ScheduleFamily.allCases.map(\.rawValue).joined(separator: "|")) with --devices and --microbatches, or --file schedule.csv")
        case (.some, .some):
            throw ValidationError("--schedule and --file both name a schedule; give one of them")
        case (.some, nil):
            guard devices != nil else { throw ValidationError("--schedule needs --devices P") }
            guard microbatches != nil else { throw ValidationError("--schedule needs --microbatches M") }
        case (nil, .some):
            guard devices == nil else { throw ValidationError("--devices comes from the file's rows; leave it out with --file") }
            guard chunks == nil else { throw ValidationError("--chunks comes from the file's stages; leave it out with --file") }
        }
    }

    /// Builds or reads the schedule (with `--recompute`, transformed by
    /// `Schedule.recomputingActivations()`), turning a parameter or file error into a clear failure.
    func makeSchedule() throws -> Schedule {
        let schedule = try baseSchedule()
        guard recompute else { return schedule }
        // Recompute adds one R per forward.
        let forwards = schedule.actions.lazy.filter { $0.op == .forward }.count
        if schedule.actions.count + forwards > maxActions {
            throw ValidationError(ScheduleSize(what: "\(schedule.name) with --recompute", actions: schedule.actions.count + forwards,
                                               limit: maxActions).description)
        }
        return schedule.recomputingActivations()
    }

    /// The schedule as generated or read.
    private func baseSchedule() throws -> Schedule {
        if let file {
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            do {
                let schedule = try ScheduleCSV.parse(try readText(file), name: name, microbatches: microbatches).schedule
                if schedule.actions.count > maxActions {
                    throw ScheduleError.tooLarge(ScheduleSize(what: file, actions: schedule.actions.count, limit: maxActions))
                }
                return schedule
            } catch let error as ScheduleError {
                throw CommandError("\(file): \(error.description)")
            }
        }
        guard let schedule, let devices, let microbatches else { throw ValidationError("--schedule needs --devices and --microbatches") }
        do {
            return try schedule.make(devices: devices, microbatches: microbatches, chunks: chunks, actionLimit: maxActions)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
