package dev.rtrs.verbs.disni.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.disni.DisniOptions;
import dev.rtrs.verbs.disni.DisniVerbs;

/**
 * The provider as a service. Disabled until {@link DisniDetector} finds libdisni and an RDMA device, so that where
 * either is missing nothing is registered and SCR reports no error.
 */
@Component(name = DisniVerbsProviderComponent.PID, configurationPid = DisniVerbsProviderComponent.PID,
        enabled = false, service = VerbsProvider.class,
        property = VerbsProvider.PROVIDER + "=" + DisniVerbs.PROVIDER_NAME)
@Designate(ocd = DisniVerbsProviderConfig.class)
public final class DisniVerbsProviderComponent implements VerbsProvider {

    /** Component name and configuration PID. */
    public static final String PID = "dev.rtrs.verbs.disni.DisniVerbsProvider";

    private final DisniVerbsProvider provider;

    /** Blocks while the devices open. */
    @Activate
    public DisniVerbsProviderComponent(DisniVerbsProviderConfig config) throws VerbsException {
        SysfsDevices sysfs = SysfsDevices.system();
        provider = DisniVerbsProvider.start(options(config), sysfs.deviceNames(), sysfs);
    }

    static DisniOptions options(DisniVerbsProviderConfig config) {
        return new DisniOptions(config.cmEventIntervalMs(), config.completionWaitMs(),
                config.maxQueuePairWorkRequests(), config.maxScatterGatherEntries(),
                config.maxCompletionQueueEntries(), config.maxMemoryRegionSize(), config.retryCount(),
                config.rnrRetryCount());
    }

    @Deactivate
    void deactivate() {
        provider.close();
    }

    @Override
    public String name() {
        return provider.name();
    }

    @Override
    public List<RdmaDevice> devices() {
        return provider.devices();
    }

    @Override
    public CmId createCmId(CmEventHandler handler) throws VerbsException {
        return provider.createCmId(handler);
    }
}
