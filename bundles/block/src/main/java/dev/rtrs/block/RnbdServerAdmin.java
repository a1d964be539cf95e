package dev.rtrs.block;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** What an operator sees of and does with the RNBD server. A service of the block server. */
@ProviderType
public interface RnbdServerAdmin {

    /**
     * An export.
     *
     * @param name           the name clients open it by (a configured export, or a file under the search path)
     * @param backend        backend type
     * @param parameters     backend parameters
     * @param readOnly       clients may only open it RO
     * @param configured     configured by an operator (otherwise a file under the search path, listed while open)
     * @param openCount      sessions that have it open
     * @param available      its backend is present and its storage open
     * @param sizeBytes      its size in bytes: its open storage's, else a {@code file} export's file length; -1 when
     *                       not known (storage not open and no regular file: a memory export nobody opened yet or
     *                       whose backend is gone, a file not created yet, a block device not open)
     * @param allowedClients the client addresses and CIDR ranges whose sessions may open it; empty for any
     */
    record ExportInfo(
            String name,
            String backend,
            Map<String, String> parameters,
            boolean readOnly,
            boolean configured,
            int openCount,
            boolean available,
            long sizeBytes,
            List<String> allowedClients) {

        public ExportInfo {
            allowedClients = allowedClients == null ? List.of() : List.copyOf(allowedClients);
        }
    }

    /** A device a client session opened. */
    record OpenDeviceInfo(String session, int deviceId, String deviceName, String accessMode) {}

    /**
     * An export to configure.
     *
     * @param name            the name clients open it by: letters, digits and {@code . _ : -}, at most 255 bytes
     * @param backend         backend type ({@code memory}, {@code file}, or any installed backend)
     * @param parameters      backend parameters as {@code key=value}
     * @param readOnly        clients may only open it RO
     * @param allowedSessions session names that may open it; empty for any
     * @param allowedClients  client addresses or CIDR ranges ({@code 10.0.0.0/24}, {@code ::1/128}) whose sessions
     *                        may open it, each entry one or several comma-separated; empty for any
     */
    record ExportRequest(
            String name,
            String backend,
            List<String> parameters,
            boolean readOnly,
            List<String> allowedSessions,
            List<String> allowedClients) {

        public ExportRequest {
            parameters = parameters == null ? List.of() : List.copyOf(parameters);
            allowedSessions = allowedSessions == null ? List.of() : List.copyOf(allowedSessions);
            allowedClients = allowedClients == null ? List.of() : List.copyOf(allowedClients);
        }
    }

    /** Configured exports and the search-path exports in use. */
    List<ExportInfo> exports();

    /** Devices open now, per session. */
    List<OpenDeviceInfo> openDevices();

    /** The search path device names are resolved against. */
    String devSearchPath();

    /** Opens and errors per export name, for every export opened or configured since the server started. */
    default Map<String, ExportStatistics> exportStatistics() {
        return Map.of();
    }

    /**
     * Adds an export as a factory configuration, so that it survives restarts as one configured in an etc/ file
     * does. Blocks until the server has it (at most {@code timeoutMs}); its backend may come later.
     *
     * @throws BlockException EINVAL for a bad name, parameter or client range, EEXIST when an export of that name is
     *                        configured, ETIMEDOUT when the server has not picked it up in time (the configuration
     *                        stays), EIO when the configuration cannot be stored
     */
    ExportInfo addExport(ExportRequest request, long timeoutMs) throws BlockException;

    /**
     * Removes a configured export and its configuration (also one from an etc/ file). Its storage is left alone.
     *
     * @throws BlockException ENOENT when no export of that name is configured, EBUSY while a session has it open
     */
    void removeExport(String name) throws BlockException;

    /** Force-closes a client's session with every device it opened; false when there is no such session. */
    boolean closeSession(String sessionName);
}
