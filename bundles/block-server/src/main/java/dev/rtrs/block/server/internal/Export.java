package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export in use: its definition, the device its backend opened, and who has it open. RO opens are unlimited,
 * RW once, and MIGRATION allows a second writer. The device is reopened when its backend comes back after being
 * removed, so clients keep their mapping.
 */
final class Export {

    private static final Logger LOG = LoggerFactory.getLogger(Export.class);

    final ExportDefinition definition;
    final ExportCounters counters;
    /** Configured exports keep their storage open (a memory export keeps its data) while configured. */
    private volatile boolean keepOpen;

    private volatile BlockDevice device;
    private BlockBackend backend;
    private int readers;
    private int writers;

    Export(ExportDefinition definition, boolean keepOpen, ExportCounters counters) {
        this.definition = definition;
        this.keepOpen = keepOpen;
        this.counters = counters;
    }

    /** The configuration is gone: close the storage once nobody has it open. */
    synchronized void unconfigure() {
        keepOpen = false;
        closeIfUnused();
    }

    /** The device, or {@code null} while its backend is absent (IO then fails with EIO). */
    BlockDevice device() {
        return device;
    }

    synchronized boolean inUse() {
        return readers + writers > 0;
    }

    synchronized int openCount() {
        return readers + writers;
    }

    /**
     * Registers an opener; opens the device on the first one.
     *
     * @param clients the addresses the session's paths come from: all must be allowed
     */
    synchronized void open(String session, List<InetAddress> clients, AccessMode mode, BlockBackend available)
            throws BlockException {
        if (!definition.allowedSessions().isEmpty()
                && !definition.allowedSessions().contains(session)) {
            throw new BlockException(Errno.EACCES, "session " + session + " may not open export " + definition.name());
        }
        if (!definition.allowedClients().allowsAll(clients)) {
            throw new BlockException(
                    Errno.EACCES,
                    "session " + session + " from " + clients + " may not open export " + definition.name()
                            + " (allowed clients " + definition.allowedClients() + ")");
        }
        boolean write = mode != AccessMode.RO;
        if (write && definition.readOnly()) {
            throw new BlockException(Errno.EROFS, "export " + definition.name() + " is read-only");
        }
        if (mode == AccessMode.RW && writers > 0) {
            throw new BlockException(Errno.EPERM, "export " + definition.name() + " is already open for writing");
        }
        if (mode == AccessMode.MIGRATION && writers > 1) {
            throw new BlockException(Errno.EPERM, "export " + definition.name() + " already has two writers");
        }
        if (device == null) {
            if (available == null) {
                throw new BlockException(
                        Errno.ENODEV,
                        "backend '" + definition.backend() + "' of export " + definition.name() + " is not installed");
            }
            attach(available);
            if (device == null) {
                throw new BlockException(Errno.EIO, "export " + definition.name() + " cannot be opened");
            }
        }
        if (write && device.isReadOnly()) {
            throw new BlockException(Errno.EROFS, "export " + definition.name() + " is stored read-only");
        }
        if (write) {
            writers++;
        } else {
            readers++;
        }
    }

    /** Drops an opener; closes the device after the last one. */
    synchronized void close(AccessMode mode) {
        if (mode == AccessMode.RO) {
            readers = Math.max(0, readers - 1);
        } else {
            writers = Math.max(0, writers - 1);
        }
        closeIfUnused();
    }

    private void closeIfUnused() {
        if (readers + writers == 0 && !keepOpen && device != null) {
            device.close();
            device = null;
            backend = null;
        }
    }

    /** Whether the registry may forget this export. */
    synchronized boolean disposable() {
        return readers + writers == 0 && !keepOpen;
    }

    /** Opens the device on {@code b}, if nothing is open yet. */
    synchronized void attach(BlockBackend b) {
        if (device != null) {
            return;
        }
        try {
            device = b.open(new ExportSpec(definition.name(), definition.parameters(), definition.readOnly()));
            backend = b;
        } catch (IOException e) {
            LOG.error(
                    "export {}: backend {} cannot open it: {}",
                    definition.name(),
                    definition.backend(),
                    e.getMessage());
        }
    }

    /** Forgets the device of a backend that is going away (the backend closes it, so its IO fails with EIO). */
    synchronized void detach(BlockBackend b) {
        if (backend == b) {
            device = null;
            backend = null;
            LOG.warn(
                    "export {}: backend {} removed; IO fails with EIO until it is back",
                    definition.name(),
                    definition.backend());
        }
    }

    synchronized boolean attachedTo(BlockBackend b) {
        return backend == b;
    }
}
