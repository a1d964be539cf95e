package dev.rtrs.verbs.tcp.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;

/** Registers the tcp verbs provider as a {@link VerbsProvider} service with {@code provider=tcp}. */
@Component(service = VerbsProvider.class, configurationPid = TcpVerbsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = VerbsProvider.PROVIDER + "=" + TcpVerbsProvider.NAME)
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
        TcpProviderOptions.Builder b = TcpProviderOptions.builder().deviceName(config.device_name())
                .eventThreads(config.event_threads()).rnrTimeoutMs(config.rnr_timeout_ms())
                .maxQueuePairWorkRequests(config.max_queue_pair_work_requests())
                .maxScatterGatherEntries(config.max_scatter_gather_entries())
                .maxCompletionQueueEntries(config.max_completion_queue_entries())
                .responderResources(config.responder_resources()).handshakeTimeoutMs(config.handshake_timeout_ms())
                .disconnectTimeoutMs(config.disconnect_timeout_ms()).socketBufferBytes(config.socket_buffer_bytes());
        if (config.io_threads() > 0) {
            b.ioThreads(config.io_threads());
        }
        return b.build();
    }

    @Deactivate
    void deactivate() {
        close();
        LOG.info("tcp verbs provider stopped");
    }
}
