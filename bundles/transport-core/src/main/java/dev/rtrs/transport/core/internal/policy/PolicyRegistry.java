package dev.rtrs.transport.core.internal.policy;

import dev.rtrs.transport.MultipathPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The multipath policies installed in a transport, by name and alias (names are case-insensitive). Two policies of
 * one name: the one installed last is used, the other again when that one goes.
 *
 * <p>Thread-safe; lookups happen when a session (re)selects its policy, never per IO.
 */
public final class PolicyRegistry {

    /** One installed policy and the names it answers to, its name first. */
    private record Installed(MultipathPolicy policy, List<String> names) {}

    /** Installed policies, oldest first. Guarded by this. */
    private final List<Installed> installed = new ArrayList<>();

    /**
     * Installs a policy.
     *
     * @throws IllegalArgumentException when it has no name
     */
    public synchronized void add(MultipathPolicy policy, String name, List<String> aliases) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "a multipath policy needs a name (service property " + MultipathPolicy.NAME + ")");
        }
        List<String> names = new ArrayList<>();
        names.add(normalize(name));
        for (String a : aliases) {
            if (a != null && !a.isBlank() && !names.contains(normalize(a))) {
                names.add(normalize(a));
            }
        }
        installed.removeIf(i -> i.policy() == policy);
        installed.add(new Installed(policy, List.copyOf(names)));
    }

    /** Removes a policy; false when it was not installed. */
    public synchronized boolean remove(MultipathPolicy policy) {
        return installed.removeIf(i -> i.policy() == policy);
    }

    /** The policy answering to a name or alias, or null. */
    public synchronized MultipathPolicy find(String name) {
        Installed i = lookup(name);
        return i == null ? null : i.policy();
    }

    /** The name of the policy answering to {@code name} (e.g. {@code min-inflight} for {@code mi}), or null. */
    public synchronized String canonicalName(String name) {
        Installed i = lookup(name);
        return i == null ? null : i.names().get(0);
    }

    // this held
    private Installed lookup(String name) {
        if (name == null) {
            return null;
        }
        String key = normalize(name);
        for (int k = installed.size() - 1; k >= 0; k--) {
            if (installed.get(k).names().contains(key)) {
                return installed.get(k);
            }
        }
        return null;
    }

    /** Installed policies by name, with their aliases, sorted by name. */
    public synchronized Map<String, List<String>> names() {
        Map<String, List<String>> byName = new TreeMap<>();
        for (Installed i : installed) {
            byName.put(i.names().get(0), i.names().subList(1, i.names().size()));
        }
        return new LinkedHashMap<>(byName);
    }

    private static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
