package dev.rtrs.verbs.disni;

import dev.rtrs.verbs.Errno;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.disni.internal.Availability;
import dev.rtrs.verbs.disni.internal.DisniVerbsProvider;
import dev.rtrs.verbs.disni.internal.SysfsDevices;
import dev.rtrs.verbs.disni.internal.SystemNativeEnvironment;

/**
 * Starts the DiSNI provider without OSGi. The JVM needs {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}
 * (DiSNI reads direct buffer addresses through {@code sun.nio.ch.DirectBuffer}) and libdisni in
 * {@code java.library.path}.
 */
public final class DisniVerbs {

    /** The provider's name and its {@code provider} service property. */
    public static final String PROVIDER_NAME = "disni";

    private DisniVerbs() {
    }

    /**
     * Loads libdisni, finds the RDMA devices and starts a provider. Blocks while it opens the devices.
     *
     * @throws VerbsException {@code ENODEV} naming what is missing (libdisni, an RDMA device, the JVM flag), or the
     *         error of opening the event channel
     */
    public static DisniProvider open(DisniOptions options) throws VerbsException {
        SysfsDevices sysfs = SysfsDevices.system();
        Availability availability = Availability.check(new SystemNativeEnvironment(), sysfs);
        if (!availability.available()) {
            throw new VerbsException(Errno.ENODEV, availability.describe("DiSNI RDMA provider unavailable"));
        }
        return DisniVerbsProvider.start(options, availability.devices(), sysfs);
    }
}
