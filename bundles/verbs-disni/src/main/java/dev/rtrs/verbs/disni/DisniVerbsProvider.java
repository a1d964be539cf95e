package dev.rtrs.verbs.disni;

import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.disni.internal.ProviderRuntime;
import java.util.List;

/**
 * RDMA verbs on real RDMA NICs through DiSNI: every RDMA device of the host (found in sysfs), with the limits given
 * in {@link DisniOptions} (DiSNI 2.1 cannot query them) and none of the optional verbs DiSNI 2.1 lacks.
 *
 * <p>The JVM needs {@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED} (DiSNI reads direct buffer addresses
 * through {@code sun.nio.ch.DirectBuffer}) and libdisni in {@code java.library.path}; the constructor names whatever
 * is missing.
 *
 * <p>Threads: one event thread delivers connection-manager events; each completion queue created with a listener
 * has a thread of its own that calls it.
 *
 * <p>Inside the appliance an instance is registered by the bundle's Declarative Services component, only where
 * libdisni loads and an RDMA device exists; outside OSGi, construct one and {@link #close()} it. Not designed for
 * extension outside this bundle.
 */
public class DisniVerbsProvider implements VerbsProvider, AutoCloseable {

    /** The value of the {@value VerbsProvider#PROVIDER} service property. */
    public static final String NAME = "disni";

    private final ProviderRuntime runtime;

    /**
     * Starts a provider with {@link DisniOptions#defaults()}.
     *
     * @throws VerbsException as {@link #DisniVerbsProvider(DisniOptions)}
     */
    public DisniVerbsProvider() throws VerbsException {
        this(DisniOptions.defaults());
    }

    /**
     * Loads libdisni, finds the RDMA devices and starts a provider: its threads run from here until {@link #close()}.
     * Blocks while it opens the devices.
     *
     * @throws VerbsException {@code ENODEV} naming what is missing (libdisni, an RDMA device, the JVM flag), or the
     *         error of opening the event channel
     */
    public DisniVerbsProvider(DisniOptions options) throws VerbsException {
        this.runtime = ProviderRuntime.start(this, options);
    }

    /** {@value #NAME}. */
    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<RdmaDevice> devices() {
        return runtime.devices();
    }

    /** Any thread; waits at most for one poll of the event thread. */
    @Override
    public CmId createCmId(CmEventHandler handler) throws VerbsException {
        return runtime.createCmId(handler);
    }

    /**
     * Stops the connection-manager event thread and the completion threads, closes the completion queues still open
     * and releases the event channel. Resources the caller still holds (queue pairs, regions, domains) must be closed
     * first. Blocks until the threads have ended. Idempotent.
     */
    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "DisniVerbsProvider" + devices();
    }
}
