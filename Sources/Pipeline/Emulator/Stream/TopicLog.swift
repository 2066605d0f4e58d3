import Foundation

/// The messages of one emulated topic: what exists at each partition and
/// offset, and how much of it has been "produced" so far.
public protocol TopicLog: Sendable {
    var partitions: [Int] { get }
    /// Up to `limit` messages of `partition` with an offset above `offset`
    /// (-1 for the oldest kept), in offset order, as available at `now`.
    func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)]
    /// When the next message becomes available, if more are coming.
    func nextArrival(after now: Date) -> Date?
}

/// `count` generated triggers spread round-robin over `partitionCount`
/// partitions, produced at `rate` per second from `start` (or all at once
/// when `rate` is nil).
public struct GeneratedTopicLog: TopicLog {
    public let generator: TriggerGenerator
    public let count: Int64
    public let partitionCount: Int
    public let rate: Double?
    public let start: Date

    public init(generator: TriggerGenerator, count: Int64, partitionCount: Int, rate: Double?, start: Date = Date()) {
        self.generator = generator
        self.count = count
        self.partitionCount = max(1, partitionCount)
        self.rate = rate
        self.start = start
    }

    public var partitions: [Int] { Array(0..<partitionCount) }

    /// How many messages exist in all at `now`.
    func produced(at now: Date) -> Int64 {
        guard let rate else { return count }
        let elapsed = max(0, now.timeIntervalSince(start))
        return min(count, Int64(elapsed * rate))
    }

    func endOffset(partition: Int, at now: Date) -> Int64 {
        let total = produced(at: now)
        let p = Int64(partitionCount)
        return total / p + (Int64(partition) < total % p ? 1 : 0)
    }

    public func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)] {
        let end = endOffset(partition: partition, at: now)
        let first = max(0, offset + 1)
        guard first < end else { return [] }
        return (first..<min(end, first + Int64(limit))).map { ($0, line(topic: topic, partition: partition, offset: $0)) }
    }

    func line(topic: String, partition: Int, offset: Int64) -> Data {
        generator.envelope(topic: topic, partition: partition, offset: offset, createTime: createTime(partition: partition, offset: offset))
    }

    /// When the pipeline took the message (its createTime, and the
    /// producer's sentTime): at `rate`, from `start` on; without a rate, a
    /// backlog produced one message per millisecond up to `start`, as a
    /// backlog waiting in the pipeline was produced over time, not at once.
    public func createTime(partition: Int, offset: Int64) -> Int64 {
        let index = offset * Int64(partitionCount) + Int64(partition)
        if let rate {
            return Int64((start.timeIntervalSince1970 + Double(index) / rate) * 1000)
        }
        return Int64(start.timeIntervalSince1970 * 1000) - (count - 1 - index)
    }

    public func nextArrival(after now: Date) -> Date? {
        guard let rate else { return nil }
        let total = produced(at: now)
        guard total < count else { return nil }
        return start.addingTimeInterval(Double(total + 1) / rate)
    }
}

/// Envelope lines read from a JSON-lines file. Lines that carry a partition
/// and offset keep them; any other line (garbage included, on purpose: it
/// lets operators rehearse faults) is placed round-robin, each at the next
/// offset after the last one of its partition.
public struct FileTopicLog: TopicLog {
    let lines: [Int: [(offset: Int64, line: Data)]]

    public init(contentsOf url: URL, partitionCount: Int = 1) throws {
        let data = try Data(contentsOf: url)
        var byPartition: [Int: [(Int64, Data)]] = [:]
        var loose: [Data] = []
        for raw in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            var line = Data(raw)
            if line.last == 0x0D { line.removeLast() }
            if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
               let partition = (object["partition"] as? NSNumber)?.intValue, partition >= 0,
               let offset = (object["offset"] as? NSNumber)?.int64Value, offset >= 0 {
                byPartition[partition, default: []].append((offset, line))
            } else {
                loose.append(line)
            }
        }
        var result: [Int: [(offset: Int64, line: Data)]] = [:]
        for (partition, entries) in byPartition {
            result[partition] = entries.sorted { $0.0 < $1.0 }.map { (offset: $0.0, line: $0.1) }
        }
        let count = max(1, partitionCount)
        for (i, line) in loose.enumerated() {
            let partition = i % count
            let next = (result[partition]?.last?.offset ?? -1) + 1
            result[partition, default: []].append((offset: next, line: line))
        }
        lines = result
    }

    public var partitions: [Int] { lines.keys.sorted() }

    public func entries(topic: String, partition: Int, after offset: Int64, limit: Int, at now: Date) -> [(offset: Int64, line: Data)] {
        guard let all = lines[partition] else { return [] }
        // Binary search for the first entry above `offset`.
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].offset <= offset { low = mid + 1 } else { high = mid }
        }
        return Array(all[low..<min(all.count, low + limit)])
    }

    public func nextArrival(after now: Date) -> Date? { nil }
}
