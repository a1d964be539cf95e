package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin.MapRequest;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The factory configurations behind mapped devices ({@value MappedDeviceComponent#PID}): their property names, how
 * their values parse, and a {@link MapRequest} checked and turned into one.
 */
final class MappingConfigs {

    static final String NAME = "name";
    static final String SESSION = "session";
    static final String POLICY = "policy";
    static final String PATHS = "paths";
    static final String PORT = "port";
    static final String DEVICE_PATH = "devicePath";
    static final String ACCESS_MODE = "accessMode";
    static final String MAX_RECONNECT_ATTEMPTS = "maxReconnectAttempts";
    /** Paths share one configuration value, as in the etc/ files. */
    static final String PATH_SEPARATOR = ";";

    /** Safe as an NBD export name, a service property and in a configuration filter. */
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private MappingConfigs() {}

    /** {@code ro}, {@code rw} or {@code migration}, in any case. */
    static AccessMode accessMode(String text) {
        String mode = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "ro" -> AccessMode.RO;
            case "rw" -> AccessMode.RW;
            case "migration" -> AccessMode.MIGRATION;
            default -> throw new IllegalArgumentException("access mode '" + text + "' is not ro, rw or migration");
        };
    }

    /** The paths of a configuration value: {@code [src,]dst} entries separated by semicolons. */
    static List<PathAddress> paths(String[] values, int port) {
        List<PathAddress> paths = new ArrayList<>();
        for (String value : values) {
            for (String part : value.split(PATH_SEPARATOR)) {
                if (!part.isBlank()) {
                    paths.add(PathAddress.parse(part.trim(), port));
                }
            }
        }
        return paths;
    }

    /**
     * Checks a request as the mapped-device component will read it, so that a bad one is refused before anything is
     * configured.
     *
     * @return the configuration's properties
     * @throws BlockException EINVAL naming what is wrong
     */
    static Dictionary<String, Object> properties(MapRequest r) throws BlockException {
        if (r.name() == null || !DEVICE_NAME.matcher(r.name()).matches()) {
            throw invalid("device name '" + r.name() + "' must be 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        if (r.port() < 1 || r.port() > 65535) {
            throw invalid("port " + r.port() + " is not 1 to 65535");
        }
        List<PathAddress> paths = new ArrayList<>();
        for (String p : r.paths()) {
            if (p == null || p.contains(PATH_SEPARATOR)) {
                throw invalid("path '" + p + "' must be one [src,]dst address pair");
            }
            try {
                paths.add(PathAddress.parse(p, r.port()));
            } catch (IllegalArgumentException e) {
                throw invalid("bad path '" + p + "': " + e.getMessage());
            }
        }
        if (r.session() == null) {
            throw invalid("a session name is needed");
        }
        try {
            // the rules of the session the mapping opens: name length, number of paths
            ClientSessionOptions.builder(r.session()).paths(paths).build();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        AccessMode mode;
        try {
            mode = accessMode(r.accessMode());
            new RnbdOpen(mode, r.devicePath() == null ? "" : r.devicePath());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(NAME, r.name());
        props.put(SESSION, r.session());
        props.put(PATHS, String.join(PATH_SEPARATOR, r.paths()));
        props.put(PORT, r.port());
        props.put(DEVICE_PATH, r.devicePath());
        props.put(ACCESS_MODE, mode.name().toLowerCase(Locale.ROOT));
        return props;
    }

    private static BlockException invalid(String message) {
        return new BlockException(Errno.EINVAL, message);
    }

    /** {@code value} as a literal in an OSGi filter. */
    static String filterValue(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
