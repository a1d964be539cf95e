package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.VerbsException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ErrnosTest {

    @Test
    void strerrorTextsOfNativeFailuresGiveTheirErrno() {
        assertEquals(
                Errno.EADDRINUSE,
                Errnos.of(new IOException("j2c::bind: rdma_bind_addr failed: Address already in use\n"), 0));
        assertEquals(
                Errno.ENOMEM,
                Errnos.of(new IOException("j2c::post_send: ibv_post_send failed: Cannot allocate memory\n"), 0));
        assertEquals(Errno.ENODEV, Errnos.of(new IOException("rdma_create_event_channel failed: No such device"), 0));
        assertEquals(
                Errno.ENXIO, Errnos.of(new IOException("x: No such device or address"), 0), "the longest text wins");
        assertEquals(Errno.EBADF, Errnos.of(new IOException("Trying to post send on closed QP"), 0));
        assertEquals(Errno.EIO, Errnos.of(new IOException("Polling CQ failed"), Errno.EIO));
        assertEquals(Errno.EIO, Errnos.of(new IOException((String) null), Errno.EIO));
    }

    @Test
    void wrappingKeepsCauseAndContext() {
        IOException cause = new IOException("rdma_connect failed: Connection refused");
        VerbsException e = Errnos.wrap("connect", cause, Errno.EIO);
        assertEquals(Errno.ECONNREFUSED, e.errno());
        assertEquals("ECONNREFUSED: connect: rdma_connect failed: Connection refused", e.getMessage());
        assertSame(cause, e.getCause());
    }
}
