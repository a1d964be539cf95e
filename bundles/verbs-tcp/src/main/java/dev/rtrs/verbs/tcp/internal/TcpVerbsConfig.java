package dev.rtrs.verbs.tcp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the tcp verbs provider (PID {@value TcpVerbsComponent#PID}); a change restarts the provider. */
@ObjectClassDefinition(
        name = "RTRS verbs provider over TCP",
        description = "The software RDMA provider: reliable-connected queue pairs over TCP. Changing a value restarts"
                + " the provider, which resets its connections.")
@interface TcpVerbsConfig {

    @AttributeDefinition(name = "Device name", description = "Name of the provider's one RDMA device.")
    String deviceName() default "tcp0";

    @AttributeDefinition(
            name = "IO threads",
            description = "Selector threads that own the connections (reads,"
                    + " writes, completions). 0 means one per core, at most 4.",
            min = "0")
    int ioThreads() default 0;

    @AttributeDefinition(
            name = "Event threads",
            description = "Threads delivering connection-manager events.",
            min = "1")
    int eventThreads() default 2;

    @AttributeDefinition(
            name = "RNR timeout (ms)",
            description = "How long a request the peer has no receive"
                    + " posted for is retried before it fails with RNR_RETRY_EXCEEDED_ERROR.",
            min = "1")
    int rnrTimeoutMs() default 1000;

    @AttributeDefinition(
            name = "Queue size limit",
            description = "Most work requests of one send or receive queue.",
            min = "1")
    int maxQueuePairWorkRequests() default 16384;

    @AttributeDefinition(
            name = "Scatter/gather limit",
            description = "Most scatter/gather entries per work request.",
            min = "1")
    int maxScatterGatherEntries() default 32;

    @AttributeDefinition(
            name = "Completion queue size limit",
            description = "Most entries of one completion" + " queue.",
            min = "1")
    int maxCompletionQueueEntries() default 1 << 20;

    @AttributeDefinition(
            name = "Responder resources",
            description = "RDMA READs a queue pair may have" + " outstanding at its peer.",
            min = "1",
            max = "65535")
    int responderResources() default 128;

    @AttributeDefinition(
            name = "Handshake timeout (ms)",
            description = "How long an accepted socket may take to"
                    + " send its connect request, and an accepted connection its READY_TO_USE.",
            min = "1")
    int handshakeTimeoutMs() default 10_000;

    @AttributeDefinition(
            name = "Disconnect timeout (ms)",
            description = "How long an orderly disconnect waits for" + " the peer's reply before the socket is closed.",
            min = "1")
    int disconnectTimeoutMs() default 2_000;

    @AttributeDefinition(
            name = "Socket buffer (bytes)",
            description = "SO_SNDBUF and SO_RCVBUF of connections;" + " 0 keeps the kernel's auto-tuning.",
            min = "0")
    int socketBufferBytes() default 0;

    @AttributeDefinition(
            name = "ACK timeout (exponent)",
            description = "Local ACK timeout of queue pairs created"
                    + " without one, as ibverbs' timeout: 4.096 us x 2^value (17: 0.54 s); 0 waits forever. Every"
                    + " acknowledgement restarts it.",
            min = "0",
            max = "31")
    int ackTimeout() default 17;

    @AttributeDefinition(
            name = "Retry count",
            description = "ACK timeouts a request of a queue pair created"
                    + " without a count survives before it fails with RETRY_EXCEEDED_ERROR and the queue pair with it: a"
                    + " silent peer fails requests after (retry count + 1) ACK timeouts, 4.3 s with the defaults.",
            min = "0",
            max = "7")
    int retryCount() default 7;

    @AttributeDefinition(
            name = "Keepalive idle (s)",
            description = "TCP_KEEPIDLE of connections: idle time before"
                    + " the kernel probes the peer, so that an idle connection to a vanished peer is closed. 0 turns"
                    + " SO_KEEPALIVE off.",
            min = "0",
            max = "32767")
    int keepAliveIdleSeconds() default 10;

    @AttributeDefinition(
            name = "Keepalive interval (s)",
            description = "TCP_KEEPINTERVAL of connections: time" + " between keepalive probes.",
            min = "1",
            max = "32767")
    int keepAliveIntervalSeconds() default 2;

    @AttributeDefinition(
            name = "Keepalive probes",
            description =
                    "TCP_KEEPCOUNT of connections: unanswered probes" + " before the kernel closes the connection.",
            min = "1",
            max = "127")
    int keepAliveCount() default 3;
}
