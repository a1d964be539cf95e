package dev.rtrs.block;

import dev.rtrs.block.protocol.AccessMode;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What an operator does with the RNBD client: map and unmap devices, as the kernel's {@code map_device} and
 * {@code unmap_device}. Mappings made here are persistent (factory configurations) and come back after a
 * restart. A service of the block client.
 */
@ProviderType
public interface RnbdClientAdmin {

    /**
     * A mapping request.
     *
     * @param name       name of the mapped device (and its NBD export)
     * @param session    session to map through
     * @param paths      paths as {@code [src,]dst} (kernel syntax, {@code ip:} prefixes allowed)
     * @param port       server port for paths that name none
     * @param devicePath the device's name on the server
     * @param accessMode {@code ro}, {@code rw} or {@code migration}
     */
    record MapRequest(String name, String session, List<String> paths, int port, String devicePath, String accessMode) {

        public MapRequest {
            paths = List.copyOf(paths);
        }
    }

    /** Where a mapped device is: mapped, reconnecting, or configured and not mapped yet. */
    enum MappedDeviceState {
        /** Mapped: IO goes to the server. */
        MAPPED,
        /** Mapped, and its session has lost the server: IO waits for the reconnect. */
        RECONNECTING,
        /** Configured and not mapped yet: the client keeps trying. */
        MAPPING
    }

    /**
     * A mapped device.
     *
     * @param name       the device's name
     * @param session    its session
     * @param devicePath its name on the server
     * @param accessMode how it is opened on the server; null while it is being mapped from a configuration that
     *                   names no access mode RNBD knows
     * @param size       bytes, or -1 while it is not mapped yet
     * @param state      where it is
     */
    record MappedDeviceInfo(
            String name,
            String session,
            String devicePath,
            AccessMode accessMode,
            long size,
            MappedDeviceState state) {}

    List<MappedDeviceInfo> devices();

    /**
     * Maps a device and keeps the mapping across restarts. Blocks until it is mapped or {@code timeoutMs} passed.
     *
     * @throws BlockException EEXIST for a name in use, EINVAL for a bad request, ETIMEDOUT when the device was
     *                        not mapped in time (the mapping stays configured and keeps trying), or the server's
     *                        errno when it refused the device
     */
    MappedDeviceInfo map(MapRequest request, long timeoutMs) throws BlockException;

    /**
     * Unmaps a device and forgets its mapping.
     *
     * @throws BlockException ENOENT when no device has that name
     */
    void unmap(String name) throws BlockException;

    /**
     * Sets the multipath policy of a session the client maps devices through, in the configuration of each of those
     * devices (so that it survives a restart) and on the running session, while IO runs.
     *
     * @return the names of the mapped devices whose configuration now names the policy
     * @throws BlockException ENOENT when no configured mapping uses that session, EIO when a configuration cannot be
     *                        stored
     */
    List<String> setPolicy(String session, String policy) throws BlockException;
}
