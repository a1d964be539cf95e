package dev.rtrs.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.protocol.AccessMode;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RnbdMetricsTest {

    private static String scrape(RnbdClientAdmin client, RnbdServerAdmin server) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new RtrsCollector(() -> null, () -> client, () -> server));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertLine(String text, String line) {
        assertTrue(text.lines().anyMatch(line::equals), line + " in\n" + text);
    }

    @Test
    void aMappedDeviceHasItsIoCountsErrorsAndALatencyHistogram() throws Exception {
        List<Long> counts = new ArrayList<>(Collections.nCopies(18, 0L));
        counts.set(0, 2L); // <= 50 us
        counts.set(4, 3L); // <= 1 ms
        counts.set(17, 1L); // > 10 s
        DeviceStatistics stats = new DeviceStatistics(4, 1, 1, 2, counts, 12_500_000_000L);
        String text = scrape(new Client(Map.of("demo", stats)), null);

        assertLine(text, "# TYPE rnbd_device_io_latency_seconds histogram");
        assertLine(text, "rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"s1\",le=\"5.0E-5\"} 2");
        assertLine(text, "rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"s1\",le=\"5.0E-4\"} 2");
        assertLine(text, "rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"s1\",le=\"0.001\"} 5");
        assertLine(text, "rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"s1\",le=\"10.0\"} 5");
        assertLine(text, "rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"s1\",le=\"+Inf\"} 6");
        assertLine(text, "rnbd_device_io_latency_seconds_count{device=\"demo\",session=\"s1\"} 6");
        assertLine(text, "rnbd_device_io_latency_seconds_sum{device=\"demo\",session=\"s1\"} 12.5");
        assertLine(text, "rnbd_device_ios_total{device=\"demo\",op=\"read\",session=\"s1\"} 4.0");
        assertLine(text, "rnbd_device_ios_total{device=\"demo\",op=\"write\",session=\"s1\"} 1.0");
        assertLine(text, "rnbd_device_ios_total{device=\"demo\",op=\"other\",session=\"s1\"} 1.0");
        assertLine(text, "rnbd_device_io_errors_total{device=\"demo\",session=\"s1\"} 2.0");
        assertLine(text, "rnbd_device_mapped{device=\"demo\",session=\"s1\"} 1.0");
    }

    @Test
    void aDeviceWithoutStatisticsYetHasOnlyItsGauges() throws Exception {
        String text = scrape(new Client(Map.of()), null);
        assertLine(text, "rnbd_device_mapped{device=\"demo\",session=\"s1\"} 1.0");
        assertFalse(text.contains("rnbd_device_io_latency_seconds_bucket"), text);
        assertFalse(text.contains("rnbd_device_ios_total{"), text);
    }

    @Test
    void exportsHaveTheirOpensRefusalsAndIoErrors() throws Exception {
        String text = scrape(
                null, new Server(Map.of("demo", new ExportStatistics(3, 1, 0), "gone", new ExportStatistics(1, 0, 7))));
        assertLine(text, "rnbd_export_opens_total{export=\"demo\"} 3.0");
        assertLine(text, "rnbd_export_refused_opens_total{export=\"demo\"} 1.0");
        assertLine(text, "rnbd_export_io_errors_total{export=\"demo\"} 0.0");
        assertLine(text, "rnbd_export_io_errors_total{export=\"gone\"} 7.0");
        assertLine(text, "rnbd_export_open_sessions{backend=\"memory\",export=\"demo\"} 1.0");
        assertFalse(text.contains("rnbd_device_"), "no RNBD client, no device metrics");
    }

    @Test
    void aServerThatCountsNothingYetHasNoExportCounters() throws Exception {
        String text = scrape(null, new Server(Map.of()));
        assertLine(text, "rnbd_export_available{backend=\"memory\",export=\"demo\"} 1.0");
        assertFalse(text.contains("rnbd_export_opens_total{"), text);
    }

    private static final class Client implements RnbdClientAdmin {

        private final Map<String, DeviceStatistics> statistics;

        Client(Map<String, DeviceStatistics> statistics) {
            this.statistics = statistics;
        }

        @Override
        public List<MappedDeviceInfo> devices() {
            return List.of(new MappedDeviceInfo("demo", "s1", "vol", AccessMode.RW, 4096, MappedDeviceState.MAPPED));
        }

        @Override
        public Map<String, DeviceStatistics> deviceStatistics() {
            return statistics;
        }

        @Override
        public MappedDeviceInfo map(MapRequest request, long timeoutMs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unmap(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> setPolicy(String session, String policy) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class Server implements RnbdServerAdmin {

        private final Map<String, ExportStatistics> statistics;

        Server(Map<String, ExportStatistics> statistics) {
            this.statistics = statistics;
        }

        @Override
        public List<ExportInfo> exports() {
            return List.of(new ExportInfo("demo", "memory", Map.of(), false, true, 1, true, 256L << 20, List.of()));
        }

        @Override
        public Map<String, ExportStatistics> exportStatistics() {
            return statistics;
        }

        @Override
        public List<OpenDeviceInfo> openDevices() {
            return List.of();
        }

        @Override
        public String devSearchPath() {
            return "/srv";
        }

        @Override
        public ExportInfo addExport(ExportRequest request, long timeoutMs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeExport(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean closeSession(String sessionName) {
            throw new UnsupportedOperationException();
        }
    }
}
