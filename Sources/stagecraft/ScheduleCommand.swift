import ArgumentParser
import Foundation
import Schedule

/// `stagecraft schedule`: show, export and validate schedules.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Show, export or validate a pipeline schedule.",
        subcommands: [Show.self, Export.self, Validate.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each device's ordered actions as a grid.")
        @OptionGroup var options: ScheduleOptions

        @Flag(help: "Print the schedule as JSON: its shape, the placement and every device's actions in order.")
        var json = false

        func run() throws {
            let schedule = try options.makeSchedule()
            print(json ? try CommandText.json(ScheduleJSON(schedule, skipped: nil), what: "the schedule") : ActionGrid.render(schedule))
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a schedule in PyTorch's pipelining CSV format.")
        @OptionGroup var options: ScheduleOptions

        @Option(help: "Output format (csv: PyTorch torch.distributed.pipelining compute-only CSV).")
        var format: String = "csv"

        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
        var output: String?

        func validate() throws {
            guard format == "csv" else { throw ValidationError("unknown format '\(format)'; supported: csv") }
        }

        func run() throws {
            if let output { try OutputFile.check(output) }
            try OutputFile.write(ScheduleCSV.export(try options.makeSchedule()), to: output)
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a schedule file: every action once, orders consistent, no deadlock.")

        @Argument(help: "A CSV file with one row of actions per device (PyTorch's format).")
        var file: String

        @Option(help: "Expected number of stages (inferred from the file when omitted).")
        var stages: Int?

        @Option(help: "Expected number of micro-batches (inferred from the file when omitted).")
        var microbatches: Int?

        @Flag(help: "Print the validated schedule as JSON (as 'schedule show --json', with the skipped kinds).")
        var json = false

        func run() throws {
            let text = try readText(file)
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            let imported: ScheduleCSV.Imported
            do {
                imported = try ScheduleCSV.parse(text, name: name, stages: stages, microbatches: microbatches)
            } catch {
                throw CommandError("\(file): \(error.description)")
            }
            let schedule = imported.schedule
            if json {
                print(try CommandText.json(ScheduleJSON(schedule, skipped: imported.skipped), what: "the schedule"))
                return
            }
            print("\(file): valid — \(schedule.deviceCount) devices, \(schedule.stageCount) stages, "
                  + "\(schedule.replicaCount) replica(s), \(schedule.microbatchCount) micro-batches, \(schedule.actions.count) actions")
            for (kind, count) in imported.skipped.sorted(by: { $0.key < $1.key }) {
                print("  skipped \(count) \(kind) action(s): Stagecraft derives transfers and sharding from the dependencies")
            }
        }
    }
}

/// Refuses, before reading, a path that is missing, a directory, not a regular file, or larger than
/// `largestTextFile`.
func checkInputFile(_ path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw CommandError("cannot read \(path): no such file")
    }
    guard !isDirectory.boolValue else { throw CommandError("cannot read \(path): it is a directory, not a file") }
    let attributes = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
    if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
        throw CommandError("cannot read \(path): not a regular file")
    }
    if let size = (attributes?[.size] as? NSNumber)?.intValue, size > largestTextFile {
        throw CommandError("cannot read \(path): \(size) bytes is larger than the \(largestTextFile >> 20) MiB this command reads")
    }
}

/// Reads a whole text file or throws an error that names it.
/// Text files larger than this are refused before reading: 256 MiB holds tens of millions of CSV cells,
/// more than any schedule the tool builds by default.
let largestTextFile = 256 << 20

func readText(_ path: String) throws -> String {
    try checkInputFile(path)
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandError("cannot read \(path): no such file or not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CommandError("cannot read \(path): not UTF-8 text")
    }
    return text
}

/// A failure to report to the user: printed as "Error: …", exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
