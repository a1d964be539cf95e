package dev.rtrs.transport.core.internal.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LongSummaryStatistics;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Sessions that lost one server at once do not all come back in the same millisecond. */
class ReconnectJitterTest {

    private static LongSummaryStatistics attempts(long delayMillis) {
        return LongStream.range(0, 2000)
                .map(i -> PathRecovery.nextAttemptMillis(delayMillis))
                .summaryStatistics();
    }

    @Test
    void attemptsSpreadOverHalfTheDelayAfterIt() {
        LongSummaryStatistics s = attempts(5000);
        assertTrue(s.getMin() >= 5000, "never before the delay: " + s);
        assertTrue(s.getMax() <= 7500, "at most half the delay later: " + s);
        assertTrue(s.getMin() < 5250 && s.getMax() > 7250, "spread over the whole jitter window: " + s);
        long distinct = LongStream.range(0, 2000)
                .map(i -> PathRecovery.nextAttemptMillis(5000))
                .distinct()
                .count();
        assertTrue(distinct > 500, "2000 sessions pick " + distinct + " different moments");
    }

    @Test
    void aShortDelayStillGetsAtLeastOneHundredMillisecondsOfJitter() {
        LongSummaryStatistics s = attempts(0);
        assertTrue(s.getMin() >= 0 && s.getMax() <= 100, s.toString());
        assertTrue(s.getMax() > 75, "a zero delay is spread too: " + s);
    }
}
