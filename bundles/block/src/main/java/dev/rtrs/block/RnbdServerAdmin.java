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
     * @param name       the name clients open it by (a configured export, or a file under the search path)
     * @param backend    backend type
     * @param parameters backend parameters
     * @param readOnly   clients may only open it RO
     * @param configured configured by an operator (otherwise a file under the search path, listed while open)
     * @param openCount  sessions that have it open
     * @param available  its backend is present and its storage open
     */
    record ExportInfo(String name, String backend, Map<String, String> parameters, boolean readOnly,
            boolean configured, int openCount, boolean available) {
    }

    /** A device a client session opened. */
    record OpenDeviceInfo(String session, int deviceId, String deviceName, String accessMode) {
    }

    /** Configured exports and the search-path exports in use. */
    List<ExportInfo> exports();

    /** Devices open now, per session. */
    List<OpenDeviceInfo> openDevices();

    /** The search path device names are resolved against. */
    String devSearchPath();

    /** Force-closes a client's session with every device it opened; false when there is no such session. */
    boolean closeSession(String sessionName);
}
