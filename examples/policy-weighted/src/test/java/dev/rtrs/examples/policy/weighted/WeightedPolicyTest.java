package dev.rtrs.examples.policy.weighted;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrs.transport.MultipathPolicy.PathSelector;
import dev.rtrs.transport.MultipathPolicy.PathView;
import dev.rtrs.transport.PathStatistics;
import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedPolicyTest {

    record Path(int index, InetSocketAddress destination) implements PathView {
        @Override
        public int inflight() {
            return 0;
        }

        @Override
        public long latencyNanos() {
            return -1;
        }

        @Override
        public PathStatistics statistics() {
            return new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    private static WeightedPolicy.Config config(String... weights) {
        return new WeightedPolicy.Config() {
            @Override
            public String[] weights() {
                return weights;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return WeightedPolicy.Config.class;
            }
        };
    }

    private static int[] spread(PathSelector s, List<Path> paths, int ios) {
        int[] chosen = new int[paths.size()];
        for (int i = 0; i < ios; i++) {
            chosen[s.select(paths).index()]++;
        }
        return chosen;
    }

    private final List<Path> paths = List.of(
            new Path(0, new InetSocketAddress("10.0.0.1", 1234)), new Path(1, new InetSocketAddress("10.0.0.2", 1234)));

    @Test
    void eachPathCarriesItsWeightsShare() {
        WeightedPolicy p = new WeightedPolicy();
        p.configure(config("10.0.0.1=3"));
        int[] chosen = spread(p.newSelector(), paths, 400);
        assertEquals(300, chosen[0]);
        assertEquals(100, chosen[1]);
    }

    @Test
    void weightsByAddressAndPortAndInOneLine() {
        WeightedPolicy p = new WeightedPolicy();
        p.configure(config("10.0.0.1:1234=1,10.0.0.2=4"));
        int[] chosen = spread(p.newSelector(), paths, 500);
        assertEquals(100, chosen[0]);
        assertEquals(400, chosen[1]);
    }

    @Test
    void aNewConfigurationAppliesToRunningSelectors() {
        WeightedPolicy p = new WeightedPolicy();
        p.configure(config());
        PathSelector s = p.newSelector();
        int[] even = spread(s, paths, 100);
        assertEquals(50, even[0]);
        p.configure(config("10.0.0.2=9"));
        int[] skewed = spread(s, paths, 1000);
        assertEquals(100, skewed[0]);
        assertEquals(900, skewed[1]);
    }
}
