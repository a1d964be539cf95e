package dev.rtrs.block.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The checks of the base class, against a device that records what reaches it. */
class AbstractBlockDeviceTest {

    /** Records operations; supports discard and write-zeroes only if told. */
    private static final class Recorder extends AbstractBlockDevice {
        final List<String> calls = new ArrayList<>();
        private final boolean trims;

        Recorder(long size, int blockSize, boolean readOnly, boolean trims) {
            super("rec", size, blockSize, 4096, readOnly);
            this.trims = trims;
        }

        @Override
        public boolean hasWriteCache() {
            return false;
        }

        @Override
        public boolean supportsFua() {
            return false;
        }

        @Override
        public boolean supportsDiscard() {
            return trims;
        }

        @Override
        public boolean supportsWriteZeroes() {
            return trims;
        }

        @Override
        protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
            calls.add("read " + offset + " " + dst.remaining());
            done.complete(0);
        }

        @Override
        protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
            calls.add("write " + offset + " " + src.remaining() + (fua ? " fua" : ""));
            done.complete(0);
        }

        @Override
        protected void doFlush(BlockCompletion done) {
            calls.add("flush");
            done.complete(0);
        }

        @Override
        protected void doDiscard(long offset, long length, BlockCompletion done) {
            calls.add("discard " + offset + " " + length);
            done.complete(0);
        }

        @Override
        protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
            calls.add("zeroes " + offset + " " + length);
            done.complete(0);
        }

        @Override
        protected void doClose() {
            calls.add("close");
        }
    }

    private static int result(Consumer<BlockCompletion> op) {
        int[] errno = {-1};
        int[] calls = {0};
        op.accept(e -> {
            errno[0] = e;
            calls[0]++;
        });
        assertEquals(1, calls[0], "completed once");
        return errno[0];
    }

    @Test
    void validOperationsReachTheSubclassWithTheirArguments() {
        Recorder d = new Recorder(1 << 20, 512, false, true);
        assertEquals(0, result(c -> d.read(512, ByteBuffer.allocate(1024), c)));
        assertEquals(0, result(c -> d.write((1 << 20) - 512, ByteBuffer.allocate(512), BlockDevice.FUA, c)));
        assertEquals(0, result(c -> d.write(0, ByteBuffer.allocate(512), 0, c)));
        assertEquals(0, result(d::flush));
        assertEquals(0, result(c -> d.discard(0, 1 << 20, c)));
        assertEquals(0, result(c -> d.writeZeroes(1024, 512, c)));
        assertEquals(
                List.of(
                        "read 512 1024",
                        "write 1048064 512 fua",
                        "write 0 512",
                        "flush",
                        "discard 0 1048576",
                        "zeroes 1024 512"),
                d.calls);
    }

    @Test
    void refusedOperationsNeverReachTheSubclass() {
        Recorder ro = new Recorder(1 << 20, 4096, true, false);
        assertEquals(Errno.EROFS, result(c -> ro.write(0, ByteBuffer.allocate(4096), 0, c)));
        assertEquals(Errno.EROFS, result(c -> ro.discard(0, 4096, c)), "read-only before unsupported");
        Recorder plain = new Recorder(1 << 20, 4096, false, false);
        assertEquals(Errno.EOPNOTSUPP, result(c -> plain.discard(0, 4096, c)));
        assertEquals(Errno.EOPNOTSUPP, result(c -> plain.writeZeroes(0, 4096, c)));
        assertEquals(Errno.EINVAL, result(c -> plain.read(2048, ByteBuffer.allocate(4096), c)));
        assertEquals(Errno.EINVAL, result(c -> plain.write(1 << 20, ByteBuffer.allocate(4096), 0, c)));
        assertEquals(Errno.EINVAL, result(c -> plain.write(0, ByteBuffer.allocate(4096), 2, c)));
        assertEquals(Errno.EINVAL, result(c -> plain.read(Long.MIN_VALUE, ByteBuffer.allocate(4096), c)));
        assertEquals(List.of(), ro.calls);
        assertEquals(List.of(), plain.calls);
    }

    @Test
    void closeRunsOnceAndThenEverythingFailsWithEio() {
        Recorder d = new Recorder(1 << 20, 512, false, true);
        d.close();
        d.close();
        assertEquals(Errno.EIO, result(c -> d.read(0, ByteBuffer.allocate(512), c)));
        assertEquals(Errno.EIO, result(c -> d.write(0, ByteBuffer.allocate(512), 0, c)));
        assertEquals(Errno.EIO, result(d::flush));
        assertEquals(Errno.EIO, result(c -> d.discard(0, 512, c)));
        assertEquals(Errno.EIO, result(c -> d.writeZeroes(0, 512, c)));
        assertEquals(List.of("close"), d.calls);
    }

    /** Collects extents as "length/flags" and the errno of the completion. */
    private static final class Extents implements BlockStatusReceiver {
        final List<String> extents = new ArrayList<>();
        int errno = -1;
        int calls;

        @Override
        public boolean extent(long length, int flags) {
            extents.add(length + "/" + flags);
            return true;
        }

        @Override
        public void complete(int e) {
            errno = e;
            calls++;
        }
    }

    private static Extents status(BlockDevice d, long offset, long length) {
        Extents x = new Extents();
        d.blockStatus(offset, length, x);
        assertEquals(1, x.calls, "completed once");
        return x;
    }

    @Test
    void blockStatusIsCheckedAndByDefaultReportsOneExtentOfData() {
        Recorder d = new Recorder(1 << 20, 512, false, true);
        Extents all = status(d, 512, (1 << 20) - 512);
        assertEquals(0, all.errno);
        assertEquals(List.of("1048064/0"), all.extents);
        Extents empty = status(d, 1 << 20, 0);
        assertEquals(0, empty.errno);
        assertEquals(List.of(), empty.extents, "an empty range has no extent");
        for (long[] bad : new long[][] {{256, 512}, {0, 100}, {(1 << 20) - 512, 1024}, {-512, 512}, {0, -512}}) {
            Extents refused = status(d, bad[0], bad[1]);
            assertEquals(Errno.EINVAL, refused.errno, bad[0] + "+" + bad[1]);
            assertEquals(List.of(), refused.extents);
        }
        d.close();
        assertEquals(Errno.EIO, status(d, 0, 512).errno);
        // a device that does not extend the base class (a mapped device) gets the same answer from the default
        BlockDevice plain = new BlockDevice() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public long size() {
                return 8192;
            }

            @Override
            public int logicalBlockSize() {
                return 4096;
            }

            @Override
            public int physicalBlockSize() {
                return 4096;
            }

            @Override
            public boolean isReadOnly() {
                return false;
            }

            @Override
            public boolean hasWriteCache() {
                return false;
            }

            @Override
            public boolean supportsFua() {
                return false;
            }

            @Override
            public boolean supportsDiscard() {
                return false;
            }

            @Override
            public boolean supportsWriteZeroes() {
                return false;
            }

            @Override
            public void read(long offset, ByteBuffer dst, BlockCompletion done) {}

            @Override
            public void write(long offset, ByteBuffer src, int flags, BlockCompletion done) {}

            @Override
            public void flush(BlockCompletion done) {}

            @Override
            public void discard(long offset, long length, BlockCompletion done) {}

            @Override
            public void writeZeroes(long offset, long length, BlockCompletion done) {}

            @Override
            public void close() {}
        };
        assertEquals(List.of("8192/0"), status(plain, 0, 8192).extents);
        assertEquals(Errno.EINVAL, status(plain, 4096, 8192).errno);
        assertEquals(Errno.EINVAL, status(plain, 512, 512).errno);
    }

    @Test
    void geometryIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Recorder(1000, 512, false, false));
        assertThrows(IllegalArgumentException.class, () -> new Recorder(4096, 1000, false, false));
        assertThrows(IllegalArgumentException.class, () -> new Recorder(4096, 256, false, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Recorder(8192, 8192, false, false),
                "physical block size below the logical one");
        assertThrows(IllegalArgumentException.class, () -> new Recorder(-512, 512, false, false));
    }
}
