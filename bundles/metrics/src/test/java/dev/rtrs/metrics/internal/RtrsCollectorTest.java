package dev.rtrs.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RtrsCollectorTest {

    private static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void pathsOfBothSidesWithTheirCountersInTheTextFormat() throws Exception {
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                RtrsTransport transport = new RtrsTransport().addProvider(provider)) {
            ServerEndpoint server = transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                            .withPort(0)
                            .withQueueDepth(4)
                            .withChunkSize(64 * 1024),
                    r -> r.respond(0),
                    null);
            ClientSession s = transport.open(
                    ClientSessionOptions.builder("metered")
                            .paths(PathAddress.parse(
                                    "127.0.0.1", server.localAddresses().get(0).getPort()))
                            .build(),
                    null);
            for (int i = 0; i < 3; i++) {
                Permit p = s.acquirePermit();
                CompletableFuture<Integer> done = new CompletableFuture<>();
                s.submit(
                        p,
                        Direction.WRITE,
                        ByteBuffer.allocate(8),
                        new ByteBuffer[] {ByteBuffer.allocate(4096)},
                        done::complete);
                assertEquals(0, done.get(10, TimeUnit.SECONDS));
                s.releasePermit(p);
            }
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(new RtrsCollector(() -> transport, () -> null, () -> null));
            String text = scrape(registry);
            assertTrue(text.contains("# TYPE rtrs_path_writes_total counter"), text);
            assertTrue(
                    text.matches("(?s).*rtrs_path_writes_total\\{path=\"127\\.0\\.0\\.1@127\\.0\\.0\\.1\","
                            + "session=\"metered\",side=\"client\"} 3\\.0.*"),
                    text);
            assertTrue(text.matches("(?s).*rtrs_path_write_bytes_total\\{[^}]*side=\"server\"} 12288\\.0.*"), text);
            assertTrue(text.contains("rtrs_path_connected{"), text);
            assertTrue(!text.contains("rnbd_"), "no block layer, no block metrics");
            s.close();
        }
    }
}
