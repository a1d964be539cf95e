package dev.rtrs.transport.core.it;

import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;

/**
 * Delay injected into one loopback address: the provider's fault hook holds its traffic for {@code pauseMs} out of
 * every {@code periodMs}, so that what crosses it (IO and heartbeats) takes longer on average, as over a slow or
 * congested link. Nothing is lost: held frames go out when the pause ends.
 */
final class SlowLink implements AutoCloseable {

    private final TcpVerbsProvider provider;
    private final InetAddress address;
    private final Thread toggler;
    private volatile boolean stop;

    SlowLink(TcpVerbsProvider provider, InetAddress address, long pauseMs, long periodMs) {
        this.provider = provider;
        this.address = address;
        this.toggler = new Thread(
                () -> {
                    try {
                        while (!stop) {
                            provider.silence(address);
                            Thread.sleep(pauseMs);
                            provider.restore(address);
                            Thread.sleep(periodMs - pauseMs);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        provider.restore(address);
                    }
                },
                "slow-link-" + address.getHostAddress());
        toggler.setDaemon(true);
        toggler.start();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        toggler.join(5_000);
        provider.restore(address);
    }
}
