package dev.rtrs.jmx.internal;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The object names of the MBeans, all in the domain {@value #DOMAIN}. */
final class ObjectNames {

    static final String DOMAIN = "dev.rtrs";
    static final String CLIENT_SESSION = "ClientSession";
    static final String CLIENT_PATH = "ClientPath";
    static final String SERVER_SESSION = "ServerSession";
    static final String MAPPED_DEVICE = "MappedDevice";
    static final String EXPORT = "Export";

    private ObjectNames() {}

    /** {@code dev.rtrs:type=<type>,name=<name>}. */
    static ObjectName of(String type, String name) {
        return parse(DOMAIN + ":type=" + type + ",name=" + value(name));
    }

    /** {@code dev.rtrs:type=ClientPath,session=<session>,name=<path>}. */
    static ObjectName clientPath(String session, String path) {
        return parse(DOMAIN + ":type=" + CLIENT_PATH + ",session=" + value(session) + ",name=" + value(path));
    }

    /** A second path of the session with the same name: told apart by its uuid. */
    static ObjectName clientPath(String session, String path, String uuid) {
        return parse(DOMAIN + ":type=" + CLIENT_PATH + ",session=" + value(session) + ",name=" + value(path) + ",uuid="
                + uuid);
    }

    /**
     * A key's value as it may stand in an object name: as it is when it can (jconsole's tree shows it so), quoted
     * when it holds a character an unquoted value may not (an IPv6 path name's colons, say).
     */
    static String value(String raw) {
        if (raw.isEmpty()) {
            return ObjectName.quote(raw);
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n' || c == '\\') {
                return ObjectName.quote(raw);
            }
        }
        return raw;
    }

    private static ObjectName parse(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            // value() quotes every character that could make it malformed
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
