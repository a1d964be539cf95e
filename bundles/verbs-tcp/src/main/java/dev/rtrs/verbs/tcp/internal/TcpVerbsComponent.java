package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the tcp verbs provider as a {@link VerbsProvider} service with {@code provider=tcp}. */
@Component(
        service = VerbsProvider.class,
        configurationPid = TcpVerbsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = VerbsProvider.PROVIDER + "=" + TcpVerbsProvider.NAME)
@Designate(ocd = TcpVerbsConfig.class)
public final class TcpVerbsComponent extends TcpVerbsProvider {

    static final String PID = "dev.rtrs.verbs.tcp.TcpVerbsProvider";

    private static final Logger LOG = LoggerFactory.getLogger(TcpVerbsComponent.class);

    /** Called by Service Component Runtime; fails the activation with the reason when a value is invalid. */
    @Activate
    public TcpVerbsComponent(TcpVerbsConfig config) {
        super(options(config));
        LOG.info("tcp verbs provider started with device {}", devices().get(0).name());
    }

    static TcpProviderOptions options(TcpVerbsConfig config) {
        TcpProviderOptions.Builder b = TcpProviderOptions.builder()
                .deviceName(config.deviceName())
                .eventThreads(config.eventThreads())
                .rnrTimeoutMs(config.rnrTimeoutMs())
                .maxQueuePairWorkRequests(config.maxQueuePairWorkRequests())
                .maxScatterGatherEntries(config.maxScatterGatherEntries())
                .maxCompletionQueueEntries(config.maxCompletionQueueEntries())
                .responderResources(config.responderResources())
                .handshakeTimeoutMs(config.handshakeTimeoutMs())
                .disconnectTimeoutMs(config.disconnectTimeoutMs())
                .socketBufferBytes(config.socketBufferBytes())
                .ackTimeout(config.ackTimeout())
                .retryCount(config.retryCount())
                .keepAliveIdleSeconds(config.keepAliveIdleSeconds())
                .keepAliveIntervalSeconds(config.keepAliveIntervalSeconds())
                .keepAliveCount(config.keepAliveCount());
        if (config.ioThreads() > 0) {
            b.ioThreads(config.ioThreads());
        }
        return b.build();
    }

    @Deactivate
    void deactivate() {
        close();
        LOG.info("tcp verbs provider stopped");
    }
}
