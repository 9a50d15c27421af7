// Simulator speed and memory: builds one schedule, simulates it, prints actions per second and
// peak resident memory per action. One configuration per process, so the peak is this run's own.
//
//   simulator-bench FAMILY DEVICES MICROBATCHES [CHUNKS] [REPEATS]
#if canImport(Glibc)
import Glibc
#endif
import Schedule
import Simulator

/// Monotonic wall-clock time in seconds.
func now() -> Double { clock(CLOCK_MONOTONIC) }

/// CPU time of this thread in seconds: unlike wall time, not inflated when other processes share the cores.
func cpu() -> Double { clock(CLOCK_THREAD_CPUTIME_ID) }

func clock(_ id: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(id, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// A field of /proc/self/status in bytes (VmRSS: resident now, VmHWM: peak resident).
func statusBytes(_ field: String) -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix(field + ":") {
            let digits = text.dropFirst(field.count + 1).filter { $0.isNumber }
            return (Int(digits) ?? 0) * 1024
        }
    }
    return 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let family = ScheduleFamily(rawValue: arguments[1]),
      let p = Int(arguments[2]), let m = Int(arguments[3]) else {
    print("usage: simulator-bench gpipe|1f1b|interleaved|chimera DEVICES MICROBATCHES [CHUNKS] [REPEATS]")
    exit(2)
}
let v = arguments.count > 4 ? Int(arguments[4]) ?? 1 : 1
let repeats = arguments.count > 5 ? Int(arguments[5]) ?? 5 : 5

let baseline = statusBytes("VmRSS")
do {
    let built = now()
    let schedule = try family.make(devices: p, microbatches: m, chunks: v)
    let made = now()
    let actions = schedule.actions.count
    let simulator = Simulator(costModel: CostModel(forward: .uniform(1_000), backward: .uniform(2_000)))
    var bestTotal = Double.infinity, bestEngine = Double.infinity
    var cpuTotal = Double.infinity, cpuEngine = Double.infinity
    var makespan: Int64 = 0
    for _ in 0..<repeats {
        let begin = now(), cpuBegin = cpu()
        let dependencies = Dependencies(schedule: schedule)
        let middle = now(), cpuMiddle = cpu()
        let simulation = try simulator.run(dependencies)
        let finish = now(), cpuFinish = cpu()
        makespan = simulation.timeline.makespan
        bestTotal = min(bestTotal, finish - begin)
        bestEngine = min(bestEngine, finish - middle)
        cpuTotal = min(cpuTotal, cpuFinish - cpuBegin)
        cpuEngine = min(cpuEngine, cpuFinish - cpuMiddle)
    }
    let peak = statusBytes("VmHWM")
    let expected: Int64 = family == .chimera ? -1 : Int64(v * m + p - 1) * 3_000
    func rate(_ seconds: Double) -> String { String(Int((Double(actions) / seconds / 1e6 * 10).rounded()) / 10) }
    print("\(family.rawValue) p=\(p) m=\(m) v=\(v): \(actions) actions, makespan \(makespan) ns"
          + (expected >= 0 ? (makespan == expected ? " (= formula)" : " (formula says \(expected)!)") : ""))
    print("  schedule generation      \(Int((made - built) * 1e3)) ms")
    print("  dependencies + simulate  wall \(Int(bestTotal * 1e3)) ms = \(rate(bestTotal)) M actions/s;"
          + " CPU \(Int(cpuTotal * 1e3)) ms = \(rate(cpuTotal)) M actions/s")
    print("  simulate alone           wall \(Int(bestEngine * 1e3)) ms = \(rate(bestEngine)) M actions/s;"
          + " CPU \(Int(cpuEngine * 1e3)) ms = \(rate(cpuEngine)) M actions/s")
    print("  peak RSS                 \(peak / 1_048_576) MiB = \(peak / actions) bytes/action;"
          + " above the \(baseline / 1_048_576) MiB at start: \((peak - baseline) / actions) bytes/action")
} catch {
    print("error: \(error)")
    exit(1)
}
