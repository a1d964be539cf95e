package dev.rtrs.verbs.disni.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the DiSNI verbs provider (PID {@value DisniVerbsComponent#PID}); a change restarts the provider. */
@ObjectClassDefinition(
        name = "RTRS DiSNI verbs provider",
        description = "VerbsProvider on RDMA NICs through DiSNI. DiSNI 2.1 cannot query device limits: the limits"
                + " below are what the devices report to the transport.")
@interface DisniVerbsConfig {

    @AttributeDefinition(
            name = "CM event interval (ms)",
            min = "1",
            description = "Longest pause of the connection-manager event thread between two polls when idle;"
                    + " bounds the extra latency of connection set-up.")
    int cmEventIntervalMs() default 5;

    @AttributeDefinition(
            name = "Completion wait (ms)",
            min = "1",
            description = "How long a completion thread waits for an event before it checks for completions"
                    + " queued before its queue was armed, and for shutdown.")
    int completionWaitMs() default 10;

    @AttributeDefinition(
            name = "Max work requests per queue",
            min = "1",
            description = "Most work requests one send or receive queue may hold.")
    int maxQueuePairWorkRequests() default 4096;

    @AttributeDefinition(
            name = "Max scatter/gather entries",
            min = "1",
            description = "Most scatter/gather entries per work request; libdisni 2.1 creates queue pairs with 4.")
    int maxScatterGatherEntries() default 4;

    @AttributeDefinition(
            name = "Max completion queue entries",
            min = "1",
            description = "Most entries of one completion queue.")
    int maxCompletionQueueEntries() default 65536;

    @AttributeDefinition(
            name = "Max memory region size (bytes)",
            min = "1",
            max = "2147483647",
            description = "Largest memory region; DiSNI registers at most 2^31-1 bytes at once.")
    long maxMemoryRegionSize() default Integer.MAX_VALUE;

    @AttributeDefinition(
            name = "Retry count",
            min = "0",
            max = "7",
            description = "Transport retries of a connection before its work requests fail.")
    int retryCount() default 7;

    @AttributeDefinition(
            name = "RNR retry count",
            min = "0",
            max = "7",
            description = "Receiver-not-ready retries of a connection; 7 retries forever.")
    int rnrRetryCount() default 7;
}
