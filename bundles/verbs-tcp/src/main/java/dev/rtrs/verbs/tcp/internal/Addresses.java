package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;

/** Address checks of address resolution. */
final class Addresses {

    private Addresses() {}

    /** Whether this host owns {@code address}: a socket can be bound to it. */
    static boolean isLocal(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return true;
        }
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(address, 0));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code address} with its host name resolved. May block on name resolution. */
    static InetSocketAddress resolve(InetSocketAddress address) throws UnknownHostException {
        if (!address.isUnresolved()) {
            return address;
        }
        return new InetSocketAddress(InetAddress.getByName(address.getHostString()), address.getPort());
    }

    static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet6Address) == (b instanceof Inet6Address);
    }
}
