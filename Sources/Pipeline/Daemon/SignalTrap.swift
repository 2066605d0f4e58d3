import Dispatch
import Foundation

/// Turns process signals into an async sequence, so the daemon reacts to
/// SIGTERM/SIGINT (stop) and SIGHUP (reload) on its own terms instead of
/// being killed mid-batch.
public final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    public let signals: AsyncStream<Int32>

    public init(_ numbers: [Int32]) {
        var continuation: AsyncStream<Int32>.Continuation!
        signals = AsyncStream { continuation = $0 }
        let queue = DispatchQueue(label: "campaignctl.signals")
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [continuation] in continuation?.yield(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
