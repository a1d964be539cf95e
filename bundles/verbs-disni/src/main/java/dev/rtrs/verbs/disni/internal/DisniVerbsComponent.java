package dev.rtrs.verbs.disni.internal;

import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.disni.DisniOptions;
import dev.rtrs.verbs.disni.DisniVerbsProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers the DiSNI verbs provider as a {@link VerbsProvider} service with {@code rtrs.provider=disni}. Disabled until
 * {@link DisniDetector} finds libdisni and an RDMA device, so that where either is missing nothing is registered and
 * SCR reports no error.
 */
@Component(
        enabled = false,
        service = VerbsProvider.class,
        configurationPid = DisniVerbsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = VerbsProvider.PROVIDER + "=" + DisniVerbsProvider.NAME)
@Designate(ocd = DisniVerbsConfig.class)
public final class DisniVerbsComponent extends DisniVerbsProvider {

    static final String PID = "dev.rtrs.verbs.disni.DisniVerbsProvider";

    /** Called by Service Component Runtime; blocks while the devices open, fails the activation with the reason. */
    @Activate
    public DisniVerbsComponent(DisniVerbsConfig config) throws VerbsException {
        super(options(config));
    }

    static DisniOptions options(DisniVerbsConfig config) {
        return new DisniOptions(
                config.cmEventIntervalMs(),
                config.completionWaitMs(),
                config.maxQueuePairWorkRequests(),
                config.maxScatterGatherEntries(),
                config.maxCompletionQueueEntries(),
                config.maxMemoryRegionSize(),
                config.retryCount(),
                config.rnrRetryCount());
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
