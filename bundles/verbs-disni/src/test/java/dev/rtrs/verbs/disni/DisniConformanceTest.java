package dev.rtrs.verbs.disni;

import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.conformance.AckTimeoutConformanceTest;
import dev.rtrs.verbs.conformance.ConnectionManagerConformanceTest;
import dev.rtrs.verbs.conformance.DataTransferConformanceTest;
import dev.rtrs.verbs.conformance.FailureConformanceTest;
import dev.rtrs.verbs.conformance.QueueLimitsConformanceTest;
import dev.rtrs.verbs.conformance.RemoteAccessConformanceTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The verbs conformance suite against DiSNI, on a machine with an RDMA device, only when asked:
 * {@code -Drtrs.verbs.disni.conformance=true -Drtrs.verbs.disni.address=<IPv4 address of the RDMA interface>}.
 * Tests of verbs DiSNI lacks (LOCAL_INV, SEND_WITH_INV, REG_MR, reject with private data, ACK_TIMEOUT) skip
 * themselves.
 */
@EnabledIfSystemProperty(named = "rtrs.verbs.disni.conformance", matches = "true")
class DisniConformanceTest {

    static VerbsProvider newProvider() throws Exception {
        return new DisniVerbsProvider(DisniOptions.defaults());
    }

    static InetAddress rdmaAddress() throws UnknownHostException {
        String a = System.getProperty("rtrs.verbs.disni.address");
        if (a == null) {
            throw new IllegalStateException("set -Drtrs.verbs.disni.address to the IPv4 address of the RDMA interface");
        }
        return InetAddress.getByName(a);
    }

    @Nested
    class ConnectionManager extends ConnectionManagerConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }

    @Nested
    class DataTransfer extends DataTransferConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }

    @Nested
    class RemoteAccess extends RemoteAccessConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }

    @Nested
    class QueueLimits extends QueueLimitsConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }

    @Nested
    class Failures extends FailureConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }

    /** Skips itself: DiSNI 2.1 cannot set a queue pair's ACK timeout (no ACK_TIMEOUT capability). */
    @Nested
    class AckTimeouts extends AckTimeoutConformanceTest {
        @Override
        protected VerbsProvider createProvider() throws Exception {
            return newProvider();
        }

        @Override
        protected InetAddress address() throws UnknownHostException {
            return rdmaAddress();
        }
    }
}
