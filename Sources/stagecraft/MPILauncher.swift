import ArgumentParser
import Foundation

/// `run --backend mpi` typed without `mpirun`: starts the same command line under `mpirun -np P` (with
/// `--oversubscribe` when P exceeds the cores, `--allow-run-as-root` for root, which Open MPI refuses
/// otherwise, and TCP's progress thread) and exits with its status. Under `mpirun` (or a hostfile of yours) it does nothing.
enum MPILauncher {
    /// Whether this process was started by an MPI launcher.
    static var isUnderMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMI_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    static func relaunch(ranks: Int) throws -> Never {
        guard let mpirun = executable("mpirun") else {
            throw CommandError("--backend mpi needs Open MPI's mpirun: apt-get install openmpi-bin libopenmpi-dev ('make' installs them)")
        }
        var arguments = ["-np", String(ranks)]
        if ranks > ProcessInfo.processInfo.activeProcessorCount { arguments.append("--oversubscribe") }
        if getuid() == 0 { arguments.append("--allow-run-as-root") }
        // Over TCP, Open MPI moves a non-blocking send only inside MPI calls unless this thread runs:
        // without it a tensor waits while its sender computes the next action.
        if ProcessInfo.processInfo.environment["OMPI_MCA_btl_tcp_progress_thread"] == nil {
            arguments += ["--mca", "btl_tcp_progress_thread", "1"]
        }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        arguments += [executable(CommandLine.arguments[0]) ?? me] + CommandLine.arguments.dropFirst()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = arguments
        do { try process.run() } catch { throw CommandError("cannot start \(mpirun): \(error.localizedDescription)") }
        process.waitUntilExit()
        throw ExitCode(process.terminationStatus)
    }

    /// The path of `name`: itself when it names a file, else the first match on PATH.
    private static func executable(_ name: String) -> String? {
        if name.contains("/") {
            let path = URL(fileURLWithPath: name).standardizedFileURL.path
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
