package dev.rtrs.block.backend.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoErrorsTest {

    @Test
    void aFullDeviceIsEnospc() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "/dev/full is not there");
        try (FileChannel ch = FileChannel.open(full, StandardOpenOption.WRITE)) {
            IOException e = assertThrows(IOException.class, () -> ch.write(ByteBuffer.allocate(4096), 0));
            assertEquals(Errno.ENOSPC, IoErrors.errno(e), IoErrors.reason(e));
        }
    }

    @Test
    void aMissingFileIsEnoent(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> FileChannel.open(dir.resolve("nope")));
        assertEquals(Errno.ENOENT, IoErrors.errno(e));
    }

    @Test
    void theOsReasonsMapToTheirErrnos() {
        assertEquals(Errno.EACCES, IoErrors.errno(new AccessDeniedException("/x")));
        assertEquals(Errno.ENOENT, IoErrors.errno(new NoSuchFileException("/x")));
        assertEquals(Errno.EROFS, IoErrors.errno(new FileSystemException("/x", null, "Read-only file system")));
        assertEquals(Errno.EACCES, IoErrors.errno(new FileSystemException("/x", null, "Operation not permitted")));
        assertEquals(Errno.ENOSPC, IoErrors.errno(new IOException("Disk quota exceeded")));
        assertEquals(Errno.EFBIG, IoErrors.errno(new IOException("File too large")));
        assertEquals(Errno.EIO, IoErrors.errno(new IOException("Input/output error")));
        assertEquals(Errno.EIO, IoErrors.errno(new IOException()));
        assertEquals(Errno.EIO, IoErrors.errno(new ClosedChannelException()));
        assertEquals(Errno.EIO, IoErrors.errno(new AsynchronousCloseException()));
        assertEquals("No such file or directory", IoErrors.reason(new NoSuchFileException("/x")));
        assertEquals("Permission denied", IoErrors.reason(new AccessDeniedException("/x")));
        assertEquals(
                "Read-only file system", IoErrors.reason(new FileSystemException("/x", null, "Read-only file system")));
    }
}
