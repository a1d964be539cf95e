package dev.rtrs.block.backend;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The lifecycle that every {@link BlockBackend} shares: it opens devices while it is active, keeps the devices it
 * opened until they close, and once stopped (its component deactivated, its bundle going away) opens no more and
 * closes those still open, so that no export outlives the code that serves it.
 *
 * <p>A subclass's {@code open} calls {@link #ensureActive} first and {@link #register} with the device it opened;
 * the device's close calls {@link #forget}; the subclass's deactivation calls {@link #stop}. The lock is this
 * object's monitor, held only to read or change whether the backend is active: devices are opened and closed with
 * no lock held.
 */
@ConsumerType
public abstract class AbstractBlockBackend implements BlockBackend {

    private final String type;
    private final Set<BlockDevice> devices = ConcurrentHashMap.newKeySet();
    private boolean active = true; // guarded by this

    /** @param type the backend's type, its {@value BlockBackend#TYPE} service property */
    protected AbstractBlockBackend(String type) {
        this.type = type;
    }

    @Override
    public final String type() {
        return type;
    }

    /** Fails with {@code ENODEV} once the backend has stopped. */
    protected final void ensureActive(ExportSpec spec) throws BlockException {
        synchronized (this) {
            if (!active) {
                throw new BlockException(
                        Errno.ENODEV, "export '" + spec.name() + "': the " + type() + " backend is stopped");
            }
        }
    }

    /**
     * Keeps {@code device} among the devices this backend opened and returns it. When the backend stopped while the
     * device was being opened, closes the device and fails with {@code ENODEV}: {@link #stop} did not see it.
     */
    protected final <D extends BlockDevice> D register(ExportSpec spec, D device) throws BlockException {
        boolean registered;
        synchronized (this) {
            registered = active && devices.add(device);
        }
        if (!registered) {
            device.close();
            throw new BlockException(Errno.ENODEV, "export '" + spec.name() + "': the " + type() + " backend stopped");
        }
        return device;
    }

    /** Forgets a device that closed; a device's close calls this once, on the thread that closes it. */
    protected final void forget(BlockDevice device) {
        devices.remove(device);
    }

    /**
     * Stops the backend: opens fail from now on. Closes every device it opened that is still open, whose
     * operations then fail with {@code EIO}, and returns how many it closed. Blocks while the devices close.
     */
    protected final int stop() {
        List<BlockDevice> open;
        synchronized (this) {
            active = false;
            open = new ArrayList<>(devices);
        }
        for (BlockDevice d : open) {
            d.close();
        }
        return open.size();
    }
}
