package dev.rtrs.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * The addresses of one path: an optional client-side source and the server-side destination.
 *
 * <p>Text form, as the kernel's {@code path=} parameter: {@code [src,]dst}, each address optionally
 * prefixed with {@code ip:}; a destination may carry a port ({@code 10.0.0.2:1234}, {@code [fd00::2]:1234}).
 */
public record PathAddress(InetSocketAddress source, InetSocketAddress destination) {

    public PathAddress {
        Objects.requireNonNull(destination, "destination");
    }

    public static PathAddress of(String destinationHost, int port) {
        return parse(destinationHost, port);
    }

    /**
     * Parses {@code [src,]dst}.
     *
     * @param defaultPort used when the destination names no port
     * @throws IllegalArgumentException with a message naming the bad part
     */
    public static PathAddress parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty path address");
        }
        String[] parts = text.trim().split(",");
        if (parts.length > 2) {
            throw new IllegalArgumentException("path address '" + text + "': expected [src,]dst");
        }
        InetSocketAddress dst = address(parts[parts.length - 1], defaultPort);
        InetSocketAddress src = parts.length == 2 ? address(parts[0], 0) : null;
        return new PathAddress(src, dst);
    }

    private static InetSocketAddress address(String part, int defaultPort) {
        String s = part.trim();
        if (s.startsWith("ip:")) {
            s = s.substring(3);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address in path '" + part + "'");
        }
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unterminated '[' in address '" + part + "'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                port = port(rest.substring(1), part);
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + rest + "' after address in '" + part + "'");
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = port(s.substring(s.indexOf(':') + 1), part);
        }
        if (!isLiteral(host)) {
            throw new IllegalArgumentException("'" + host + "' is not an IPv4 or IPv6 address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + host + "'", e);
        }
    }

    // Only literals: a path names an interface address; name lookups would block and hide typos.
    private static boolean isLiteral(String host) {
        if (host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        return host.matches("[0-9a-fA-F:.%a-zA-Z]*:[0-9a-fA-F:.%a-zA-Z]*");
    }

    private static int port(String text, String part) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range in '" + part + "'");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + text + "' in '" + part + "'");
        }
    }

    /** {@code [src,]dst} with ports. */
    @Override
    public String toString() {
        return (source == null ? "" : format(source, false) + ",") + format(destination, true);
    }

    private static String format(InetSocketAddress a, boolean withPort) {
        String host = a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return withPort ? host + ":" + a.getPort() : host;
    }
}
