import Foundation
import Testing
@testable import Report

/// Collects what a progress bar writes.
final class Transcript: @unchecked Sendable {
    // @unchecked: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ text: String) { lock.withLock { lines.append(text) } }
    var all: [String] { lock.withLock { lines } }
}

@Test func progressBarWritesNothingWithoutATerminal() {
    let bar = ProgressBar(total: 10, label: "sweep", minimumInterval: .zero, write: nil)
    #expect(!bar.isEnabled)
    bar.advance(by: 10)
    bar.finish()
}

@Test func progressBarDrawsAndEndsTheLine() throws {
    let transcript = Transcript()
    let bar = ProgressBar(total: 4, label: "iterations", minimumInterval: .zero, write: { transcript.append($0) })
    #expect(bar.isEnabled)
    for _ in 0..<4 { bar.advance() }
    bar.finish()
    bar.advance()
    let lines = transcript.all
    #expect(lines.count == 5, "four updates and the final line; nothing after finish")
    #expect(lines.allSatisfy { $0.hasPrefix("\r\u{1B}[2Kiterations [") })
    #expect(lines[1].contains("2/4 50%"))
    let last = try #require(lines.last)
    #expect(last.hasSuffix("\n") && last.contains("4/4 100%") && last.contains(String(repeating: "#", count: 30)))
}

@Test func progressBarThrottlesRedrawsButAlwaysDrawsCompletion() {
    let transcript = Transcript()
    let bar = ProgressBar(total: 1_000, label: "events", minimumInterval: .seconds(3_600), write: { transcript.append($0) })
    DispatchQueue.concurrentPerform(iterations: 1_000) { _ in bar.advance() }
    let lines = transcript.all
    #expect(lines.count == 2, "the first draw, then nothing until completion (an hour's throttle)")
    #expect(lines.last?.contains("1000/1000 100%") == true)
}
