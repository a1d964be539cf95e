package dev.rtrs.metrics.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads the transport's and the block layer's statistics at scrape time and turns them into Prometheus metrics:
 * per path (label {@code side} client or server, {@code session}, {@code path} as {@code src@dst}) its reads,
 * writes, bytes, IOs in flight, fail-overs, reconnects and round-trip time; the block layer's through
 * {@link RnbdMetrics}. A part whose service is missing (no RNBD server in this appliance, say) contributes nothing.
 */
final class RtrsCollector implements MultiCollector {

    private final Supplier<RtrsAdmin> transport;
    private final Supplier<RnbdClientAdmin> client;
    private final Supplier<RnbdServerAdmin> server;

    RtrsCollector(Supplier<RtrsAdmin> transport, Supplier<RnbdClientAdmin> client, Supplier<RnbdServerAdmin> server) {
        this.transport = transport;
        this.client = client;
        this.server = server;
    }

    /** One path with where it belongs. */
    private record SidePath(String side, String session, PathInfo path) {
        Labels labels() {
            return Labels.of("side", side, "session", session, "path", path.name());
        }
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        RtrsAdmin t = transport.get();
        if (t != null) {
            List<SidePath> paths = paths(t);
            all.metricSnapshot(counter("rtrs_path_reads", "READ IOs completed on the path", paths, s -> s.readCount()));
            all.metricSnapshot(
                    counter("rtrs_path_writes", "WRITE IOs completed on the path", paths, s -> s.writeCount()));
            all.metricSnapshot(counter("rtrs_path_read_bytes", "bytes read over the path", paths, s -> s.readBytes()));
            all.metricSnapshot(
                    counter("rtrs_path_write_bytes", "bytes written over the path", paths, s -> s.writeBytes()));
            all.metricSnapshot(counter(
                    "rtrs_path_failovers",
                    "IOs moved from the path to another after it failed",
                    paths,
                    s -> s.failedOver()));
            all.metricSnapshot(counter(
                    "rtrs_path_reconnects",
                    "reconnects that brought the path back",
                    paths,
                    s -> s.reconnectsSuccessful()));
            all.metricSnapshot(counter(
                    "rtrs_path_reconnect_failures",
                    "reconnect attempts of the path that failed",
                    paths,
                    s -> s.reconnectsFailed()));
            GaugeSnapshot.Builder inflight =
                    GaugeSnapshot.builder().name("rtrs_path_inflight").help("IOs in flight on the path");
            GaugeSnapshot.Builder connected =
                    GaugeSnapshot.builder().name("rtrs_path_connected").help("1 while the path is connected");
            GaugeSnapshot.Builder rtt = GaugeSnapshot.builder()
                    .name("rtrs_path_round_trip_seconds")
                    .help("smoothed heartbeat round-trip time of the path")
                    .unit(Unit.SECONDS);
            for (SidePath p : paths) {
                inflight.dataPoint(gauge(p.labels(), p.path().statistics().inflight()));
                connected.dataPoint(gauge(p.labels(), p.path().state() == PathState.CONNECTED ? 1 : 0));
                if (p.path().roundTripNanos() >= 0) {
                    rtt.dataPoint(gauge(p.labels(), p.path().roundTripNanos() / 1e9));
                }
            }
            all.metricSnapshot(inflight.build())
                    .metricSnapshot(connected.build())
                    .metricSnapshot(rtt.build());
        }
        RnbdClientAdmin c = client.get();
        if (c != null) {
            RnbdMetrics.client(c, all);
        }
        RnbdServerAdmin s = server.get();
        if (s != null) {
            RnbdMetrics.server(s, all);
        }
        return all.build();
    }

    private static List<SidePath> paths(RtrsAdmin t) {
        List<SidePath> paths = new ArrayList<>();
        for (ClientSession s : t.clientSessions()) {
            for (PathInfo p : s.paths()) {
                paths.add(new SidePath("client", s.name(), p));
            }
        }
        for (ServerEndpoint e : t.servers()) {
            for (ServerSession s : e.sessions()) {
                for (PathInfo p : s.paths()) {
                    paths.add(new SidePath("server", s.name(), p));
                }
            }
        }
        return paths;
    }

    /** A statistic of a path as a counter. */
    private interface Statistic {
        long of(PathStatistics s);
    }

    private static CounterSnapshot counter(String name, String help, List<SidePath> paths, Statistic statistic) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (SidePath p : paths) {
            b.dataPoint(CounterDataPointSnapshot.builder()
                    .labels(p.labels())
                    .value(statistic.of(p.path().statistics()))
                    .build());
        }
        return b.build();
    }

    private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
