package dev.rtrs.verbs.disni.internal;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether the provider may run: loads libdisni (here, at activation, never in a static initialiser), looks
 * for RDMA devices and the JVM flag DiSNI needs, then enables {@link DisniVerbsComponent} or logs one line
 * saying everything that is missing. Blocks while libdisni loads.
 */
@Component
public final class DisniDetector {

    private static final Logger LOG = LoggerFactory.getLogger(DisniDetector.class);

    private final ComponentContext context;
    private final boolean enabled;

    @Activate
    public DisniDetector(ComponentContext context) {
        this.context = context;
        Availability availability = Availability.check(new SystemNativeEnvironment(), SysfsDevices.system());
        enabled = availability.available();
        if (enabled) {
            LOG.info(availability.describe("DiSNI RDMA provider enabled"));
            context.enableComponent(DisniVerbsComponent.class.getName());
        } else {
            LOG.warn(availability.describe("DiSNI RDMA provider inactive"));
        }
    }

    @Deactivate
    void deactivate() {
        if (enabled) {
            context.disableComponent(DisniVerbsComponent.class.getName());
        }
    }
}
