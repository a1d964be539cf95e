package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The appliance's Prometheus endpoint: the demo's paths, device (with its IO latency histogram) and export in the text
 * format.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT extends ApplianceTestSupport {

    private static String fetch(String url) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r =
                http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(url + "\n" + r.body(), 200, r.statusCode());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return r.body();
    }

    @Test
    public void theDemoIsOnTheMetricsEndpoint() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        CompletableFuture<Integer> w = new CompletableFuture<>();
        demo.write(0, ByteBuffer.allocate(8192), 0, w::complete);
        assertEquals(0, (int) w.get(30, TimeUnit.SECONDS));
        String url = "http://127.0.0.1:" + System.getProperty("it.httpPort") + "/metrics";
        String[] last = {""};
        Pattern clientWrites = Pattern.compile("(?m)^rtrs_path_writes_total\\{path=\"[0-9.]+@127\\.0\\.0\\.[12]\","
                + "session=\"demo\",side=\"client\"} [1-9]");
        Pattern roundTrip = Pattern.compile("(?m)^rtrs_path_round_trip_seconds\\{.*side=\"client\"} [0-9.E-]+$");
        // the heartbeat measures a path's round-trip time within a few intervals of its connecting
        String text = Await.value(
                () -> {
                    try {
                        last[0] = fetch(url);
                        return clientWrites.matcher(last[0]).find()
                                        && roundTrip.matcher(last[0]).find()
                                ? last[0]
                                : null;
                    } catch (AssertionError | IOException notYet) {
                        last[0] = String.valueOf(notYet.getMessage());
                        return null;
                    }
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "no client writes and round-trip times in the metrics:\n" + last[0]);
        assertTrue(text, clientWrites.matcher(text).find());
        assertTrue(text, text.contains("side=\"server\""));
        assertTrue(
                text,
                Pattern.compile("rnbd_device_size_bytes\\{device=\"demo\",session=\"demo\"} "
                                + "(2\\.68435456E8|268435456(\\.0)?)\\s")
                        .matcher(text)
                        .find());
        assertTrue(text, text.contains("rnbd_export_open_sessions{backend=\"memory\",export=\"demo\"} 1.0"));
        assertTrue(text, roundTrip.matcher(text).find());
        // the write above, and every IO of the demo before it, in the device's latency histogram and counters
        Matcher count = Pattern.compile(
                        "(?m)^rnbd_device_io_latency_seconds_count\\{device=\"demo\",session=\"demo\"} ([0-9]+)$")
                .matcher(text);
        assertTrue(text, count.find());
        long ios = Long.parseLong(count.group(1));
        assertTrue(text, ios >= 1);
        assertTrue(
                text,
                text.contains("rnbd_device_io_latency_seconds_bucket{device=\"demo\",session=\"demo\",le=\"+Inf\"} "
                        + ios + "\n"));
        assertTrue(text, text.contains("# TYPE rnbd_device_io_latency_seconds histogram"));
        assertTrue(
                text,
                Pattern.compile("(?m)^rnbd_device_ios_total\\{device=\"demo\",op=\"write\",session=\"demo\"} "
                                + "[1-9][0-9.E]*$")
                        .matcher(text)
                        .find());
        assertTrue(text, text.contains("rnbd_device_io_errors_total{device=\"demo\",session=\"demo\"} 0.0"));
    }
}
