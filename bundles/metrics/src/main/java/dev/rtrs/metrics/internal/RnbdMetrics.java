package dev.rtrs.metrics.internal;

import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import dev.rtrs.block.RnbdServerAdmin;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;

/**
 * The block layer's metrics: per mapped device its size, state, IO counts by operation, errors and a latency
 * histogram with the buckets of {@link DeviceStatistics}; per export the sessions that have it open, its storage's
 * availability, and its opens, refused opens and IO errors.
 */
final class RnbdMetrics {

    /** The histogram's upper bounds: the block client's buckets and +Inf for the slower IOs. */
    private static final double[] UPPER_BOUNDS = upperBounds();

    private RnbdMetrics() {}

    private static double[] upperBounds() {
        double[] bounds = new double[DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.size() + 1];
        for (int i = 0; i < bounds.length - 1; i++) {
            bounds[i] = DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.get(i);
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return bounds;
    }

    static void client(RnbdClientAdmin c, MetricSnapshots.Builder all) {
        GaugeSnapshot.Builder size = GaugeSnapshot.builder()
                .name("rnbd_device_size_bytes")
                .help("size of the mapped device (absent while it is being mapped)")
                .unit(Unit.BYTES);
        GaugeSnapshot.Builder mapped = GaugeSnapshot.builder()
                .name("rnbd_device_mapped")
                .help("1 while the device is mapped and its session connected");
        CounterSnapshot.Builder ios = CounterSnapshot.builder()
                .name("rnbd_device_ios")
                .help("RNBD IOs of the mapped device completed, by operation (read, write, other: flush and discard)");
        CounterSnapshot.Builder errors = CounterSnapshot.builder()
                .name("rnbd_device_io_errors")
                .help("RNBD IOs of the mapped device completed with an error");
        HistogramSnapshot.Builder latency = HistogramSnapshot.builder()
                .name("rnbd_device_io_latency_seconds")
                .help("time from an RNBD IO's submission to its completion, retries after a lost link included")
                .unit(Unit.SECONDS);
        Map<String, DeviceStatistics> statistics = c.deviceStatistics();
        for (MappedDeviceInfo d : c.devices()) {
            Labels labels = Labels.of("device", d.name(), "session", String.valueOf(d.session()));
            if (d.size() >= 0) {
                size.dataPoint(gauge(labels, d.size()));
            }
            mapped.dataPoint(gauge(labels, d.state() == RnbdClientAdmin.MappedDeviceState.MAPPED ? 1 : 0));
            DeviceStatistics s = statistics.get(d.name());
            if (s != null) {
                ios.dataPoint(counter(labels.add("op", "read"), s.reads()));
                ios.dataPoint(counter(labels.add("op", "write"), s.writes()));
                ios.dataPoint(counter(labels.add("op", "other"), s.others()));
                errors.dataPoint(counter(labels, s.errors()));
                latency.dataPoint(histogram(labels, s));
            }
        }
        all.metricSnapshot(size.build())
                .metricSnapshot(mapped.build())
                .metricSnapshot(ios.build())
                .metricSnapshot(errors.build())
                .metricSnapshot(latency.build());
    }

    static void server(RnbdServerAdmin s, MetricSnapshots.Builder all) {
        GaugeSnapshot.Builder open = GaugeSnapshot.builder()
                .name("rnbd_export_open_sessions")
                .help("client sessions that have the export open");
        GaugeSnapshot.Builder available = GaugeSnapshot.builder()
                .name("rnbd_export_available")
                .help("1 while the export's backend is present and its storage open");
        for (RnbdServerAdmin.ExportInfo e : s.exports()) {
            Labels labels = Labels.of("export", e.name(), "backend", e.backend());
            open.dataPoint(gauge(labels, e.openCount()));
            available.dataPoint(gauge(labels, e.available() ? 1 : 0));
        }
        CounterSnapshot.Builder opens = CounterSnapshot.builder()
                .name("rnbd_export_opens")
                .help("OPENs of the export by client sessions that succeeded");
        CounterSnapshot.Builder refused = CounterSnapshot.builder()
                .name("rnbd_export_refused_opens")
                .help("OPENs of the export refused (access control, read-only, a second writer, no backend)");
        CounterSnapshot.Builder ioErrors = CounterSnapshot.builder()
                .name("rnbd_export_io_errors")
                .help("IOs on the export that its storage answered with an error");
        for (Map.Entry<String, ExportStatistics> e : s.exportStatistics().entrySet()) {
            Labels labels = Labels.of("export", e.getKey());
            opens.dataPoint(counter(labels, e.getValue().opens()));
            refused.dataPoint(counter(labels, e.getValue().refusedOpens()));
            ioErrors.dataPoint(counter(labels, e.getValue().ioErrors()));
        }
        all.metricSnapshot(open.build())
                .metricSnapshot(available.build())
                .metricSnapshot(opens.build())
                .metricSnapshot(refused.build())
                .metricSnapshot(ioErrors.build());
    }

    private static HistogramDataPointSnapshot histogram(Labels labels, DeviceStatistics s) {
        long[] counts = new long[UPPER_BOUNDS.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = s.latencyCounts().get(i);
        }
        return HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, counts))
                .sum(s.latencySumNanos() / 1e9)
                .build();
    }

    private static CounterDataPointSnapshot counter(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
