import ArgumentParser
import Executor

/// The `stagecraft` command: predicts and measures pipeline-parallel training schedules.
@main
struct Stagecraft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stagecraft",
        abstract: "Predict and measure pipeline-parallel training schedules.",
        version: StagecraftVersion.current,
        subcommands: [ScheduleCommand.self, SimulateCommand.self, TuneCommand.self, BaselineCommand.self, RunCommand.self, RunsCommand.self, ShowRunCommand.self, QueryCommand.self, ExportRunCommand.self, ReportCommand.self, CompareCommand.self, CalibrateCommand.self, ImportTraceCommand.self]
    )

    static func main() {
        // Commands that compute on the executor get OpenBLAS's fastest kernels for this CPU.
        let arguments = CommandLine.arguments.dropFirst()
        let measuresTune = arguments.first == "tune" && arguments.contains { $0 == "--measure" || $0.hasPrefix("--measure=") }
        if let command = arguments.first, ["run", "calibrate"].contains(command) || measuresTune {
            BLASKernel.restartWithPreferredKernel()
        }
        main(NegativeValues.attached(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Negative numbers as option values. The argument parser reads `--forward -1ms` as `--forward` with a
/// missing value followed by an unknown option `-1ms`; joining them into `--forward=-1ms` lets the
/// option's own check say what is wrong with a negative value.
enum NegativeValues {
    static func attached(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), index + 1 < arguments.count,
               looksNegative(arguments[index + 1]) {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                result.append(argument)
                index += 1
            }
        }
        return result
    }

    private static func looksNegative(_ text: String) -> Bool {
        let rest = text.dropFirst()
        return text.first == "-" && (rest.first?.isNumber == true || (rest.first == "." && rest.dropFirst().first?.isNumber == true))
    }
}

/// The tool's version, stored with every run.
enum StagecraftVersion {
    static let current = "0.1.0"
}
