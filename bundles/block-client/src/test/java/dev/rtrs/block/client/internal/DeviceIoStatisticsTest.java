package dev.rtrs.block.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.errno.Errno;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeviceIoStatisticsTest {

    private static final int BUCKETS = DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.size();

    @Test
    void aLatencyGoesToTheFirstBucketWhoseBoundItDoesNotExceed() {
        assertEquals(0, DeviceIoStatistics.bucket(0));
        assertEquals(0, DeviceIoStatistics.bucket(50_000), "50 us is in the 50 us bucket");
        assertEquals(1, DeviceIoStatistics.bucket(50_001));
        assertEquals(4, DeviceIoStatistics.bucket(1_000_000), "1 ms");
        assertEquals(5, DeviceIoStatistics.bucket(1_000_001));
        assertEquals(BUCKETS - 1, DeviceIoStatistics.bucket(10_000_000_000L), "10 s, the last bound");
        assertEquals(BUCKETS, DeviceIoStatistics.bucket(10_000_000_001L), "slower than every bound");
        assertEquals(BUCKETS, DeviceIoStatistics.bucket(Long.MAX_VALUE));
    }

    @Test
    void operationsErrorsAndLatenciesAreCounted() {
        DeviceIoStatistics s = new DeviceIoStatistics();
        s.record(IoOperation.READ, 0, 40_000);
        s.record(IoOperation.READ, Errno.EIO, 2_000_000);
        s.record(IoOperation.WRITE, 0, 300_000);
        s.record(IoOperation.FLUSH, 0, 20_000_000_000L);
        s.record(IoOperation.DISCARD, Errno.EOPNOTSUPP, -5);

        DeviceStatistics d = s.snapshot();
        assertEquals(2, d.reads());
        assertEquals(1, d.writes());
        assertEquals(2, d.others());
        assertEquals(2, d.errors());
        assertEquals(40_000 + 2_000_000 + 300_000 + 20_000_000_000L, d.latencySumNanos(), "a negative one counts 0");
        assertEquals(BUCKETS + 1, d.latencyCounts().size());
        assertEquals(2, d.latencyCounts().get(0), "40 us and the clock's step back");
        assertEquals(1, d.latencyCounts().get(3), "300 us: at most 500 us");
        assertEquals(1, d.latencyCounts().get(5), "2 ms: at most 2.5 ms");
        assertEquals(1, d.latencyCounts().get(BUCKETS), "20 s: slower than every bound");
        assertEquals(5, d.latencyCounts().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void concurrentIosAreAllCounted() throws Exception {
        DeviceIoStatistics s = new DeviceIoStatistics();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    s.record(i % 2 == 0 ? IoOperation.READ : IoOperation.WRITE, 0, i * 1_000L);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        DeviceStatistics d = s.snapshot();
        assertEquals(20_000, d.reads());
        assertEquals(20_000, d.writes());
        assertEquals(
                40_000, d.latencyCounts().stream().mapToLong(Long::longValue).sum());
    }
}
