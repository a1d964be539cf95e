package dev.rtrs.bench.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The loopback TCP ceiling: one plain socket stream on 127.0.0.1, 1 MiB writes from a direct buffer, read into a
 * 1 MiB direct buffer by a second thread. What one TCP connection of this machine carries at best, the bound of the
 * 1 MiB workloads over one NBD connection.
 */
final class LoopbackCeiling {

    private static final int MIB = 1 << 20;
    private static final long WARM_UP_NS = 500_000_000L;

    private LoopbackCeiling() {}

    /** Streams for {@code seconds} (after a 0.5 s warm-up that is not counted); returns MiB per second. */
    static double measure(double seconds) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            CompletableFuture<long[]> received = CompletableFuture.supplyAsync(() -> drain(listener));
            try (SocketChannel out = SocketChannel.open(listener.getLocalAddress())) {
                out.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer data = ByteBuffer.allocateDirect(MIB);
                // the reader leaves the first 0.5 s out of its count
                long end = System.nanoTime() + WARM_UP_NS + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    writeFully(out, data);
                }
            }
            long[] r = received.get((long) seconds + 30, TimeUnit.SECONDS);
            return r[0] / (double) MIB / (r[1] / 1e9);
        }
    }

    /** Reads until the writer closes; returns the bytes and nanoseconds after the first 0.5 s. */
    private static long[] drain(ServerSocketChannel listener) {
        try (SocketChannel in = listener.accept()) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(MIB);
            long start = System.nanoTime();
            long countFrom = start + WARM_UP_NS;
            long bytes = 0;
            while (true) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                long now = System.nanoTime();
                if (now >= countFrom) {
                    bytes += n;
                } else {
                    start = now;
                }
            }
            return new long[] {bytes, System.nanoTime() - start};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFully(SocketChannel out, ByteBuffer data) throws IOException {
        data.clear();
        while (data.hasRemaining()) {
            out.write(data);
        }
    }
}
