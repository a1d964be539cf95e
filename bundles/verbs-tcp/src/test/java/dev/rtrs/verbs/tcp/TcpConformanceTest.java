package dev.rtrs.verbs.tcp;

import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.conformance.AckTimeoutConformanceTest;
import dev.rtrs.verbs.conformance.ConnectionManagerConformanceTest;
import dev.rtrs.verbs.conformance.DataTransferConformanceTest;
import dev.rtrs.verbs.conformance.FailureConformanceTest;
import dev.rtrs.verbs.conformance.QueueLimitsConformanceTest;
import dev.rtrs.verbs.conformance.RemoteAccessConformanceTest;
import dev.rtrs.verbs.tcp.internal.TcpCmId;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Nested;

/** The verbs conformance suite against the tcp provider on loopback. */
class TcpConformanceTest {

    static final int RNR_TIMEOUT_MS = 800;

    static TcpVerbsProvider newProvider() {
        return new TcpVerbsProvider(TcpProviderOptions.builder()
                .ioThreads(2)
                .eventThreads(2)
                .rnrTimeoutMs(RNR_TIMEOUT_MS)
                .build());
    }

    @Nested
    class ConnectionManager extends ConnectionManagerConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }
    }

    @Nested
    class DataTransfer extends DataTransferConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }

        @Override
        protected Duration rnrTimeout() {
            return Duration.ofMillis(RNR_TIMEOUT_MS);
        }
    }

    @Nested
    class RemoteAccess extends RemoteAccessConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }
    }

    @Nested
    class QueueLimits extends QueueLimitsConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }

        @Override
        protected Duration rnrTimeout() {
            return Duration.ofMillis(RNR_TIMEOUT_MS);
        }
    }

    @Nested
    class Failures extends FailureConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }

        @Override
        protected Duration rnrTimeout() {
            return Duration.ofMillis(RNR_TIMEOUT_MS);
        }

        @Override
        protected void abortConnection(CmId id) {
            ((TcpCmId) id).abortConnection();
        }
    }

    @Nested
    class AckTimeouts extends AckTimeoutConformanceTest {
        @Override
        protected VerbsProvider createProvider() {
            return newProvider();
        }

        @Override
        protected void silenceLink(InetAddress address) {
            ((TcpVerbsProvider) provider).silence(address);
        }

        @Override
        protected void restoreLink(InetAddress address) {
            ((TcpVerbsProvider) provider).restore(address);
        }
    }
}
