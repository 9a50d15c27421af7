import ArgumentParser

/// The `stagecraft` command: predicts and measures pipeline-parallel training schedules.
@main
struct Stagecraft: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stagecraft",
        abstract: "Predict and measure pipeline-parallel training schedules.",
        version: StagecraftVersion.current,
        subcommands: [ScheduleCommand.self, SimulateCommand.self, RunCommand.self, RunsCommand.self, ShowRunCommand.self, QueryCommand.self, ExportRunCommand.self, ReportCommand.self, CompareCommand.self, CalibrateCommand.self]
    )
}

/// The tool's version, stored with every run.
enum StagecraftVersion {
    static let current = "0.1.0"
}
