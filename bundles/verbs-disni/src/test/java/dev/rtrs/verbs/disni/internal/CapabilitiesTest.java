package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.disni.DisniOptions;

/** A DiSNI device reports the configured limits and none of the verbs DiSNI 2.1 cannot express. */
class CapabilitiesTest {

    @Test
    void noOptionalVerbAndTheConfiguredLimits() {
        DeviceCapabilities caps = DisniDevice.capabilitiesOf(new DisniOptions(5, 10, 1024, 3, 8192, 1 << 20, 7, 7));
        for (Capability c : Capability.values()) {
            assertFalse(caps.supports(c), c.name());
        }
        assertTrue(caps.optional().isEmpty());
        assertEquals(1024, caps.maxQueuePairWorkRequests());
        assertEquals(3, caps.maxScatterGatherEntries());
        assertEquals(8192, caps.maxCompletionQueueEntries());
        assertEquals(1 << 20, caps.maxMemoryRegionSize());
        assertEquals(56, caps.maxPrivateData(), "connect carries private data");
    }

    @Test
    void theComponentConfigurationBecomesTheOptions() {
        DisniVerbsProviderConfig config = new DisniVerbsProviderConfig() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return DisniVerbsProviderConfig.class;
            }

            @Override
            public int cmEventIntervalMs() {
                return 2;
            }

            @Override
            public int completionWaitMs() {
                return 20;
            }

            @Override
            public int maxQueuePairWorkRequests() {
                return 512;
            }

            @Override
            public int maxScatterGatherEntries() {
                return 2;
            }

            @Override
            public int maxCompletionQueueEntries() {
                return 1024;
            }

            @Override
            public long maxMemoryRegionSize() {
                return 4096;
            }

            @Override
            public int retryCount() {
                return 6;
            }

            @Override
            public int rnrRetryCount() {
                return 5;
            }
        };
        assertEquals(new DisniOptions(2, 20, 512, 2, 1024, 4096, 6, 5), DisniVerbsProviderComponent.options(config));
    }
}
