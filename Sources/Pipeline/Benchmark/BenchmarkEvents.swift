import Foundation
import Store

/// Events as the daemon stores them, made by the emulator's generator: the
/// rows of the storage ceiling are the rows ingest writes.
public enum BenchmarkEvents {
    public static func generated(count: Int, partitions: Int = 15, topic: String = "triggers", consumer: String = "bench",
                                 triggerEventId: String = "cart-abandonment") -> [IncomingEvent] {
        let generator = TriggerGenerator(triggerId: TriggerGenerator.defaultTriggerId, imsOrg: "BENCH000000000000000000@AdobeOrg")
        let log = GeneratedTopicLog(generator: generator, count: Int64(count), partitionCount: partitions, rate: nil)
        return (0..<count).map { index in
            let partition = index % partitions, offset = Int64(index / partitions)
            let createTime = log.createTime(partition: partition, offset: offset)
            return IncomingEvent(consumer: consumer, topic: topic, partition: partition, offset: offset,
                                 messageId: generator.messageId(partition: partition, offset: offset), sentTime: createTime,
                                 analyticsTriggerId: generator.triggerId, triggerEventId: triggerEventId, createTime: createTime,
                                 envelope: generator.envelope(topic: topic, partition: partition, offset: offset, createTime: createTime))
        }
    }
}
