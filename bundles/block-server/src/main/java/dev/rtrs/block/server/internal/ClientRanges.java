package dev.rtrs.block.server.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Client address ranges in CIDR notation ({@code 10.0.0.0/24}, {@code fd00::/8}, or a single address), as an
 * export's allow list. Written here because the few lines it takes do not justify a library in every appliance,
 * and because the ranges must also hold IPv6, which the usual small helpers do not.
 */
final class ClientRanges {

    /** No range: everyone. */
    static final ClientRanges ANY = new ClientRanges(List.of());

    private record Range(byte[] network, int prefix, String text) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private ClientRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * Parses ranges; each entry may hold several, comma-separated. Host names are refused: the list is a security
     * boundary and must not depend on a name service.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or a range
     */
    static ClientRanges parse(String... entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            for (String spec : entry.split(",")) {
                String s = spec.trim();
                if (!s.isEmpty()) {
                    ranges.add(range(s));
                }
            }
        }
        return ranges.isEmpty() ? ANY : new ClientRanges(ranges);
    }

    private static Range range(String spec) {
        int slash = spec.indexOf('/');
        String address = slash < 0 ? spec : spec.substring(0, slash);
        // literals only: InetAddress would look up anything else ("beef", "10.0.0.300") in the name service
        if (!isIpv4(address) && !(address.contains(":") && address.matches("[0-9a-fA-F:.]+"))) {
            throw new IllegalArgumentException("client range '" + spec + "' is not an IP address or CIDR range");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("client range '" + spec + "' is not an IP address or CIDR range", e);
        }
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(spec.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(
                        "client range '" + spec + "' has a prefix length outside 0.." + bits);
            }
        }
        return new Range(network, prefix, spec);
    }

    /** Four dotted decimal numbers of 0 to 255 (not the short forms {@code 10.1} that InetAddress also takes). */
    private static boolean isIpv4(String address) {
        if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        for (String part : address.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    boolean isAny() {
        return ranges.isEmpty();
    }

    /** The ranges as given, one entry each; empty for {@link #ANY}. */
    List<String> texts() {
        return ranges.stream().map(Range::text).toList();
    }

    /** True when every address lies in one of the ranges (always, for {@link #ANY}). */
    boolean allowsAll(Collection<InetAddress> addresses) {
        if (ranges.isEmpty()) {
            return true;
        }
        for (InetAddress a : addresses) {
            if (ranges.stream().noneMatch(r -> r.contains(a))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "any" : String.join(",", texts());
    }
}
