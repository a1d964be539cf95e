package dev.rtrs.block;

import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    /**
     * Unmaps a device as the kernel's {@code unmap_device}: {@code normal} refuses while the device is open (NBD
     * clients use it), {@code force} closes their connections first. Forgets the mapping.
     *
     * @throws BlockException ENOENT when no device has that name, EBUSY for a normal unmap of an open device
     */
    default void unmap(String name, boolean force) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot unmap " + name + " by mode");
    }

    /** Connections of NBD clients that use the device now; 0 for none or no such device. */
    default int openCount(String name) {
        return 0;
    }

    /** The device's NBD URI, e.g. {@code nbd://127.0.0.1:10809/demo}; null while no NBD gateway exports it. */
    default String nbdUri(String name) {
        return null;
    }

    /**
     * Opens a device again on the server, as the kernel's {@code remap_device}, for a device whose session lost its
     * link and has a connected path again. Blocks for the server's answer.
     *
     * @throws BlockException ENOENT for no such device, EALREADY when it is mapped, ENOTCONN while its session has
     *                        no connected path, or the server's errno
     */
    default MappedDeviceInfo remap(String name) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot remap " + name);
    }

    /**
     * Reads the device's size from the server again, after it changed there, as the kernel's {@code resize} does: IO
     * of the device's session pauses while the device is closed and opened again. Blocks for the server's answers.
     *
     * @return the device with its new size
     * @throws BlockException ENOENT for no such device, ENOTCONN while its session has no connected path, EBUSY when
     *                        its IO does not drain, or the server's errno
     */
    default MappedDeviceInfo resize(String name) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot resize " + name);
    }

    /**
     * Adds a path to a session the client maps devices through ({@code [src,]dst}, the kernel's {@code add_path}),
     * connects it, and keeps it in the configuration of each of those devices.
     *
     * @return the names of the mapped devices whose configuration now has the path
     * @throws BlockException ENOENT when no configured mapping uses that session, EINVAL for a bad path, EEXIST for
     *                        one the session has, the transport's errno when it cannot be connected, EIO when a
     *                        configuration cannot be stored
     */
    default List<String> addPath(String session, String path, int port) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot add paths");
    }

    /**
     * Removes a path of a session the client maps devices through (the kernel's {@code remove_path}), and from the
     * configuration of each of those devices.
     *
     * @return the names of the mapped devices whose configuration no longer has the path
     * @throws BlockException ENOENT for no such session or path, EBUSY for the session's last path, EIO when a
     *                        configuration cannot be stored
     */
    default List<String> removePath(String session, UUID path) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot remove paths");
    }

    /**
     * Sets the reconnect attempts of a session the client maps devices through (the kernel's
     * {@code max_reconnect_attempts}), on the running session and in the configuration of each of those devices.
     *
     * @return the names of the mapped devices whose configuration now has the value
     * @throws BlockException ENOENT when no configured mapping uses that session, EINVAL for a value out of range, EIO
     *                        when a configuration cannot be stored
     */
    default List<String> setMaxReconnectAttempts(String session, int attempts) throws BlockException {
        throw new BlockException(Errno.EOPNOTSUPP, "this RNBD client cannot change reconnect attempts");
    }

    /** IO counts and latencies per mapped device name, for the devices mapped now. */
    default Map<String, DeviceStatistics> deviceStatistics() {
        return Map.of();
    }
}
