package dev.rtrs.block.backend.file.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.backend.AbstractBlockDevice;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export stored in a regular file or a block device. Every operation runs on the backend's IO threads with
 * positional FileChannel calls, so the caller never waits, and completes there. Data goes through the page cache
 * (a volatile write cache): {@code force} makes it durable, after a FUA write and on flush. Discard writes zeroes,
 * as write-zeroes does: Java can neither punch a hole in a file nor issue BLKDISCARD. For the same reason (no
 * SEEK_HOLE) block status reports allocated data everywhere, the base class's answer.
 *
 * <p>The IO threads are never interrupted while a device is open: an interrupt in a channel operation would
 * close the channel for every operation of the export.
 */
final class FileDevice extends AbstractBlockDevice {

    private static final Logger LOG = LoggerFactory.getLogger(FileDevice.class);
    /** Source of discard and write-zeroes; each write uses its own duplicate. */
    private static final ByteBuffer ZEROES =
            ByteBuffer.allocateDirect(256 * 1024).asReadOnlyBuffer();

    private final FileStorage storage;
    private final FileChannel channel;
    private final Executor executor;
    private final Consumer<FileDevice> onClose;

    FileDevice(String name, FileStorage storage, boolean readOnly, Executor executor, Consumer<FileDevice> onClose) {
        super(name, storage.size(), storage.logicalBlockSize(), storage.physicalBlockSize(), readOnly);
        this.storage = storage;
        this.channel = storage.channel();
        this.executor = executor;
        this.onClose = onClose;
    }

    @Override
    public boolean hasWriteCache() {
        return true;
    }

    @Override
    public boolean supportsFua() {
        return true;
    }

    @Override
    public boolean supportsDiscard() {
        return true;
    }

    @Override
    public boolean supportsWriteZeroes() {
        return true;
    }

    @Override
    protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
        ByteBuffer buffer = dst.duplicate(); // the caller's position and limit stay as they are
        submit(done, "read", offset, () -> readFully(buffer, offset));
    }

    @Override
    protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
        ByteBuffer buffer = src.duplicate();
        submit(done, fua ? "FUA write" : "write", offset, () -> {
            writeFully(buffer, offset);
            if (fua) {
                // fdatasync: the data and what is needed to read it back (the size), not the times
                channel.force(false);
            }
        });
    }

    @Override
    protected void doFlush(BlockCompletion done) {
        submit(done, "flush", 0, () -> channel.force(false));
    }

    @Override
    protected void doDiscard(long offset, long length, BlockCompletion done) {
        submit(done, "discard", offset, () -> zeroFill(offset, length));
    }

    @Override
    protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
        submit(done, "write zeroes", offset, () -> zeroFill(offset, length));
    }

    /** Closing the channel makes operations in progress on it fail at once (AsynchronousCloseException). */
    @Override
    protected void doClose() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("export '{}': closing {}: {}", name(), storage.path(), IoErrors.reason(e));
        }
        onClose.accept(this);
        LOG.info("export '{}': closed {}", name(), storage.path());
    }

    FileStorage storage() {
        return storage;
    }

    private void submit(BlockCompletion done, String operation, long offset, IoAction action) {
        try {
            executor.execute(new IoTask(done, operation, offset, action));
        } catch (RejectedExecutionException e) {
            done.complete(Errno.EIO); // the backend is stopping
        }
    }

    private void readFully(ByteBuffer buffer, long offset) throws IOException {
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                // the file was truncated behind the export's back: read the rest as zeroes, as a loop device does
                while (buffer.hasRemaining()) {
                    buffer.put(ZEROES.duplicate().limit(Math.min(ZEROES.capacity(), buffer.remaining())));
                }
                return;
            }
            position += n;
        }
    }

    private void writeFully(ByteBuffer buffer, long offset) throws IOException {
        long position = offset;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    private void zeroFill(long offset, long length) throws IOException {
        long position = offset;
        long end = offset + length;
        while (position < end) {
            ByteBuffer zeroes = ZEROES.duplicate().limit((int) Math.min(ZEROES.capacity(), end - position));
            while (zeroes.hasRemaining()) {
                position += channel.write(zeroes, position);
            }
        }
    }

    /** The errno for a failed operation, logged with the OS's reason. */
    private int failed(String operation, long offset, IOException e) {
        if (isClosed()) {
            LOG.debug("export '{}': {} at offset {} ended by the close: {}", name(), operation, offset, e.toString());
            return Errno.EIO;
        }
        int errno = IoErrors.errno(e);
        LOG.warn(
                "export '{}': {} at offset {} of {} failed: {} ({})",
                name(),
                operation,
                offset,
                storage.path(),
                IoErrors.reason(e),
                Errno.name(errno));
        return errno;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    /** One operation on an IO thread; completed exactly once, by {@link #run} or, if it never runs, by {@link #complete}. */
    final class IoTask implements Runnable {

        private final BlockCompletion done;
        private final String operation;
        private final long offset;
        private final IoAction action;

        private IoTask(BlockCompletion done, String operation, long offset, IoAction action) {
            this.done = done;
            this.operation = operation;
            this.offset = offset;
            this.action = action;
        }

        @Override
        public void run() {
            int errno;
            if (isClosed()) {
                errno = Errno.EIO;
            } else {
                try {
                    action.run();
                    errno = 0;
                } catch (IOException e) {
                    errno = failed(operation, offset, e);
                } catch (RuntimeException e) {
                    LOG.error("export '{}': {} at offset {} failed", name(), operation, offset, e);
                    errno = Errno.EIO;
                }
            }
            complete(errno);
        }

        /** Completes the operation; called without {@link #run} when the backend stopped before it ran. */
        void complete(int errno) {
            try {
                done.complete(errno);
            } catch (RuntimeException e) {
                LOG.error("export '{}': the completion of a {} threw", name(), operation, e);
            }
        }
    }
}
