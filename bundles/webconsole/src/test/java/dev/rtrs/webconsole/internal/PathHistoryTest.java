package dev.rtrs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.PathStatistics;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathHistoryTest {

    private static final long SECOND = 1_000_000_000L;

    private static PathSample sample(String key, long reads, long readBytes, long writes, long writeBytes) {
        return new PathSample(
                key,
                "client",
                "demo",
                key + "@127.0.0.1",
                new PathStatistics(reads, readBytes, writes, writeBytes, 0, 0, 0, 0));
    }

    @Test
    void ratesAreCounterDeltasOverTheMonotonicTimeBetweenSamples() {
        PathHistory h = new PathHistory(10, 4);
        h.record(1000, 0, List.of(sample("a", 0, 0, 0, 0)));
        h.record(2000, SECOND, List.of(sample("a", 100, 409_600, 50, 204_800)));
        // the wall clock jumped by an hour; the monotonic clock says two seconds
        h.record(3_602_000, 3 * SECOND, List.of(sample("a", 300, 1_228_800, 50, 204_800)));

        PathHistory.Snapshot s = h.snapshot();
        assertArrayEquals(new long[] {1000, 2000, 3_602_000}, s.timesMillis());
        PathHistory.Series a = s.series().get(0);
        assertEquals("a", a.key());
        assertEquals("demo", a.session());
        assertEquals("a@127.0.0.1", a.path());
        assertArrayEquals(new double[] {Double.NaN, 100, 100}, a.readIops(), "no rate without a previous sample");
        assertArrayEquals(new double[] {Double.NaN, 50, 0}, a.writeIops());
        assertArrayEquals(new double[] {Double.NaN, 409_600, 409_600}, a.readBytesPerSecond());
        assertArrayEquals(new double[] {Double.NaN, 204_800, 0}, a.writeBytesPerSecond());
    }

    @Test
    void theRingKeepsTheLastCapacitySamplesOldestFirst() {
        PathHistory h = new PathHistory(3, 4);
        for (int i = 0; i < 5; i++) {
            h.record(1000L * i, SECOND * i, List.of(sample("a", 10L * i * i, 0, 0, 0)));
        }
        PathHistory.Snapshot s = h.snapshot();
        assertEquals(3, s.capacity());
        assertArrayEquals(new long[] {2000, 3000, 4000}, s.timesMillis());
        // reads 0, 10, 40, 90, 160: per-second deltas of the last three samples
        assertArrayEquals(new double[] {30, 50, 70}, s.series().get(0).readIops());
    }

    @Test
    void aPathThatIsGoneIsDroppedAndANewOneHasNoRatesBeforeItCame() {
        PathHistory h = new PathHistory(5, 4);
        h.record(1000, 0, List.of(sample("a", 0, 0, 0, 0)));
        h.record(2000, SECOND, List.of(sample("a", 5, 0, 0, 0), sample("b", 0, 0, 0, 0)));
        h.record(3000, 2 * SECOND, List.of(sample("b", 7, 0, 0, 0)));

        PathHistory.Snapshot s = h.snapshot();
        assertEquals(1, s.series().size(), "a is gone");
        PathHistory.Series b = s.series().get(0);
        assertEquals("b", b.key());
        assertArrayEquals(new double[] {Double.NaN, Double.NaN, 7}, b.readIops());
    }

    @Test
    void pathsBeyondMaxPathsAreCountedNotTrackedUntilATrackedOneGoes() {
        PathHistory h = new PathHistory(5, 2);
        h.record(1000, 0, List.of(sample("a", 0, 0, 0, 0), sample("b", 0, 0, 0, 0), sample("c", 0, 0, 0, 0)));
        PathHistory.Snapshot s = h.snapshot();
        assertEquals(
                List.of("a", "b"),
                s.series().stream().map(PathHistory.Series::key).toList());
        assertEquals(1, s.untrackedPaths());

        h.record(2000, SECOND, List.of(sample("b", 1, 0, 0, 0), sample("c", 2, 0, 0, 0)));
        s = h.snapshot();
        assertEquals(
                List.of("b", "c"),
                s.series().stream().map(PathHistory.Series::key).toList(),
                "a's place went to c at once");
        assertEquals(0, s.untrackedPaths());
    }

    @Test
    void aResetCounterCountsFromZeroInsteadOfGoingNegative() {
        PathHistory h = new PathHistory(5, 2);
        h.record(1000, 0, List.of(sample("a", 1000, 0, 0, 0)));
        h.record(2000, SECOND, List.of(sample("a", 30, 0, 0, 0)));
        assertEquals(30, h.snapshot().series().get(0).readIops()[1]);
    }

    @Test
    void aKeyTwiceInOneSampleIsRecordedOnce() {
        PathHistory h = new PathHistory(5, 2);
        h.record(1000, 0, List.of(sample("a", 0, 0, 0, 0), sample("a", 99, 0, 0, 0)));
        h.record(2000, SECOND, List.of(sample("a", 10, 0, 0, 0)));
        PathHistory.Snapshot s = h.snapshot();
        assertEquals(1, s.series().size());
        assertEquals(10, s.series().get(0).readIops()[1]);
    }

    @Test
    void clientPathsComeFirstWhicheverSideWasSeenFirst() {
        PathHistory h = new PathHistory(5, 4);
        PathStatistics zero = new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0);
        h.record(1000, 0, List.of(new PathSample("server/demo/2", "server", "demo", "x@127.0.0.2", zero)));
        h.record(
                2000,
                SECOND,
                List.of(
                        new PathSample("server/demo/2", "server", "demo", "x@127.0.0.2", zero),
                        new PathSample("client/demo/2", "client", "demo", "x@127.0.0.2", zero),
                        new PathSample("client/demo/1", "client", "demo", "x@127.0.0.1", zero)));
        assertEquals(
                List.of("client/demo/1", "client/demo/2", "server/demo/2"),
                h.snapshot().series().stream().map(PathHistory.Series::key).toList());
    }

    @Test
    void anEmptyHistoryHasNoTimesAndNoSeries() {
        PathHistory.Snapshot s = new PathHistory(5, 2).snapshot();
        assertEquals(0, s.timesMillis().length);
        assertTrue(s.series().isEmpty());
    }

    @Test
    void capacityAndMaxPathsMustAllowAChart() {
        assertThrows(IllegalArgumentException.class, () -> new PathHistory(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PathHistory(10, 0));
    }

    @Test
    void theSamplesOfATransportCoverClientAndServerPathsKeyedBySide() {
        Fakes.Demo demo = new Fakes.Demo();
        List<PathSample> samples = PathSample.of(ApplianceSnapshot.transport(demo.transport));
        assertEquals(4, samples.size());
        assertEquals(
                List.of("client", "client", "server", "server"),
                samples.stream().map(PathSample::side).toList());
        String uuid = demo.client.paths.get(0).uuid().toString();
        assertEquals("client/demo/" + uuid, samples.get(0).key());
        assertEquals("server/demo/" + uuid, samples.get(2).key());
        assertEquals(demo.client.paths.get(0).name(), samples.get(0).path());
    }
}
