import CMPI
import COpenBLAS
import Foundation
import Schedule

/// The executor over MPI: one process per device, started by `mpirun -np P`, rank d being device d.
/// Each rank trains its stages of the same MLP with the same schedule as `ThreadedExecutor`;
/// activations and gradients go rank to rank as MPI point-to-point messages, and the results are the
/// threaded executor's bit for bit (same seed, same order of every floating-point operation).
///
/// - Messages: at an iteration's start a rank posts a non-blocking receive (`MPI_Irecv`) for every
///   tensor it will get in that iteration, straight into the slot the action reads; before an action it
///   waits for its own receive only. A sent tensor is copied into a per-micro-batch buffer and sent with
///   `MPI_Isend`; the sends are completed at the iteration's end. Tags name (kind, replica, stage,
///   micro-batch). Chimera's gradient sum exchanges the two replicas' gradients with `MPI_Sendrecv`.
/// - Times: each rank times its actions on its monotonic clock. Before the first iteration rank 0
///   estimates every rank's clock offset by ping-pong (the exchange of least round trip; uncertainty
///   half of it), and the times are gathered onto rank 0's clock. On one host every rank reads the same
///   clock and the offsets come out within a few microseconds of zero.
/// - Failures: a stall (no action finished for `stallTimeout` seconds) prints which action waits for
///   which rank and ends the job with `MPI_Abort` (status 3); a failed action's rank says why and
///   aborts the job too (see `endsJobOnError`). The schedule is validated on every rank before anything
///   is computed, and configuration errors end every rank alike, said once by rank 0.
public final class MPIExecutor {
    public let rank: Int
    public let schedule: Schedule
    public let model: MLPConfiguration
    public let options: ExecutorOptions
    public let layersPerStage: [Int]
    public let microbatchRows: Int
    /// Rank 0's estimate of each rank's clock minus its own (ns), and the largest uncertainty.
    public private(set) var clockOffsets: [Int64] = []
    public private(set) var clockUncertainty: Int64 = 0
    /// The link between neighbouring ranks d and d + 1, measured by ping-pong before the first iteration
    /// (rank 0 holds every pair's; nil with one rank).
    public private(set) var links: [MPILink] = []
    /// Rank 0: for every tensor a rank had to wait for, the time from its sender's `MPI_Isend` to its
    /// arrival (the receiver's wait returning), in ns on rank 0's clock — the transfer as the run saw it,
    /// within the clocks' uncertainty.
    public private(set) var transferTimes: [Int64] = []
    /// Per (iteration, action id) of the current `run`: when the action posted its send (0: none).
    private var sendTimes: [Int64] = []
    private var currentSlot = 0
    /// Bytes of one tensor sent between stages (a micro-batch's activation or its gradient).
    public var transferBytes: Int { microbatchRows * model.hidden * MemoryLayout<Float>.size }
    private let stages: [StageState?]
    private let dependencies: Dependencies
    private let recomputed: [Bool]
    private let communicator = stagecraft_mpi_comm_world()
    private var completedIterations = 0
    /// Per micro-batch, the tensors this rank sends (activations forward, gradients backward).
    private let activationOut: FloatBuffer
    private let gradientOut: FloatBuffer
    /// Where a gradient sum receives the other replica's gradients, one buffer at a time (a weight
    /// matrix at most); empty without replicas.
    private let incomingGradients: FloatBuffer
    /// Whether an error of this rank must end the whole job (`abort`): once every rank has its executor,
    /// the others would wait for a failed one forever.
    nonisolated(unsafe) public private(set) static var endsJobOnError = false

    /// From now on an error of this rank ends the job.
    public static func endJobOnError() { endsJobOnError = true }

    /// Starts MPI in this process (once) and returns its rank and the number of ranks.
    public static func start() throws(ExecutorError) -> (rank: Int, size: Int) {
        var provided: Int32 = 0
        var argc: Int32 = 0
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        guard MPI_Init_thread(&argc, &argv, stagecraft_mpi_thread_serialized(), &provided) == stagecraft_mpi_success() else {
            throw .invalidOptions("MPI could not start; run the command under mpirun -np <devices>")
        }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(stagecraft_mpi_comm_world(), &rank)
        MPI_Comm_size(stagecraft_mpi_comm_world(), &size)
        return (Int(rank), Int(size))
    }

    /// Ends MPI in this process.
    public static func stop() { MPI_Finalize() }

    /// Ends every rank of the job (after this rank said why).
    public static func abort(code: Int32) -> Never {
        MPI_Abort(stagecraft_mpi_comm_world(), code)
        exit(code)
    }

    /// Prepares this rank's stages; every rank must call it with the same arguments.
    public init(schedule: Schedule, model: MLPConfiguration, options: ExecutorOptions = ExecutorOptions(), rank: Int, size: Int) throws(ExecutorError) {
        guard size == schedule.deviceCount else {
            throw .invalidOptions("the schedule has \(schedule.deviceCount) devices but mpirun started \(size) ranks; run mpirun -np \(schedule.deviceCount)")
        }
        guard !options.forwardOnly, options.link == nil else {
            throw .invalidOptions("--forward-only, --link-latency and --link-bandwidth are not available with --backend mpi: the link is MPI's")
        }
        try model.validate()
        var checked = options
        if checked.fault?.kind == .stall { checked.fault = nil }  // a stall drill is safe here: the watchdog ends the process
        try checked.validate()
        do { try schedule.validate() } catch { throw .invalidSchedule(error.description) }
        let layerCounts = try model.stageLayerCounts(stages: schedule.stageCount)
        let rows = try model.microbatchRows(microbatches: schedule.microbatchCount)
        try ExecutorFootprint.check(model: model, stages: schedule.stageCount, replicas: schedule.replicaCount)
        self.rank = rank
        self.schedule = schedule
        self.model = model
        self.options = options
        self.layersPerStage = layerCounts
        self.microbatchRows = rows
        dependencies = Dependencies(schedule: schedule)
        recomputed = dependencies.recomputedForwards
        openblas_set_num_threads(1)
        let held = Set(schedule.placement.stages(on: rank).map { $0.replica * schedule.stageCount + $0.stage })
        stages = StageState.build(model: model, schedule: schedule, layerCounts: layerCounts, rows: rows) { replica, stage in
            held.contains(replica * schedule.stageCount + stage)
        }
        let tensor = rows * model.hidden
        let slots = schedule.replicaCount * schedule.stageCount * schedule.microbatchCount * tensor
        activationOut = FloatBuffer(count: slots)
        gradientOut = FloatBuffer(count: slots)
        incomingGradients = FloatBuffer(count: schedule.replicaCount > 1 ? model.hidden * model.hidden : 0)
        estimateClocks()
        measureLinks()
    }

    // MARK: Running

    /// Runs `iterations` iterations on every rank. Rank 0 returns every iteration's result over all
    /// devices (times on its clock); the other ranks return an empty list.
    public func run(iterations: Int = 1) throws(ExecutorError) -> [IterationResult] {
        guard iterations >= 1 else { throw .invalidOptions("--iterations \(iterations): run at least 1 iteration") }
        let actionCount = schedule.actions.count, deviceCount = schedule.deviceCount, m = schedule.microbatchCount
        var starts = [Int64](repeating: 0, count: iterations * actionCount), ends = starts, arrivals = starts
        sendTimes = [Int64](repeating: 0, count: iterations * actionCount)
        currentSlot = 0
        var losses = [Double](repeating: 0, count: iterations * m)
        var peaks = [Int64](repeating: 0, count: iterations * deviceCount), finishes = peaks
        MPIExecutor.endJobOnError()
        let progress = MPIProgress()
        let watchdog = Thread { [options] in progress.watch(seconds: options.stallTimeout) }
        watchdog.start()
        defer { progress.stop() }
        var meter = MemoryMeter()
        let held = schedule.placement.stages(on: rank).compactMap { stages[$0.replica * schedule.stageCount + $0.stage] }
        for k in 0..<iterations {
            for stage in held { stage.beginGradients() }
            var receives = postReceives()
            var sends: [MPI_Request?] = []
            MPI_Barrier(communicator)
            let origin = MPIExecutor.now()
            meter.resetPeak()
            for id in schedule.actionRange(of: rank) {
                let action = schedule.actions[id]
                if receives[id] != nil {
                    var arrived: Int32 = 0
                    MPI_Test(&receives[id], &arrived, stagecraft_mpi_status_ignore())
                    if arrived == 0 {
                        // Waiting for it: the moment the wait returns is the tensor's arrival.
                        progress.waiting(at: action, for: sourceDescription(of: id), rank: rank)
                        MPI_Wait(&receives[id], stagecraft_mpi_status_ignore())
                        arrivals[k * actionCount + id] = MPIExecutor.now() - clockOffsets[rank]
                    }
                }
                let start = MPIExecutor.now()
                currentSlot = k * actionCount + id
                progress.running(action, rank: rank)
                if let loss = try perform(action, id: id, iteration: completedIterations + k, meter: &meter, sends: &sends) {
                    losses[k * m + action.microbatch] = loss
                }
                let end = MPIExecutor.now()
                starts[k * actionCount + id] = start - clockOffsets[rank]
                ends[k * actionCount + id] = end - clockOffsets[rank]
            }
            for index in sends.indices where sends[index] != nil { MPI_Wait(&sends[index], stagecraft_mpi_status_ignore()) }
            for stage in held { stage.step(learningRate: model.learningRate) }
            peaks[k * deviceCount + rank] = meter.peak
            finishes[k * deviceCount + rank] = MPIExecutor.now() - origin
        }
        // Every slot was written by one rank only: a sum onto rank 0 gathers them.
        reduce(&starts)
        reduce(&ends)
        reduce(&peaks)
        reduce(&finishes)
        reduce(&arrivals)
        reduce(&sendTimes)
        losses.withUnsafeMutableBufferPointer { buffer in
            let source = rank == 0 ? UnsafeRawPointer(stagecraft_mpi_in_place()) : UnsafeRawPointer(buffer.baseAddress)
            let result = MPI_Reduce(source, buffer.baseAddress, Int32(buffer.count), stagecraft_mpi_double(), stagecraft_mpi_sum(), 0, communicator)
            precondition(result == stagecraft_mpi_success(), "MPI_Reduce failed")
        }
        let first = completedIterations
        completedIterations += iterations
        guard rank == 0 else { return [] }
        // A tensor waited for took from its sender's MPI_Isend (aligned clocks) to its arrival.
        for k in 0..<iterations {
            for id in schedule.actions.indices where arrivals[k * actionCount + id] > 0 {
                let device = schedule.device(atIndex: id)
                let sent = dependencies.predecessors(of: id).map(Int.init).filter { schedule.device(atIndex: $0) != device }
                    .map { sendTimes[k * actionCount + $0] }.filter { $0 > 0 }.max()
                if let sent { transferTimes.append(arrivals[k * actionCount + id] - sent) }
            }
        }
        let parameters = parameterBytes
        return (0..<iterations).map { k in
            let start = Array(starts[(k * actionCount)..<((k + 1) * actionCount)]), end = Array(ends[(k * actionCount)..<((k + 1) * actionCount)])
            let origin = start.min() ?? 0
            let timeline = Timeline(schedule: schedule, start: start.map { $0 - origin }, end: end.map { $0 - origin },
                                    peakMemory: (0..<deviceCount).map { peaks[k * deviceCount + $0] + parameters[$0] })
            let loss = losses[(k * m)..<((k + 1) * m)].reduce(0, +)
            let stepTime = (0..<deviceCount).map { finishes[k * deviceCount + $0] }.max() ?? 0
            return IterationResult(iteration: first + k, loss: loss, timeline: timeline, stepTime: stepTime)
        }
    }

    // MARK: Actions

    /// One action's compute and its sends, with the memory accounting of `DeviceWorker`.
    private func perform(_ action: Action, id: Int, iteration: Int, meter: inout MemoryMeter, sends: inout [MPI_Request?]) throws(ExecutorError) -> Double? {
        let index = action.replica * schedule.stageCount + action.stage
        guard let state = stages[index] else {
            throw .deviceFailed(device: rank, action: action, iteration: iteration, reason: "no stage \(action.stage) on this rank")
        }
        if let fault = options.fault, fault.iteration == iteration, fault.action == action {
            fault.strike()
            throw .deviceFailed(device: rank, action: action, iteration: iteration, reason: fault.message)
        }
        let j = action.microbatch, unit = state.tensorBytes, layers = Int64(state.layerCount)
        let tensor = microbatchRows * model.hidden
        var loss: Double?
        switch action.op {
        case .forward:
            meter.hold((layers + 1) * unit)
            let nextStage = action.stage + 1 < schedule.stageCount ? action.stage + 1 : nil
            let local = nextStage.flatMap { _ in stages[index + 1] }
            loss = state.forward(j, next: local)
            if let nextStage, local == nil {
                let buffer = activationOut.pointer + slot(action.replica, action.stage, j) * tensor
                buffer.update(from: state.lastOutput(j), count: tensor)
                sends.append(send(buffer, count: tensor, to: device(replica: action.replica, stage: nextStage),
                                  tag: tag(kind: 0, replica: action.replica, stage: nextStage, microbatch: j)))
            }
            if !recomputed.isEmpty && recomputed[id] {
                state.discardActivations(j)
                meter.release(layers * unit)
            }
            if options.failOnNaN, let value = loss, !value.isFinite {
                throw .deviceFailed(device: rank, action: action, iteration: iteration,
                                    reason: "the loss of micro-batch \(j) is \(value) (--fail-on-nan); lower --lr or check the model")
            }
        case .recompute:
            meter.hold(layers * unit)
            state.recompute(j)
        case .inputGrad, .backward:
            meter.hold(layers * unit)
            let previousStage = state.isFirstStage ? nil : action.stage - 1
            let local = previousStage.flatMap { _ in stages[index - 1] }
            if previousStage != nil { meter.touch(unit) }
            if let gradient = state.inputGrad(j, previous: local, remotePrevious: previousStage != nil && local == nil), let previousStage {
                let buffer = gradientOut.pointer + slot(action.replica, action.stage, j) * tensor
                buffer.update(from: gradient, count: tensor)
                sends.append(send(buffer, count: tensor, to: device(replica: action.replica, stage: previousStage),
                                  tag: tag(kind: 1, replica: action.replica, stage: previousStage, microbatch: j)))
            }
            if action.op == .backward {
                state.weightGrad(j)
                meter.release((2 * layers + 1) * unit)
            }
        case .weightGrad:
            state.weightGrad(j)
            meter.release((2 * layers + 1) * unit)
        case .gradSync:
            synchronize(state, action: action)
        }
        return loss
    }

    /// Chimera's gradient sum: each replica's device sends its gradients to the other replicas' and adds
    /// theirs (replica order, as `ReplicaSync`), so every replica ends with the same sum.
    private func synchronize(_ state: StageState, action: Action) {
        for replica in 0..<schedule.replicaCount where replica != action.replica {
            let partner = Int32(device(replica: replica, stage: action.stage))
            let (weightGrads, biasGrads) = state.settledGradients()
            for buffers in [weightGrads, biasGrads] {
                for buffer in buffers {
                    precondition(buffer.count <= incomingGradients.count, "a gradient larger than a weight matrix")
                    let tag = Int32(1 << 30) + Int32(action.stage)
                    MPI_Sendrecv(buffer.pointer, Int32(buffer.count), stagecraft_mpi_float(), partner, tag,
                                 incomingGradients.pointer, Int32(buffer.count), stagecraft_mpi_float(), partner, tag,
                                 communicator, stagecraft_mpi_status_ignore())
                    // ReplicaSync adds into replica 0's accumulators: keep that order (x + y is y + x in IEEE,
                    // but a third replica would not commute).
                    cblas_saxpy(Int32(buffer.count), 1, incomingGradients.pointer, 1, buffer.pointer, 1)
                }
            }
        }
    }

    // MARK: Messages

    /// Posts this iteration's receives: per action id, the request its data arrives on.
    private func postReceives() -> [MPI_Request?] {
        var requests = [MPI_Request?](repeating: nil, count: schedule.actions.count)
        let tensor = Int32(microbatchRows * model.hidden)
        for id in schedule.actionRange(of: rank) {
            let action = schedule.actions[id]
            guard let state = stages[action.replica * schedule.stageCount + action.stage] else { continue }
            switch action.op {
            case .forward where action.stage > 0:
                let source = device(replica: action.replica, stage: action.stage - 1)
                guard source != rank else { continue }
                requests[id] = receive(into: state.inputSlot(action.microbatch), count: tensor, from: source,
                                       tag: tag(kind: 0, replica: action.replica, stage: action.stage, microbatch: action.microbatch))
            case .inputGrad, .backward:
                guard action.stage + 1 < schedule.stageCount else { continue }
                let source = device(replica: action.replica, stage: action.stage + 1)
                guard source != rank else { continue }
                requests[id] = receive(into: state.incomingGradSlot(action.microbatch), count: tensor, from: source,
                                       tag: tag(kind: 1, replica: action.replica, stage: action.stage, microbatch: action.microbatch))
            default:
                continue
            }
        }
        return requests
    }

    private func receive(into buffer: UnsafeMutablePointer<Float>, count: Int32, from source: Int, tag: Int32) -> MPI_Request? {
        var request: MPI_Request? = stagecraft_mpi_request_null()
        MPI_Irecv(buffer, count, stagecraft_mpi_float(), Int32(source), tag, communicator, &request)
        return request
    }

    private func send(_ buffer: UnsafeMutablePointer<Float>, count: Int, to destination: Int, tag: Int32) -> MPI_Request? {
        sendTimes[currentSlot] = MPIExecutor.now() - clockOffsets[rank]
        var request: MPI_Request? = stagecraft_mpi_request_null()
        MPI_Isend(buffer, Int32(count), stagecraft_mpi_float(), Int32(destination), tag, communicator, &request)
        return request
    }

    private func device(replica: Int, stage: Int) -> Int { schedule.placement.device(replica: replica, stage: stage) }

    private func slot(_ replica: Int, _ stage: Int, _ microbatch: Int) -> Int {
        (replica * schedule.stageCount + stage) * schedule.microbatchCount + microbatch
    }

    /// A message's tag: (kind, replica, stage, micro-batch) of the receiving action.
    private func tag(kind: Int, replica: Int, stage: Int, microbatch: Int) -> Int32 {
        Int32(((kind * schedule.replicaCount + replica) * schedule.stageCount + stage) * schedule.microbatchCount + microbatch)
    }

    /// What the action with `id` waits for, for a stall's message.
    private func sourceDescription(of id: Int) -> String {
        let action = schedule.actions[id]
        let source = action.op == .forward ? device(replica: action.replica, stage: action.stage - 1) : device(replica: action.replica, stage: action.stage + 1)
        let kind = action.op == .forward ? "the activation of" : "the gradient of"
        return "\(kind) micro-batch \(action.microbatch) from rank \(source)"
    }

    private func reduce(_ values: inout [Int64]) {
        values.withUnsafeMutableBufferPointer { buffer in
            let source = rank == 0 ? UnsafeRawPointer(stagecraft_mpi_in_place()) : UnsafeRawPointer(buffer.baseAddress)
            let result = MPI_Reduce(source, buffer.baseAddress, Int32(buffer.count), stagecraft_mpi_int64(), stagecraft_mpi_sum(), 0, communicator)
            precondition(result == stagecraft_mpi_success(), "MPI_Reduce failed")
        }
    }

    // MARK: Clocks

    /// Rank 0 and each other rank exchange 16 time stamps; the exchange of least round trip gives the
    /// offset (their time minus the middle of rank 0's send and receive) and half its round trip the
    /// uncertainty. Rank 0 broadcasts the offsets.
    private func estimateClocks() {
        let size = schedule.deviceCount
        var offsets = [Int64](repeating: 0, count: size)
        var uncertainties = [Int64](repeating: 0, count: size)
        for other in 1..<max(size, 1) {
            var best = Int64.max
            for _ in 0..<16 {
                var stamp: Int64 = 0
                if rank == 0 {
                    let sent = MPIExecutor.now()
                    MPI_Send(&stamp, 1, stagecraft_mpi_int64(), Int32(other), 1 << 29, communicator)
                    MPI_Recv(&stamp, 1, stagecraft_mpi_int64(), Int32(other), 1 << 29, communicator, stagecraft_mpi_status_ignore())
                    let received = MPIExecutor.now()
                    if received - sent < best {
                        best = received - sent
                        offsets[other] = stamp - (sent + received) / 2
                        uncertainties[other] = best / 2
                    }
                } else if rank == other {
                    MPI_Recv(&stamp, 1, stagecraft_mpi_int64(), 0, 1 << 29, communicator, stagecraft_mpi_status_ignore())
                    stamp = MPIExecutor.now()
                    MPI_Send(&stamp, 1, stagecraft_mpi_int64(), 0, 1 << 29, communicator)
                }
            }
        }
        _ = offsets.withUnsafeMutableBufferPointer { MPI_Bcast($0.baseAddress, Int32(size), stagecraft_mpi_int64(), 0, communicator) }
        clockOffsets = offsets
        clockUncertainty = uncertainties.max() ?? 0
    }

    /// Ranks d and d + 1 time round trips of an 8-byte message and of one tensor, 16 of each, for every
    /// d: the least one-way time of the small message is the latency, and the size difference over the
    /// time difference the bandwidth. Each pair's figures reach rank 0 by a reduction.
    private func measureLinks() {
        let size = schedule.deviceCount
        guard size > 1 else { return }
        let large = transferBytes
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(large, 8), alignment: 16)
        defer { buffer.deallocate() }
        var latency = [Int64](repeating: 0, count: size - 1), tensorTime = latency
        for pair in 0..<(size - 1) where rank == pair || rank == pair + 1 {
            let partner = Int32(rank == pair ? pair + 1 : pair)
            for (bytes, index) in [(8, 0), (large, 1)] {
                var best = Int64.max
                for _ in 0..<16 {
                    let start = MPIExecutor.now()
                    if rank == pair {
                        MPI_Send(buffer, Int32(bytes), stagecraft_mpi_byte(), partner, 1 << 28, communicator)
                        MPI_Recv(buffer, Int32(bytes), stagecraft_mpi_byte(), partner, 1 << 28, communicator, stagecraft_mpi_status_ignore())
                    } else {
                        MPI_Recv(buffer, Int32(bytes), stagecraft_mpi_byte(), partner, 1 << 28, communicator, stagecraft_mpi_status_ignore())
                        MPI_Send(buffer, Int32(bytes), stagecraft_mpi_byte(), partner, 1 << 28, communicator)
                    }
                    best = min(best, (MPIExecutor.now() - start) / 2)
                }
                if rank == pair { if index == 0 { latency[pair] = best } else { tensorTime[pair] = best } }
            }
        }
        reduce(&latency)
        reduce(&tensorTime)
        guard rank == 0 else { return }
        links = (0..<(size - 1)).map { pair in
            let extra = Double(tensorTime[pair] - latency[pair])
            return MPILink(ranks: (pair, pair + 1), latency: Double(latency[pair]), tensorTime: Double(tensorTime[pair]),
                           bandwidth: extra > 0 ? Double(large - 8) / extra * 1e9 : nil)
        }
    }

    static func now() -> Int64 { MonotonicClock.now() }
}

/// A link between two neighbouring ranks as ping-pong measured it.
public struct MPILink: Sendable {
    public let ranks: (Int, Int)
    /// One-way time of an 8-byte message (ns).
    public let latency: Double
    /// One-way time of one stage tensor (ns).
    public let tensorTime: Double
    /// Bytes per second beyond the latency; nil when the tensor was no slower than 8 bytes.
    public let bandwidth: Double?
}

/// What this rank is doing, for the watchdog of one `run`: a stall becomes an error naming the action and
/// what it waits for, then the job ends (`MPI_Abort`, status 3).
final class MPIProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var state = "starting"
    private var changed = MonotonicClock.now()
    private var stopped = false

    private var rank = 0

    func waiting(at action: Action, for source: String, rank: Int) { set("blocked at \(action), waiting for \(source)", rank: rank) }
    func running(_ action: Action, rank: Int) { set("running \(action)", rank: rank) }

    private func set(_ text: String, rank: Int) {
        lock.lock()
        state = text
        self.rank = rank
        changed = MonotonicClock.now()
        lock.unlock()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    func watch(seconds: Double) {
        let limit = Int64(seconds * 1e9)
        while true {
            Thread.sleep(forTimeInterval: min(0.1, seconds / 10))
            lock.lock()
            let (done, text, idle, rank) = (stopped, state, MonotonicClock.now() - changed, self.rank)
            lock.unlock()
            if done { return }
            if idle > limit {
                FileHandle.standardError.write(Data("Error: stalled: rank \(rank) has been \(text) for more than \(seconds) s (--stall-timeout); ending the job\n".utf8))
                MPIExecutor.abort(code: 3)
            }
        }
    }
}
