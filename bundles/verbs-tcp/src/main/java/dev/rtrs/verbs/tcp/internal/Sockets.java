package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.tcp.TcpProviderOptions;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/** The options every connection's socket gets, active or accepted. */
final class Sockets {

    private Sockets() {}

    static void configure(SocketChannel ch, TcpProviderOptions options) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (options.socketBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
            ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
        }
        keepAlive(ch, options);
    }

    /**
     * TCP keepalive closes an idle connection whose peer vanished, where no request waits and so no ACK timeout
     * runs. It does nothing for a connection with bytes in flight (the kernel probes only sockets with nothing
     * unacknowledged), and Java 17 has no TCP_USER_TIMEOUT: what bounds a stuck send is the queue pair's ACK
     * timeout. The timing options exist on Linux and macOS; where they do not, the kernel's defaults apply.
     */
    private static void keepAlive(SocketChannel ch, TcpProviderOptions options) throws IOException {
        if (options.keepAliveIdleSeconds() == 0) {
            return;
        }
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        Set<SocketOption<?>> supported = ch.supportedOptions();
        setIfSupported(ch, supported, ExtendedSocketOptions.TCP_KEEPIDLE, options.keepAliveIdleSeconds());
        setIfSupported(ch, supported, ExtendedSocketOptions.TCP_KEEPINTERVAL, options.keepAliveIntervalSeconds());
        setIfSupported(ch, supported, ExtendedSocketOptions.TCP_KEEPCOUNT, options.keepAliveCount());
    }

    private static void setIfSupported(
            SocketChannel ch, Set<SocketOption<?>> supported, SocketOption<Integer> option, int value)
            throws IOException {
        if (supported.contains(option)) {
            ch.setOption(option, value);
        }
    }
}
