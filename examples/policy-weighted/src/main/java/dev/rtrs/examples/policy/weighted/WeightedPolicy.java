package dev.rtrs.examples.policy.weighted;

import dev.rtrs.transport.MultipathPolicy;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Weighted round-robin: out of every (sum of weights) IOs, each path carries as many as its weight. Weights come
 * from the configuration (PID {@value #PID}) by server address, and may change while sessions run.
 *
 * <p>The transport finds the policy by its {@value MultipathPolicy#NAME} service property and gives each session
 * that asks for {@code weighted} (or {@code wrr}) its own {@link Selector}.
 */
@Component(
        configurationPid = WeightedPolicy.PID,
        property = {MultipathPolicy.NAME + "=weighted", MultipathPolicy.ALIASES + "=wrr"})
@Designate(ocd = WeightedPolicy.Config.class)
public final class WeightedPolicy implements MultipathPolicy {

    static final String PID = "dev.rtrs.examples.policy.weighted.WeightedPolicy";

    @ObjectClassDefinition(
            name = "Weighted round-robin multipath policy",
            description = "Per-path weights of the 'weighted' multipath policy")
    public @interface Config {
        @AttributeDefinition(
                description = "Weights as address=weight or address:port=weight (weight 1 to 1000),"
                        + " e.g. 10.0.0.1=3; paths not listed weigh 1")
        String[] weights() default {};
    }

    /** Weights by server address (any port) and by address and port; replaced whole when the configuration changes. */
    private volatile Weights weights = new Weights(Map.of(), Map.of());

    @Activate
    @Modified
    void configure(Config config) {
        weights = Weights.parse(config.weights());
    }

    @Override
    public PathSelector newSelector() {
        return new Selector(this);
    }

    Weights weights() {
        return weights;
    }

    /** What the configuration says; looked up per IO without allocating. */
    record Weights(Map<InetSocketAddress, Integer> byEndpoint, Map<String, Integer> byHost) {

        static Weights parse(String[] entries) {
            Map<InetSocketAddress, Integer> endpoints = new HashMap<>();
            Map<String, Integer> hosts = new HashMap<>();
            for (String entry : entries) {
                for (String part : entry.split(",")) {
                    int eq = part.lastIndexOf('=');
                    if (part.isBlank() || eq <= 0) {
                        continue;
                    }
                    String where = part.substring(0, eq).trim();
                    int weight = Math.max(
                            1,
                            Math.min(
                                    1000,
                                    Integer.parseInt(part.substring(eq + 1).trim())));
                    int colon = where.lastIndexOf(':');
                    if (colon > 0 && where.indexOf(':') == colon) {
                        endpoints.put(
                                new InetSocketAddress(
                                        where.substring(0, colon), Integer.parseInt(where.substring(colon + 1))),
                                weight);
                    } else {
                        hosts.put(where, weight);
                    }
                }
            }
            return new Weights(Map.copyOf(endpoints), Map.copyOf(hosts));
        }

        int of(PathView path) {
            InetSocketAddress d = path.destination();
            Integer w = byEndpoint.get(d);
            if (w == null) {
                w = byHost.get(d.getAddress().getHostAddress());
            }
            return w == null ? 1 : w;
        }
    }

    /**
     * One session's cursor. The n-th IO goes to the path whose share of the weight circle holds n modulo the sum of
     * the weights: lock-free (one atomic increment) and allocation-free.
     */
    static final class Selector implements PathSelector {
        private final WeightedPolicy policy;
        private final AtomicLong next = new AtomicLong();

        Selector(WeightedPolicy policy) {
            this.policy = policy;
        }

        @Override
        public PathView select(List<? extends PathView> paths) {
            Weights w = policy.weights();
            int total = 0;
            for (int i = 0; i < paths.size(); i++) {
                total += w.of(paths.get(i));
            }
            long slot = Math.floorMod(next.getAndIncrement(), (long) total);
            for (int i = 0; i < paths.size(); i++) {
                slot -= w.of(paths.get(i));
                if (slot < 0) {
                    return paths.get(i);
                }
            }
            return paths.get(paths.size() - 1);
        }
    }
}
